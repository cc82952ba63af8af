package rehearse

import (
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
)

func TestDestroyStepIsJudgedByEnvironment(t *testing.T) {
	refused := &report.Report{ExitCode: report.ExitFailed, Rows: []report.Row{
		{Project: "kafka-data-plane", Result: report.Failed, Error: "resource \"urn:pulumi:prod::kafka-data-plane::clustera:kafka:DataPlane$aiven:index/kafkaTopic:KafkaTopic::runtime\" cannot be deleted\n" +
			"because it is protected. To unprotect the resource, either remove the `protect` flag"},
	}}
	clean := &report.Report{ExitCode: report.ExitOK, Rows: []report.Row{{Project: "dns", Result: report.Changed}}}
	other := &report.Report{ExitCode: report.ExitFailed, Rows: []report.Row{{Project: "dns", Result: report.Failed, Error: "boom"}}}
	for _, c := range []struct {
		name string
		prod bool
		rep  *report.Report
		ok   bool
		note string
	}{
		{"prod refused by protection", true, refused, true, "kafka-data-plane: KafkaTopic runtime"},
		{"prod destroyed: not protected", true, clean, false, "not protected"},
		{"prod failed otherwise", true, other, false, "not because of protection"},
		{"staging destroyed", false, clean, true, ""},
		{"staging refused", false, refused, false, "kafka-data-plane failed"},
	} {
		s := destroyStep(c.prod, c.rep)
		if s.OK != c.ok || !strings.Contains(s.Note, c.note) {
			t.Errorf("%s: ok %v note %q, want ok %v with %q", c.name, s.OK, s.Note, c.ok, c.note)
		}
	}
}

func TestExitCodeIsTheFirstStepThatWentWrong(t *testing.T) {
	r := &Result{Steps: []Step{{Name: "deploy", OK: true}, {Name: "drift", Exit: report.ExitChanges}, {Name: "destroy", Exit: 1}}}
	if got := r.ExitCode(); got != report.ExitChanges {
		t.Fatalf("exit %d, want 2 (the drift)", got)
	}
	if got := (&Result{Steps: []Step{{OK: true}}}).ExitCode(); got != 0 {
		t.Fatalf("exit %d, want 0", got)
	}
	if got := (&Result{Steps: []Step{{Name: "no-op deploy", Exit: 0, OK: false}}}).ExitCode(); got != report.ExitFailed {
		t.Fatalf("a step that exited 0 but did not converge: exit %d, want 1", got)
	}
}
