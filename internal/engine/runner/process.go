package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clustera/infra/shared/stackrun"
)

// channelGrace bounds the wait for the channel's last messages once the
// project process has exited.
const channelGrace = 2 * time.Second

// process is one project process speaking the stackrun channel.
type process struct {
	bin     string
	args    []string
	task    stackrun.Task
	hard    <-chan struct{}
	observe func(string)
	// killAfter, when positive, kills the process and its CLIs that long
	// after a cancellation's interrupt if they have not stopped (a hung
	// provider under a deadline); killed then tells it happened.
	killAfter time.Duration
	killed    bool
	// settled delivers the upstreams in task.Await as they finish; each
	// goes to the process's stdin. opened, when set, is closed once they
	// all have (at once when there are none).
	settled <-chan stackrun.Upstream
	opened  chan struct{}

	mu   sync.Mutex
	clis map[int]bool // CLIs started and not yet exited
}

// crash describes a process that ended without sending its result.
type crash struct {
	exit string // how it ended: "exit status 2", "signal: killed"
	log  string
	clis []int // CLIs it started that it did not see exit
	task stackrun.Task
}

// run starts the process, relays its progress, forwards a cancellation
// as one SIGINT (the process then interrupts its CLIs once each) and a
// hard abort as SIGKILL of the process and its CLIs. It returns the
// process's result, or the crash when it sent none.
func (p *process) run(ctx context.Context) (stackrun.Result, *crash) {
	p.clis = map[int]bool{}
	fail := func(err error) (stackrun.Result, *crash) {
		return stackrun.Result{Status: stackrun.Failed, Error: err.Error()}, nil
	}
	raw, err := stackrun.EncodeTask(p.task)
	if err != nil {
		return fail(err)
	}
	logf, err := os.OpenFile(p.task.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fail(fmt.Errorf("opening the log: %w", err))
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command(p.bin, p.args...) //nolint:gosec // a binary this run built or runs
	cmd.Dir = p.task.Dir
	cmd.Env = append(os.Environ(), stackrun.EnvTask+"="+raw, stackrun.EnvChannel+"="+strconv.Itoa(stackrun.ChannelFD))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{pw} // fd 3
	var stdin *os.File
	if len(p.task.Await) > 0 {
		var r *os.File
		if r, stdin, err = os.Pipe(); err != nil {
			pr.Close()
			pw.Close()
			return fail(err)
		}
		cmd.Stdin = r
		defer r.Close()
	}
	// A process group of its own: a Ctrl-C in the terminal reaches only
	// the orchestrator, which forwards exactly one interrupt.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		if stdin != nil {
			stdin.Close()
		}
		return fail(fmt.Errorf("starting %s: %w", p.bin, err))
	}
	pw.Close()
	exited := make(chan struct{})
	defer close(exited)
	go p.forward(stdin, exited)

	var res *stackrun.Result
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
		for sc.Scan() {
			var m stackrun.Message
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			switch m.Kind {
			case stackrun.KindProgress:
				p.observe(m.Text)
			case stackrun.KindCLI:
				p.mu.Lock()
				p.clis[m.PID] = true
				p.mu.Unlock()
			case stackrun.KindCLIExit:
				p.mu.Lock()
				delete(p.clis, m.PID)
				p.mu.Unlock()
			case stackrun.KindResult:
				res = m.Result
			}
		}
		pr.Close()
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var waitErr error
	cancelled := ctx.Done()
	hard := p.hard
	var escalate <-chan time.Time
	for waiting := true; waiting; {
		select {
		case waitErr = <-done:
			waiting = false
		case <-cancelled:
			_ = cmd.Process.Signal(os.Interrupt)
			cancelled = nil
			if p.killAfter > 0 {
				escalate = time.After(p.killAfter)
			}
		case <-escalate:
			p.killAll(cmd.Process.Pid)
			p.killed, escalate = true, nil
		case <-hard:
			p.killAll(cmd.Process.Pid)
			p.killed, hard = true, nil
		}
	}
	// The channel ends when the process does; should anything it started
	// still hold the channel open, stop reading shortly after.
	select {
	case <-read:
	case <-time.After(channelGrace):
		pr.Close()
		<-read
	}
	if res != nil {
		return *res, nil
	}
	c := &crash{exit: describeExit(waitErr), log: p.task.Log, task: p.task}
	p.mu.Lock()
	for pid := range p.clis {
		c.clis = append(c.clis, pid)
	}
	p.mu.Unlock()
	return stackrun.Result{}, c
}

// forward writes each awaited upstream's outcome to the process's stdin
// (nil when it awaits none) as it arrives, then closes it and p.opened.
func (p *process) forward(stdin *os.File, exited <-chan struct{}) {
	defer func() {
		if p.opened != nil {
			close(p.opened)
		}
	}()
	if stdin == nil {
		return
	}
	defer stdin.Close()
	enc := json.NewEncoder(stdin)
	for range p.task.Await {
		select {
		case u := <-p.settled:
			if enc.Encode(u) != nil {
				return // the process is gone
			}
		case <-exited:
			return
		}
	}
}

// killAll ends the process, every CLI it runs and everything they started
// (plugins such as the policy pack run in process groups of their own, so
// they are found by parentage, before their parents die) at once.
func (p *process) killAll(pid int) {
	victims := append(descendants(pid), pid)
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	p.mu.Lock()
	for cli := range p.clis {
		_ = syscall.Kill(-cli, syscall.SIGKILL)
	}
	p.mu.Unlock()
	for _, v := range victims {
		_ = syscall.Kill(v, syscall.SIGKILL)
	}
}

// descendants returns the pids of every live process below pid, from
// /proc.
func descendants(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	children := map[int][]int{}
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		if end < 0 || end+2 >= len(s) {
			continue
		}
		f := strings.Fields(s[end+2:]) // f[0] state, f[1] parent
		child, err1 := strconv.Atoi(strings.Fields(s)[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil && len(f) > 1 {
			children[parent] = append(children[parent], child)
		}
	}
	var out []int
	stack := []int{pid}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range children[n] {
			out = append(out, c)
			stack = append(stack, c)
		}
	}
	return out
}

func describeExit(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by signal " + ws.Signal().String()
		}
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	if err != nil {
		return err.Error()
	}
	return "exit status 0 without a result"
}
