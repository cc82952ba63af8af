package stackrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// collector consumes the engine's event stream: it writes every event to
// the event log, reports progress, and keeps the errors, policy violations
// and changing steps. It is safe to read while events still arrive, and
// stop makes it drop events that come after the operation ended.
type collector struct {
	mu         sync.Mutex
	w          *json.Encoder // nil: events are not written
	stopped    bool
	observe    func(string)
	done       int
	errs       []string
	violations []string
	steps      map[string]string // urn -> description of a step that changes something
	summary    map[string]int    // the engine's summary: op -> count
	pending    []string          // operations an earlier run left pending, as the engine warns
	inflight   map[string]string // urn -> step started and not finished
	frozen     []string          // the steps in flight when the operation was interrupted
	started    time.Time
	rootOut    rootOutputs   // the stack's own outputs, as the last root outputs event gave them
	sameMoved  []string      // same steps whose state still changes (options, inputs the provider ignores)
	closed     chan struct{} // closed when the event stream has ended
	record     *stepLog      // the task's steps, when it asks for them (steps.go)
}

func newCollector(w io.Writer, observe func(string)) *collector {
	if observe == nil {
		observe = func(string) {}
	}
	c := &collector{observe: observe, steps: map[string]string{}, inflight: map[string]string{}, started: time.Now(), closed: make(chan struct{})}
	if w != nil {
		c.w = json.NewEncoder(w)
	}
	return c
}

var changingOps = map[apitype.OpType]bool{
	apitype.OpCreate: true, apitype.OpUpdate: true, apitype.OpDelete: true, apitype.OpReplace: true,
	apitype.OpCreateReplacement: true, apitype.OpDeleteReplaced: true, apitype.OpImport: true,
	apitype.OpImportReplacement: true,
}

func (c *collector) consume(ch <-chan events.EngineEvent) {
	for ev := range ch {
		c.add(ev)
	}
	close(c.closed)
}

func (c *collector) add(ev events.EngineEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	if c.w != nil {
		_ = c.w.Encode(ev.EngineEvent)
	}
	c.record.add(ev.EngineEvent)
	switch {
	case ev.ResourcePreEvent != nil:
		m := ev.ResourcePreEvent.Metadata
		if m.Type == stackType {
			return
		}
		if changingOps[m.Op] {
			detail := ""
			if len(m.Diffs) > 0 {
				detail = " (" + strings.Join(m.Diffs, ", ") + ")"
			}
			c.steps[m.URN] = fmt.Sprintf("%s %s %s%s", m.Op, m.Type, URNName(m.URN), detail)
			c.inflight[m.URN] = fmt.Sprintf("%s %s %s", verb(m.Op), ShortType(m.Type), URNName(m.URN))
		}
		c.observe(fmt.Sprintf("%d done · %s %s %s", c.done, verb(m.Op), ShortType(m.Type), URNName(m.URN)))
	case ev.ResOutputsEvent != nil:
		m := ev.ResOutputsEvent.Metadata
		if m.Op == apitype.OpSame && m.Type != stackType && stateMoves(m.Old, m.New) {
			c.sameMoved = append(c.sameMoved, URNName(m.URN))
		}
		if m.Type == stackType {
			c.rootOut = rootOutputs{seen: true}
			if m.Old != nil {
				c.rootOut.old = m.Old.Outputs
			}
			if m.New != nil {
				c.rootOut.new = m.New.Outputs
			}
		}
		c.done++
		delete(c.inflight, m.URN)
	case ev.ResOpFailedEvent != nil:
		delete(c.inflight, ev.ResOpFailedEvent.Metadata.URN)
	case ev.SummaryEvent != nil:
		c.summary = map[string]int{}
		for op, n := range ev.SummaryEvent.ResourceChanges {
			c.summary[string(op)] = n
		}
	case ev.PolicyEvent != nil:
		p := ev.PolicyEvent
		c.violations = append(c.violations, fmt.Sprintf("[%s] %s: %s %s", p.EnforcementLevel, p.PolicyName, URNName(p.ResourceURN), firstLine(p.Message)))
	case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.Severity == "warning" && strings.Contains(ev.DiagnosticEvent.Message, "interrupted while"):
		// The engine lists them as "  * <urn>, interrupted while <op>".
		for _, l := range strings.Split(ev.DiagnosticEvent.Message, "\n") {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "* ") || !strings.Contains(l, ", interrupted while ") {
				continue
			}
			urn, op, _ := strings.Cut(strings.TrimPrefix(l, "* "), ", interrupted while ")
			c.pending = append(c.pending, fmt.Sprintf("%s %s (interrupted while %s)", ShortType(string(resourceType(urn))), URNName(urn), op))
		}
	case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.Severity == "error":
		msg := strings.TrimSpace(ev.DiagnosticEvent.Message)
		if msg != "" {
			if u := ev.DiagnosticEvent.URN; u != "" {
				msg = URNName(u) + ": " + msg
			}
			c.errs = append(c.errs, msg)
		}
	}
}

// stop drops every event that arrives from now on.
func (c *collector) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
}

// changed returns the steps that would change something, sorted.
func (c *collector) changed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.steps))
	for _, s := range c.steps {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// freeze records the steps in flight now: the operation is being
// interrupted, and they will finish before it ends.
func (c *collector) freeze() {
	steps := c.inFlight()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen == nil {
		c.frozen = steps
	}
}

// interruptedSteps returns the steps frozen at the interrupt.
func (c *collector) interruptedSteps() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.frozen...)
}

// inFlight returns the steps started and not finished, sorted.
func (c *collector) inFlight() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.inflight))
	for _, s := range c.inflight {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// resourceType returns the type of a URN (urn:pulumi:stack::project::type::name).
func resourceType(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	t := parts[2]
	if i := strings.LastIndex(t, "$"); i >= 0 {
		t = t[i+1:]
	}
	return t
}

// pendingOps returns the pending operations the engine warned about.
func (c *collector) pendingOps() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return dedupe(c.pending)
}

// summaryCounts returns the change counts of the engine's summary event.
func (c *collector) summaryCounts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.summary))
	for k, v := range c.summary {
		out[k] = v
	}
	return out
}

// summarized reports whether the engine's summary event arrived.
func (c *collector) summarized() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.summary != nil
}

// movedSames returns the same steps whose recorded state still changes.
func (c *collector) movedSames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.sameMoved...)
}

// root returns what the event stream said of the stack's own outputs.
func (c *collector) root() rootOutputs {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rootOut
}

func (c *collector) policyViolations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.violations...)
}

// explain turns an engine failure into a short error: the engine's error
// diagnostics when there are any, otherwise the tail of the CLI's stderr.
func (c *collector) explain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	c.mu.Lock()
	errs := dedupe(c.errs)
	c.mu.Unlock()
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	msg := err.Error()
	if i := strings.Index(msg, "stderr:"); i >= 0 {
		msg = strings.TrimSpace(msg[i+len("stderr:"):])
	}
	return errors.New(lastLines(msg, 6))
}

func verb(op apitype.OpType) string {
	switch op {
	case apitype.OpCreate:
		return "creating"
	case apitype.OpUpdate:
		return "updating"
	case apitype.OpDelete, apitype.OpDeleteReplaced:
		return "deleting"
	case apitype.OpReplace, apitype.OpCreateReplacement:
		return "replacing"
	case apitype.OpRefresh, apitype.OpRead:
		return "reading"
	case apitype.OpSame:
		return "checking"
	}
	return string(op)
}

// URNName returns the logical name of a URN (its last part).
func URNName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// ShortType shortens cloudflare:index/dnsRecord:DnsRecord to DnsRecord.
func ShortType(t string) string {
	if i := strings.LastIndex(t, ":"); i >= 0 {
		return t[i+1:]
	}
	return t
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
