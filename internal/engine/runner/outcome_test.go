package runner

import (
	"reflect"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/shared/stackrun"
)

// The steps a process reports reach the Outcome unchanged.
func TestOutcomeCarriesTheReportedSteps(t *testing.T) {
	steps := []stackrun.Step{
		{Op: "import", Type: "aiven:index/kafkaTopic:KafkaTopic", Name: "runtime", URN: "urn:pulumi:prod::p::aiven:index/kafkaTopic:KafkaTopic::runtime", ImportMismatch: true},
		{Op: "same", Type: "aiven:index/kafkaTopic:KafkaTopic", Name: "old", URN: "urn:pulumi:prod::p::aiven:index/kafkaTopic:KafkaTopic::old"},
	}
	out := outcomeOf(Outcome{}, stackrun.Result{Status: stackrun.NoOp, Steps: steps})
	if out.Result != report.NoOp || !reflect.DeepEqual(out.Steps, steps) {
		t.Fatalf("outcome %s with steps %+v, want no-op with %+v", out.Result, out.Steps, steps)
	}
}
