package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkMainJob measures the main job on the local environment through
// the real engine (`go run mage.go bench`): deploy from empty, a no-op
// deploy, the same with parallel=1, and the edit loop (change one program,
// then deploy that project alone, build included), and for this design the
// same no-op on a rehearsal of staging (its real configuration on the
// sandbox: mandatory policies, a preview with the pack before each deploy),
// which #15 bounds at 1.5x the local no-op. Each iteration runs every
// case once, for this design and, when INFRA_BENCH_BASELINE names a git
// revision, for that revision side by side (paired runs on the same noisy
// machine). It reports medians:
//
//	<design>-<case>-wall-s    wall time of the command
//	<design>-<case>-cpu-s     user+system CPU of the whole process tree
//	<design>-<case>-sum-s     sum of the per-project durations, measured in that (parallel) run
//	<design>-<case>-crit-s    the slowest dependency chain, from the same durations
//	<design>-<case>-peak-MiB  peak resident memory of every process the case ran: the orchestrator, every
//	                          process below it, and the edit loop's rebuild of the orchestrator
//
// Each no-op run is checked to be one (no project changed anything).
func BenchmarkMainJob(b *testing.B) {
	designs := []*benchDesign{{name: "new", w: newWorkspace(b)}}
	if rev := os.Getenv("INFRA_BENCH_BASELINE"); rev != "" {
		designs = append(designs, baselineDesign(b, rev))
	}
	b.Logf("machine: %s/%s, %d CPUs; %d iteration(s); medians", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), b.N)
	for _, d := range designs {
		d.w.infraB(b, "preview", "-env", "local") // builds binaries and the policy pack, warms caches
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range designs {
			b.StopTimer()
			if err := os.RemoveAll(filepath.Join(d.w.root, ".state", "local")); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			d.add("from-empty", d.w.measure(b, false, nil, "deploy", "-env", "local"))
			d.add("noop", d.w.measure(b, true, nil, "deploy", "-env", "local"))
			d.add("noop-p1", d.w.measure(b, true, nil, "deploy", "-env", "local", "-parallel", "1"))
			// dns links the Cloudflare SDK; kafka-integrations does not.
			for _, c := range []struct{ name, project string }{{"edit-loop", "dns"}, {"edit-loop-kafka", "kafka-integrations"}} {
				edit := func() error { return d.editProgram(c.project, i) }
				d.add(c.name, d.w.measure(b, false, edit, "deploy", "-env", "local", "-project", c.project))
			}
			if d.name == "new" {
				b.StopTimer()
				if err := os.RemoveAll(filepath.Join(d.w.root, ".state", "rehearsal", "staging")); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				d.add("staging-from-empty", d.w.measure(b, false, nil, "deploy", "-env", "staging", "-rehearsal"))
				d.add("staging-noop", d.w.measure(b, true, nil, "deploy", "-env", "staging", "-rehearsal"))
			}
		}
	}
	b.StopTimer()
	for _, d := range designs {
		d.report(b)
	}
	if n := designs[0]; len(n.ms["noop"]) > 0 {
		wall := func(c string) float64 {
			xs := []float64{}
			for _, m := range n.ms[c] {
				xs = append(xs, m.wall.Seconds())
			}
			return median(xs)
		}
		b.ReportMetric(wall("staging-noop")/wall("noop"), "staging-noop-vs-local-x")
	}
}

// benchDesign is one design under measurement, in its own workspace.
type benchDesign struct {
	name string
	w    *workspace
	ms   map[string][]measurement
}

func (d *benchDesign) add(c string, m measurement) {
	if d.ms == nil {
		d.ms = map[string][]measurement{}
	}
	d.ms[c] = append(d.ms[c], m)
}

// editProgram changes a project's program (a new package-level value, so
// the binary must be relinked) and rebuilds the orchestrator, as `go run
// mage.go deploy:project` does first: in the previous design that relinks
// every program into bin/infra; now it is a no-op and the orchestrator
// builds only bin/projects/<project>.
func (d *benchDesign) editProgram(project string, i int) error {
	d.w.write("projects/"+project+"/program/bench_edit.go", fmt.Sprintf("package program\n\n// bench edit %d at %s\nvar benchEdit = %d\n\nvar _ = benchEdit\n", i, time.Now().Format(time.RFC3339Nano), i))
	bin := d.w.bin
	if bin == "" {
		bin = infraBin
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/infra")
	cmd.Dir = d.w.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("rebuilding the orchestrator: %v\n%s", err, out)
	}
	return nil
}

func (d *benchDesign) report(b *testing.B) {
	cases := make([]string, 0, len(d.ms))
	for c := range d.ms {
		cases = append(cases, c)
	}
	sort.Strings(cases)
	for _, c := range cases {
		ms := d.ms[c]
		pick := func(f func(measurement) float64) float64 {
			xs := make([]float64, len(ms))
			for i, m := range ms {
				xs[i] = f(m)
			}
			return median(xs)
		}
		prefix := d.name + "-" + c + "-"
		b.ReportMetric(pick(func(m measurement) float64 { return m.wall.Seconds() }), prefix+"wall-s")
		b.ReportMetric(pick(func(m measurement) float64 { return m.cpu.Seconds() }), prefix+"cpu-s")
		b.ReportMetric(pick(func(m measurement) float64 { return m.sum.Seconds() }), prefix+"sum-s")
		b.ReportMetric(pick(func(m measurement) float64 { return m.critical.Seconds() }), prefix+"crit-s")
		b.ReportMetric(pick(func(m measurement) float64 { return float64(m.peakRSS) / (1 << 20) }), prefix+"peak-MiB")
		for _, m := range ms {
			b.Logf("%s %s: wall %.2fs cpu %.2fs sum %.2fs critical %.2fs peak %.0f MiB", d.name, c, m.wall.Seconds(),
				m.cpu.Seconds(), m.sum.Seconds(), m.critical.Seconds(), float64(m.peakRSS)/(1<<20))
		}
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	if n := len(xs); n%2 == 1 {
		return xs[n/2]
	} else {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
}

// baselineDesign makes a workspace of the repository at rev with its own
// orchestrator, for paired runs against the previous design.
func baselineDesign(b *testing.B, rev string) *benchDesign {
	root := b.TempDir()
	archive := exec.Command("sh", "-c", fmt.Sprintf("git archive --format=tar %s | tar -x -C %s", rev, root))
	archive.Dir = repoRoot
	if out, err := archive.CombinedOutput(); err != nil {
		b.Fatalf("git archive %s: %v\n%s", rev, err, out)
	}
	w := &workspace{t: b, root: root, bin: filepath.Join(root, "bin", "infra")}
	w.git("init", "-q", "-b", "main")
	w.git("add", "-A")
	w.git("-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-q", "-m", "baseline "+rev)
	build := exec.Command("go", "build", "-o", w.bin, "./cmd/infra")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the baseline orchestrator at %s: %v\n%s", rev, err, out)
	}
	return &benchDesign{name: "old", w: w}
}

type measurement struct {
	wall, cpu, sum, critical time.Duration
	peakRSS                  int64 // bytes
}

func (w *workspace) infraB(b *testing.B, args ...string) {
	cmd := w.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 && args[0] == "preview" {
		return // a preview with changes pending
	}
	if err != nil {
		b.Fatalf("infra %v: %v\n%s", args, err, out.String())
	}
}

// measure runs before (timed, if set) and then the orchestrator, sampling
// the memory of every process this test started meanwhile (the build in
// before, the orchestrator and every process below it). noop demands that
// nothing changed.
func (w *workspace) measure(b *testing.B, noop bool, before func() error, args ...string) measurement {
	var peak int64
	var mu sync.Mutex
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if rss := treeRSS(os.Getpid(), false); rss > 0 {
					mu.Lock()
					peak = max(peak, rss)
					mu.Unlock()
				}
			}
		}
	}()
	defer func() {
		close(done)
		<-sampled
	}()
	start := time.Now()
	if before != nil {
		if err := before(); err != nil {
			b.Fatal(err)
		}
	}
	cmd := w.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("infra %v: %v\n%s", args, err, out.String())
	}
	wall := time.Since(start)
	rep := w.loadReport(out.String())
	if rep == nil {
		b.Fatalf("no report:\n%s", out.String())
	}
	if noop {
		var changed []string
		for _, row := range rep.Rows {
			if row.Changes.Any() {
				changed = append(changed, row.Project)
			}
		}
		if len(changed) > 0 {
			b.Fatalf("infra %s was not a no-op: %s changed", strings.Join(args, " "), strings.Join(changed, ", "))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The orchestrator waits for its project processes, and they for their
	// CLIs, so its rusage counts the whole tree.
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return measurement{wall: wall, cpu: cpu, sum: secs(rep.SumSeconds), critical: secs(rep.CriticalSecs), peakRSS: peak}
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// treeRSS returns the resident memory of all descendants of pid, and of
// pid itself when self is set.
func treeRSS(root int, self bool) int64 {
	procs := procTable()
	page := int64(os.Getpagesize())
	var total int64
	if self {
		total = procs[root].rssPages * page
	}
	for _, pid := range descendantsIn(procs, root) {
		total += procs[pid].rssPages * page
	}
	return total
}
