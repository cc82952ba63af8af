package stackrun

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

const stepTopic = "aiven:index/kafkaTopic:KafkaTopic"

func stepURN(typ, name string) string {
	return "urn:pulumi:prod::kafka-data-plane::" + typ + "::" + name
}

func preStep(op apitype.OpType, typ, name string, custom bool, diffs ...string) events.EngineEvent {
	return ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
		Op: op, URN: stepURN(typ, name), Type: typ, Diffs: diffs, New: &apitype.StepEventStateMetadata{Custom: custom},
	}}})
}

func mismatchWarning(name string) events.EngineEvent {
	return ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning", URN: stepURN(stepTopic, name),
		Message: "inputs to import do not match the existing resource; importing this resource will fail"}})
}

// A task that asks for its steps gets those of its custom resources, in
// order, with the import mismatches the engine warned about, whether the
// warning comes before or after the step.
func TestStepLogKeepsTheStepsOfCloudObjects(t *testing.T) {
	c := newCollector(nil, nil)
	c.record = newStepLog(Task{Steps: true})
	ch := make(chan events.EngineEvent, 16)
	for _, e := range []events.EngineEvent{
		mismatchWarning("early"),
		preStep(apitype.OpCreate, "pulumi:pulumi:Stack", "kafka-data-plane-prod", false),
		preStep(apitype.OpCreate, "pulumi:providers:aiven", "default_6_58_0", true),
		preStep(apitype.OpCreate, "clustera:kafka:DataPlane", "topics", false),
		preStep(apitype.OpRead, "pulumi:pulumi:StackReference", "organization/x/prod", true),
		preStep(apitype.OpImport, stepTopic, "early", true),
		preStep(apitype.OpImport, stepTopic, "cerebras", true, "partitions"),
		preStep(apitype.OpSame, stepTopic, "old", true),
		preStep(apitype.OpImport, stepTopic, "late", true),
		mismatchWarning("late"),
		ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning", URN: stepURN(stepTopic, "old"), Message: "something else"}}),
	} {
		ch <- e
	}
	close(ch)
	c.consume(ch)
	want := []Step{
		{Op: "import", Type: stepTopic, Name: "early", URN: stepURN(stepTopic, "early"), ImportMismatch: true},
		{Op: "import", Type: stepTopic, Name: "cerebras", URN: stepURN(stepTopic, "cerebras"), Diffs: []string{"partitions"}},
		{Op: "same", Type: stepTopic, Name: "old", URN: stepURN(stepTopic, "old")},
		{Op: "import", Type: stepTopic, Name: "late", URN: stepURN(stepTopic, "late"), ImportMismatch: true},
	}
	got := c.record.list()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps\n%+v\nwant\n%+v", got, want)
	}
	// They cross the channel in the Result.
	data, err := json.Marshal(Message{Kind: KindResult, Result: &Result{Status: NoOp, Steps: got}})
	if err != nil {
		t.Fatal(err)
	}
	var back Message
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Result.Steps, want) {
		t.Fatalf("steps after the channel\n%+v\nwant\n%+v", back.Result.Steps, want)
	}
}

// A task that does not ask keeps nothing, and a stopped collector records
// no more steps.
func TestStepLogOnlyWhenAsked(t *testing.T) {
	if l := newStepLog(Task{}); l != nil {
		t.Fatalf("a task without Steps got a step log")
	}
	c := newCollector(nil, nil)
	c.add(preStep(apitype.OpCreate, stepTopic, "a", true)) // no step log: must not panic
	if got := c.record.list(); got != nil {
		t.Fatalf("steps without a step log: %v", got)
	}
	c.record = newStepLog(Task{Steps: true})
	c.add(preStep(apitype.OpCreate, stepTopic, "a", true))
	c.stop()
	c.add(preStep(apitype.OpCreate, stepTopic, "b", true))
	if got := c.record.list(); len(got) != 1 || got[0].Name != "a" {
		t.Fatalf("steps %+v, want only a (b came after the stop)", got)
	}
}
