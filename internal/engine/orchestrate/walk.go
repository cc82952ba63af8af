package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/shared/stackrun"
)

// Executor runs one task; *runner.Runner is the real one.
type Executor interface {
	Run(ctx context.Context, t runner.Task) runner.Outcome
}

// Observer follows a run (the progress board).
type Observer interface {
	Start(project string)
	Finish(project, result, summary string, took time.Duration)
}

// Execute walks the plan and returns the report. Tasks get their programs
// from programs (by project name).
func Execute(ctx context.Context, p *Plan, exec Executor, parallel int, obs Observer) *report.Report {
	rep := &report.Report{Env: p.Env, Operation: string(p.Op), Started: time.Now(), Parallel: parallel}
	if parallel <= 0 {
		rep.Parallel = p.Graph.Width()
	}
	var mu sync.Mutex
	rows := map[string]*report.Row{}
	fn := func(ctx context.Context, node string) error {
		start := time.Now()
		task := p.Tasks[node]
		if u, ok := walk.UpstreamsOf(ctx); ok && len(u.Pending) > 0 {
			task.Await, task.Settled = u.Pending, settledUpstreams(u)
		}
		out := exec.Run(ctx, task)
		row := rowFrom(node, p.Op, out, time.Since(start))
		mu.Lock()
		rows[node] = &row
		mu.Unlock()
		if out.Result == report.Failed {
			if out.Err != nil {
				return out.Err
			}
			return errors.New("failed")
		}
		return nil
	}
	results := walk.Walk(ctx, p.Graph, fn, walk.Options{
		Parallel: parallel,
		// A dependent's process, CLI and program start while its upstreams
		// run; only its reads of their outputs wait for them.
		Early: p.Op.RunsProgram(),
		OnStart: func(n string) {
			if obs != nil {
				obs.Start(n)
			}
		},
		OnFinish: func(r walk.Result) {
			mu.Lock()
			row, ok := rows[r.Node]
			if ok && r.Status == walk.Blocked {
				// Started early, then stopped at its first read of an
				// upstream that failed: blocked, not broken.
				row.Result, row.BlockedBy, row.Error, row.Changes = report.Blocked, r.BlockedBy, "", report.Changes{}
				row.Note = "stopped before declaring anything: " + r.Err.Error()
			}
			if !ok {
				row = &report.Row{Project: r.Node, Operation: string(p.Op)}
				switch r.Status {
				case walk.Blocked:
					row.Result, row.BlockedBy = report.Blocked, r.BlockedBy
				case walk.Failed:
					// fn itself failed (a panic in the orchestrator): never
					// reported as skipped.
					row.Result = report.Failed
					if r.Err != nil {
						row.Error = r.Err.Error()
					}
				default:
					row.Result, row.Note = report.Skipped, "not run: interrupted"
				}
				rows[r.Node] = row
			}
			label, summary, took := row.Label(), summarize(*row), row.Duration()
			mu.Unlock()
			if obs != nil {
				obs.Finish(r.Node, label, summary, took)
			}
		},
	})
	for _, r := range results {
		rep.Rows = append(rep.Rows, *rows[r.Node])
	}
	rep.SortRows(p.Order)
	rep.Interrupted = ctx.Err() != nil
	rep.Finished = time.Now()
	cost := map[string]time.Duration{}
	for _, row := range rep.Rows {
		cost[row.Project] = row.Busy()
	}
	path, total := p.Graph.CriticalPath(func(n string) time.Duration { return cost[n] })
	rep.CriticalPath, rep.CriticalSecs = path, total.Seconds()
	rep.Finish()
	return rep
}

// settledUpstreams turns the walk's results of a node's pending upstreams
// into the messages its process awaits.
func settledUpstreams(u walk.Upstreams) <-chan stackrun.Upstream {
	out := make(chan stackrun.Upstream, len(u.Pending))
	go func() {
		for range u.Pending {
			r := <-u.Settled
			m := stackrun.Upstream{Project: r.Node, OK: r.Status == walk.Succeeded}
			if !m.OK {
				m.Status = string(r.Status)
			}
			out <- m
		}
	}()
	return out
}

func rowFrom(project string, op runner.Op, out runner.Outcome, took time.Duration) report.Row {
	row := report.Row{
		Project: project, Operation: string(op), Result: out.Result, Changes: out.Changes, Seconds: took.Seconds(),
		Log: out.Log, Events: out.Events, Placeholders: out.Placeholders, Drift: out.Drift, Violations: out.Violations,
		Note: out.Note,
	}
	if out.Err != nil {
		row.Error = out.Err.Error()
	}
	row.Waited = out.Waited.Seconds()
	if len(out.Outputs) > 0 {
		row.Outputs = out.Outputs
	}
	return row
}

func summarize(r report.Row) string {
	c := r.Changes
	pending := r.Operation == "preview" || r.Operation == "drift"
	var parts []string
	for _, x := range []struct {
		n          int
		done, todo string
	}{{c.Create, "created", "to create"}, {c.Update, "updated", "to update"}, {c.Replace, "replaced", "to replace"}, {c.Delete, "deleted", "to delete"}, {c.Import, "imported", "to import"}} {
		if x.n == 0 {
			continue
		}
		verb := x.done
		if pending {
			verb = x.todo
		}
		parts = append(parts, fmt.Sprintf("%d %s", x.n, verb))
	}
	if len(r.Placeholders) > 0 {
		parts = append(parts, "placeholders for "+strings.Join(r.Placeholders, ","))
	}
	if len(r.Drift) > 0 {
		parts = append(parts, fmt.Sprintf("%d drifted", len(r.Drift)))
	}
	if r.Error != "" {
		parts = append(parts, firstLine(r.Error))
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
