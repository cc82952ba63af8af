package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/clustera/infra/shared/atomicfile"
)

// Fault makes an operation of the sandbox fail, for tests of failure
// handling. Faults live in <dir>/faults.json, so a separate process (the
// orchestrator under test) sees them; they are read on every operation.
type Fault struct {
	// Op is "create", "update", "delete", or "" for all three.
	Op string `json:"op,omitempty"`
	// Type is a glob on the type token ("cloudflare:index/queue:Queue",
	// "*:Queue"; '*' matches any characters, '/' included); "" matches
	// every type.
	Type string `json:"type,omitempty"`
	// Name is a glob on the logical name (the URN's last part) or the
	// physical name of the object ("dev-dome-*"); "" matches every name.
	Name string `json:"name,omitempty"`
	// Message is the error to return; a default names the fault.
	Message string `json:"message,omitempty"`
	// Delay, when set (a Go duration such as "4s"), makes the operation
	// slow instead of failing it: it waits that long, then proceeds. Tests
	// use it to interrupt a run while an operation is in flight.
	Delay string `json:"delay,omitempty"`
}

func faultsPath(dir string) string { return filepath.Join(dir, "faults.json") }

// SetFaults replaces the faults of the sandbox kept in dir; nil clears them.
func SetFaults(dir string, faults []Fault) error {
	for _, f := range faults {
		switch f.Op {
		case "", "create", "update", "delete":
		default:
			return fmt.Errorf("sandbox: fault op %q: use create, update, delete or empty", f.Op)
		}
		if f.Delay != "" {
			if _, err := time.ParseDuration(f.Delay); err != nil {
				return fmt.Errorf("sandbox: fault delay %q: %w", f.Delay, err)
			}
		}
	}
	if len(faults) == 0 {
		if err := os.Remove(faultsPath(dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sandbox: clear faults: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(faults, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox: encode faults: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sandbox: create dir: %w", err)
	}
	if err := atomicfile.Write(faultsPath(dir), b, 0o644); err != nil {
		return fmt.Errorf("sandbox: write faults: %w", err)
	}
	return nil
}

// matchingFaults returns the faults that apply to an operation.
func matchingFaults(dir, op, typ string, names ...string) ([]Fault, error) {
	b, err := os.ReadFile(faultsPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: read faults: %w", err)
	}
	var faults []Fault
	if err := json.Unmarshal(b, &faults); err != nil {
		return nil, fmt.Errorf("sandbox: %s is not valid: %w", faultsPath(dir), err)
	}
	var out []Fault
	for _, f := range faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		if f.Type != "" && !glob(f.Type, typ) {
			continue
		}
		matched := f.Name == ""
		for _, n := range names {
			if n != "" && glob(f.Name, n) {
				matched = true
			}
		}
		if matched {
			out = append(out, f)
		}
	}
	return out, nil
}

// checkFault returns the error of the first failing fault matching the
// operation.
func checkFault(dir, op, typ string, names ...string) error {
	faults, err := matchingFaults(dir, op, typ, names...)
	if err != nil {
		return err
	}
	for _, f := range faults {
		if f.Delay != "" {
			continue
		}
		msg := f.Message
		if msg == "" {
			msg = "injected fault"
		}
		return fmt.Errorf("sandbox fault injected for %s of %s %s: %s", op, typ, strings.Join(nonEmpty(names), "/"), msg)
	}
	return nil
}

// delayFault waits for the longest delay fault matching the operation, or
// until ctx ends. It runs outside the cloud lock, so other operations go on.
func delayFault(ctx context.Context, dir, op, typ string, names ...string) {
	faults, err := matchingFaults(dir, op, typ, names...)
	if err != nil {
		return
	}
	var longest time.Duration
	for _, f := range faults {
		if d, err := time.ParseDuration(f.Delay); err == nil && d > longest {
			longest = d
		}
	}
	if longest <= 0 {
		return
	}
	t := time.NewTimer(longest)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// glob matches s against pattern, where '*' matches any run of characters
// (slashes included: type tokens contain them) and '?' any one character.
func glob(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(s)
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
