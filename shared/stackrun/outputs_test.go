package stackrun

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func secretValue() map[string]any {
	return map[string]any{resource.SigKey: resource.SecretSig, "ciphertext": "[secret]"}
}

func TestShownMasksSecretsAsTheCLIDoes(t *testing.T) {
	got, ok := shown(map[string]any{
		"plain":  "a",
		"n":      float64(3),
		"secret": secretValue(),
		"nested": map[string]any{"list": []any{"x", secretValue()}},
	})
	if !ok {
		t.Fatal("shown refused plain values and secrets")
	}
	want := map[string]any{"plain": "a", "n": float64(3), "secret": "[secret]", "nested": map[string]any{"list": []any{"x", "[secret]"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("shown = %v, want %v", got, want)
	}
	if !hasSecret(got) || hasSecret(map[string]any{"a": []any{"b"}}) {
		t.Fatal("hasSecret does not find exactly the masked secrets")
	}
	if m, ok := shown(nil); !ok || m == nil || len(m) != 0 {
		t.Fatalf("no outputs must show as {}, got %v %v", m, ok)
	}
}

func TestShownLeavesWhatTheCLIPrintsDifferentlyToTheCLI(t *testing.T) {
	for name, v := range map[string]any{
		"asset":   map[string]any{resource.SigKey: resource.AssetSig, "text": "x"},
		"unknown": unknownShown,
		"deep":    []any{map[string]any{"a": map[string]any{resource.SigKey: resource.ArchiveSig}}},
	} {
		if _, ok := shown(map[string]any{"o": v}); ok {
			t.Errorf("%s: shown answered; the CLI must", name)
		}
	}
}

// feed runs events through a collector as the engine's stream would.
func feed(evs ...apitype.EngineEvent) *collector {
	col := newCollector(nil, nil)
	ch := make(chan events.EngineEvent, len(evs))
	for _, e := range evs {
		ch <- events.EngineEvent{EngineEvent: e}
	}
	close(ch)
	col.consume(ch)
	return col
}

func rootEvent(old, now map[string]any) apitype.EngineEvent {
	return apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Op: apitype.OpSame, URN: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", Type: stackType,
		Old: &apitype.StepEventStateMetadata{Outputs: old}, New: &apitype.StepEventStateMetadata{Outputs: now},
	}}}
}

func summaryEvent(changes map[apitype.OpType]int) apitype.EngineEvent {
	return apitype.EngineEvent{SummaryEvent: &apitype.SummaryEvent{ResourceChanges: changes}}
}

func TestOutputsAfterAnUpdateComeFromItsEvents(t *testing.T) {
	outs := map[string]any{"zone": "z1", "token": secretValue()}
	col := feed(rootEvent(nil, map[string]any{"zone": "stale"}), rootEvent(nil, outs), summaryEvent(map[apitype.OpType]int{apitype.OpSame: 4}))
	r := &run{}
	args := []string{"--non-interactive", "stack", "output", "--json", "--show-secrets", "--stack", "dev"}
	if _, ok := r.outputsFromUpdate(args); ok {
		t.Fatal("answered while no update is in flight")
	}
	r.updating.Store(col)
	got, ok := r.outputsFromUpdate(args)
	if !ok {
		t.Fatal("did not answer after the update's stream ended with a summary")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"zone": "z1", "token": "[secret]"}; !reflect.DeepEqual(m, want) {
		t.Fatalf("outputs = %v, want the last root outputs event %v", m, want)
	}
	if _, ok := r.outputsFromUpdate([]string{"stack", "history", "--json"}); ok {
		t.Fatal("answered another command")
	}
	r.updating.Store(feed(rootEvent(nil, outs)))
	if _, ok := r.outputsFromUpdate(args); ok {
		t.Fatal("answered from a stream without the engine's summary")
	}
}

func TestNothingToUpdate(t *testing.T) {
	same := map[string]any{"zone": "z1"}
	cases := []struct {
		name   string
		counts map[string]int
		col    *collector
		want   bool
	}{
		{"only same steps, outputs unchanged", map[string]int{"same": 9}, feed(rootEvent(same, same)), true},
		{"a step changes", map[string]int{"same": 8, "update": 1}, feed(rootEvent(same, same)), false},
		{"an output changes", map[string]int{"same": 9}, feed(rootEvent(same, map[string]any{"zone": "z2"})), false},
		{"an output is new", map[string]int{"same": 9}, feed(rootEvent(same, map[string]any{"zone": "z1", "x": "y"})), false},
		{"a secret output could have changed", map[string]int{"same": 9},
			feed(rootEvent(map[string]any{"k": secretValue()}, map[string]any{"k": secretValue()})), false},
		{"an output is unknown", map[string]int{"same": 9}, feed(rootEvent(same, map[string]any{"zone": unknownShown})), false},
		{"no root outputs event", map[string]int{"same": 9}, feed(), false},
		{"an earlier run left a pending operation", map[string]int{"same": 9}, feed(rootEvent(same, same),
			apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning",
				Message: "the current deployment has 1 resource(s) with pending operations:\n  * urn:pulumi:dev::p::aiven:index/kafkaTopic:KafkaTopic::t, interrupted while creating\n"}}), false},
	}
	for _, c := range cases {
		outs, ok := nothingToUpdate(c.counts, c.col)
		if ok != c.want {
			t.Errorf("%s: nothingToUpdate = %v, want %v", c.name, ok, c.want)
		}
		if ok && !reflect.DeepEqual(outs, same) {
			t.Errorf("%s: outputs = %v, want %v", c.name, outs, same)
		}
	}
}
