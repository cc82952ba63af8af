package stackrun

import (
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Step is one engine step of a resource that touches a cloud object: the
// stack, providers, StackReferences and component resources are left out.
// A task that asks for them (Task.Steps) reports the steps of its engine
// operations, in the order the engine announced them, in Result.Steps, so
// the orchestrator need not read the event stream back from disk.
type Step struct {
	Op    string   `json:"op"`
	Type  string   `json:"type"`
	Name  string   `json:"name"`
	URN   string   `json:"urn"`
	Diffs []string `json:"diffs,omitempty"`
	// ImportMismatch: the engine warned that the inputs to import do not
	// match the existing resource (the import would fail).
	ImportMismatch bool `json:"importMismatch,omitempty"`
}

// stepLog keeps the steps of a task's engine events. A nil stepLog keeps
// nothing: the task did not ask for them.
type stepLog struct {
	mu         sync.Mutex
	steps      []Step
	mismatches map[string]bool // URNs the engine warned "inputs to import do not match"
}

// newStepLog returns a stepLog when the task asks for its steps, else nil.
func newStepLog(t Task) *stepLog {
	if !t.Steps {
		return nil
	}
	return &stepLog{mismatches: map[string]bool{}}
}

// add records ev when it is a step of a custom resource or an import
// mismatch warning.
func (l *stepLog) add(ev apitype.EngineEvent) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case ev.ResourcePreEvent != nil:
		m := ev.ResourcePreEvent.Metadata
		state := m.New
		if state == nil {
			state = m.Old
		}
		// The engine's own resources (the stack, stack references) and
		// providers are not the project's objects.
		if strings.HasPrefix(m.Type, "pulumi:providers:") || strings.HasPrefix(m.Type, "pulumi:pulumi:") ||
			(state != nil && !state.Custom) {
			return
		}
		l.steps = append(l.steps, Step{Op: string(m.Op), Type: m.Type, Name: URNName(m.URN), URN: m.URN, Diffs: m.Diffs})
	case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.URN != "" &&
		strings.Contains(ev.DiagnosticEvent.Message, "do not match the existing resource"):
		l.mismatches[ev.DiagnosticEvent.URN] = true
	}
}

// list returns the steps recorded so far, each marked when the engine
// warned about its import (the warning may come before or after the step).
func (l *stepLog) list() []Step {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Step, len(l.steps))
	for i, s := range l.steps {
		s.ImportMismatch = l.mismatches[s.URN]
		out[i] = s
	}
	return out
}
