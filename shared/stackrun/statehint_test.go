package stackrun

import (
	"strings"
	"testing"
)

func TestStateHintNamesTheStackAndTheRunbookOnlyForUnreadableState(t *testing.T) {
	const hint = "the state of organization/dns/local is unreadable: restore it as docs/runbooks/backup-restore-state.md describes"
	for _, c := range []struct {
		err  string
		hint bool
	}{
		// What the Pulumi CLI v3.259.0 says for a truncated or garbled
		// checkpoint of the file backend.
		{"error: failed to load checkpoint: place 1: unexpected end of JSON input", true},
		{"error: failed to load checkpoint: place 1: invalid character 'x' looking for beginning of value", true},
		{"error: could not list stacks: place 1: unexpected end of JSON input", true},
		{"error: could not deserialize deployment: unsupported checkpoint version 99", true},
		{"error: snapshot integrity failure; refusing to use it: resource urn:pulumi:… refers to unknown provider", true},
		{"error: Failed To Load Checkpoint: read /state: permission denied", true},
		// Other failures keep their text.
		{"sandbox fault injected for create of aiven:index/kafkaTopic:KafkaTopic local-x: injected", false},
		{"error: the stack is currently locked by 1 lock(s)", false},
		{"invalid character 'x' looking for beginning of value", false},
		{"", false},
	} {
		got := stateHint("dns", "local", c.err)
		if c.hint != strings.HasSuffix(got, "\n"+hint) {
			t.Errorf("stateHint(%q) = %q, want the hint: %v", c.err, got, c.hint)
		}
		if !strings.HasPrefix(got, c.err) {
			t.Errorf("stateHint(%q) = %q lost the engine's message", c.err, got)
		}
	}
	// Applied twice (a retry, a wrapped result), the hint appears once.
	once := stateHint("dns", "local", "error: failed to load checkpoint: place 1: unexpected end of JSON input")
	if twice := stateHint("dns", "local", once); twice != once || strings.Count(twice, "is unreadable") != 1 {
		t.Errorf("the hint is appended twice: %q", twice)
	}
}
