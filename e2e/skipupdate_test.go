package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
)

// TestAPolicyPreviewThatChangesNothingSkipsTheUpdate: where policies are
// mandatory, a deploy previews with the pack first; when that preview
// changes nothing, the update is not run (ADR 0014). Through the real
// engine, on a rehearsal of staging: the skip happens only on a true
// no-op, and a change to the stack's outputs alone (no resource changes)
// still runs the update, so dependents never read stale outputs.
func TestAPolicyPreviewThatChangesNothingSkipsTheUpdate(t *testing.T) {
	w := newWorkspace(t)
	const project = "kafka-data-plane"
	deploy := func(t *testing.T) report.Row {
		t.Helper()
		r := w.infra("deploy", "-env", "staging", "-rehearsal", "-project", project)
		if r.code != report.ExitOK || r.report == nil {
			t.Fatalf("deploy: exit %d\n%s", r.code, tailLines(r.out, 40))
		}
		return r.row(project)
	}
	skipped := func(row report.Row) bool { return strings.Contains(row.Note, "update skipped") }

	if row := deploy(t); row.Result != report.Changed || skipped(row) {
		t.Fatalf("from empty: result %s, note %q; want changed, updated", row.Result, row.Note)
	}
	row := deploy(t)
	if row.Result != report.NoOp || !skipped(row) {
		t.Fatalf("the second deploy: result %s, note %q; want no-op with the update skipped", row.Result, row.Note)
	}
	if len(row.Outputs) == 0 {
		t.Fatal("a skipped update reports no outputs")
	}

	const file = "projects/" + project + "/program/program.go"
	const anchor = "return contracts.DeployAndExport(ctx, Deploy)"
	orig := w.read(file)
	if !strings.Contains(orig, anchor) {
		t.Fatalf("%s has no %q to add an output before", file, anchor)
	}
	w.write(file, strings.Replace(orig, anchor, `ctx.Export("e2eProbe", pulumi.String("probe")); `+anchor, 1))
	row = deploy(t)
	if skipped(row) || row.Outputs["e2eProbe"] != "probe" {
		t.Fatalf("a new output alone: note %q, outputs %v; want the update run and e2eProbe=probe", row.Note, row.Outputs)
	}
	// outputs runs no update: the CLI reads the stack's checkpoint.
	if r := w.infra("outputs", "-env", "staging", "-rehearsal", "-project", project); r.row(project).Outputs["e2eProbe"] != "probe" {
		t.Fatalf("the stack does not hold the new output: exit %d, outputs %v", r.code, r.row(project).Outputs)
	}

	w.write(file, orig)
	if row = deploy(t); skipped(row) || row.Outputs["e2eProbe"] != nil {
		t.Fatalf("an output removed: note %q, outputs %v; want the update run", row.Note, row.Outputs)
	}
	if row = deploy(t); !skipped(row) {
		t.Fatalf("back to a no-op: note %q; want the update skipped", row.Note)
	}

	// protect alone is a same step whose new state only an update saves.
	const component = `ctx.RegisterComponentResource(ComponentType, "data-plane", comp)`
	if !strings.Contains(orig, component) {
		t.Fatalf("%s has no %q to protect", file, component)
	}
	w.write(file, strings.Replace(orig, component, strings.TrimSuffix(component, ")")+", pulumi.Protect(true))", 1))
	if row = deploy(t); skipped(row) {
		t.Fatalf("protect added alone: note %q; want the update run to record it", row.Note)
	}
	checkpoint := filepath.Join(".state", "rehearsal", "staging", "backend", ".pulumi", "stacks", project, "staging.json")
	if !strings.Contains(w.read(checkpoint), `"protect":true`) {
		t.Fatalf("%s does not record the protect the update was run for", checkpoint)
	}
	w.write(file, orig)
	if row = deploy(t); skipped(row) {
		t.Fatalf("protect removed alone: note %q; want the update run", row.Note)
	}
}
