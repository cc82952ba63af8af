package stackrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project is what a project's main.go hands to Main.
type Project struct {
	// Program declares the project's resources: what `pulumi up` runs.
	Program pulumi.RunFunc
	// Validate reads and validates the project's configuration without
	// declaring anything (the project's config.Load).
	Validate func(*pulumi.Context) error
}

// CheckConfig adapts a project's config.Load to Project.Validate.
func CheckConfig[T any](load func(*pulumi.Context) (T, error)) func(*pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		_, err := load(ctx)
		return err
	}
}

// Main is the whole main function of a project: a plain Pulumi program
// when the language host runs it, the orchestrator's worker when INFRA_TASK
// is set.
func Main(p Project) {
	raw, ok := os.LookupEnv(EnvTask)
	if !ok {
		pulumi.Run(p.Program)
		return
	}
	os.Exit(Serve(raw, p))
}

// Serve runs the task raw (the value of INFRA_TASK) and reports on the
// channel. It returns the process's exit code: 0 whenever a result was
// sent (the result says whether the operation failed), 2 for a task that
// cannot be read.
func Serve(raw string, p Project) int {
	_ = os.Unsetenv(EnvTask) // the CLIs this process starts must not see it
	task, err := DecodeTask(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stackrun:", err)
		return 2
	}
	ch := openChannel()
	var upstreams io.Reader
	if len(task.Await) > 0 {
		upstreams = os.Stdin
	}
	ctx, hard, stop := signals()
	defer stop()
	res := Execute(ctx, hard, task, p, Hooks{
		Upstreams: upstreams,
		Progress:  func(text string) { ch.send(Message{Kind: KindProgress, Text: text}) },
		CLIStart:  func(pid int) { ch.send(Message{Kind: KindCLI, PID: pid}) },
		CLIExit:   func(pid int) { ch.send(Message{Kind: KindCLIExit, PID: pid}) },
	})
	ch.send(Message{Kind: KindResult, Result: &res})
	return 0
}

// signals cancels ctx on the first SIGINT or SIGTERM and closes hard on
// the second.
func signals() (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	hard := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel()
		if _, ok := <-sigs; !ok {
			return
		}
		close(hard)
	}()
	return ctx, hard, func() { signal.Stop(sigs); close(sigs); cancel() }
}

// channel writes messages, one JSON line each, to fd 3 (or stderr when the
// process was started without it, e.g. by hand).
type channel struct {
	mu sync.Mutex
	w  io.Writer
}

func openChannel() *channel {
	// Only a process started with the channel uses fd 3: in any other the
	// runtime may have put something else there.
	if os.Getenv(EnvChannel) != strconv.Itoa(ChannelFD) {
		return &channel{w: os.Stderr}
	}
	_ = os.Unsetenv(EnvChannel)
	f := os.NewFile(ChannelFD, "infra-channel")
	if f == nil {
		return &channel{w: os.Stderr}
	}
	// The CLIs and plugins this process starts must not inherit the
	// channel: they would hold it open after this process ended.
	syscall.CloseOnExec(ChannelFD)
	return &channel{w: f}
}

func (c *channel) send(m Message) {
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(Message{Kind: m.Kind, Text: "unencodable message: " + err.Error()})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.w.Write(append(b, '\n'))
}
