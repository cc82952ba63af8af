package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Benchmarks of the main job on the local environment, through the real
// engine. Run them with `go run mage.go bench`. They report, per run:
//
//	wall-s      wall time of the whole command
//	sum-s       sum of the per-project durations (what a serial run would take)
//	critical-s  the slowest dependency chain (the best any schedule can do)
//	wall/crit   wall ÷ critical path (target ≤ 1.15 for deploy from empty)
//	peak-MiB    peak resident memory of the orchestrator and every process it started
//
// The tests in this package check behaviour; these only measure.

func BenchmarkDeployAllFromEmpty(b *testing.B) {
	w := newWorkspace(b)
	w.infraB(b, "preview", "-env", "local") // builds bin/policy-pack, warms caches (exit 2: changes pending)
	var ms []measurement
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := os.RemoveAll(filepath.Join(w.root, ".state", "local")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ms = append(ms, w.measure(b, "deploy", "-env", "local"))
	}
	reportMetrics(b, ms)
}

func BenchmarkDeployAllNoOp(b *testing.B) {
	w := newWorkspace(b)
	w.infraB(b, "deploy", "-env", "local")
	w.infraB(b, "deploy", "-env", "local") // warm caches
	b.ResetTimer()
	var ms []measurement
	for i := 0; i < b.N; i++ {
		ms = append(ms, w.measure(b, "deploy", "-env", "local"))
	}
	reportMetrics(b, ms)
}

type measurement struct {
	wall, sum, critical time.Duration
	peakRSS             int64 // bytes
}

// reportMetrics reports the means of the runs, and the highest peak memory.
func reportMetrics(b *testing.B, ms []measurement) {
	var wall, sum, crit float64
	var peak int64
	for _, m := range ms {
		wall += m.wall.Seconds()
		sum += m.sum.Seconds()
		crit += m.critical.Seconds()
		peak = max(peak, m.peakRSS)
		b.Logf("run: wall %.2fs sum %.2fs critical %.2fs peak %.0f MiB", m.wall.Seconds(), m.sum.Seconds(), m.critical.Seconds(), float64(m.peakRSS)/(1<<20))
	}
	n := float64(len(ms))
	b.ReportMetric(wall/n, "wall-s")
	b.ReportMetric(sum/n, "sum-s")
	b.ReportMetric(crit/n, "critical-s")
	if crit > 0 {
		b.ReportMetric(wall/crit, "wall/crit")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
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

// measure runs the orchestrator, sampling the memory of its process tree.
func (w *workspace) measure(b *testing.B, args ...string) measurement {
	cmd := w.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var peak int64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if rss := treeRSS(cmd.Process.Pid); rss > 0 {
					mu.Lock()
					if rss > peak {
						peak = rss
					}
					mu.Unlock()
				}
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	if err != nil {
		b.Fatalf("infra %v: %v\n%s", args, err, out.String())
	}
	rep := w.loadReport(out.String())
	if rep == nil {
		b.Fatalf("no report:\n%s", out.String())
	}
	mu.Lock()
	defer mu.Unlock()
	return measurement{wall: wall, sum: secs(rep.SumSeconds), critical: secs(rep.CriticalSecs), peakRSS: peak}
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// treeRSS returns the resident memory of pid and all its descendants.
func treeRSS(root int) int64 {
	procs := procTable()
	page := int64(os.Getpagesize())
	total := procs[root].rssPages * page
	for _, pid := range descendantsIn(procs, root) {
		total += procs[pid].rssPages * page
	}
	return total
}
