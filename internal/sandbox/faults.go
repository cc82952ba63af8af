package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	tmp := faultsPath(dir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("sandbox: write faults: %w", err)
	}
	return os.Rename(tmp, faultsPath(dir))
}

// checkFault returns the error of the first fault matching the operation.
func checkFault(dir, op, typ string, names ...string) error {
	b, err := os.ReadFile(faultsPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: read faults: %w", err)
	}
	var faults []Fault
	if err := json.Unmarshal(b, &faults); err != nil {
		return fmt.Errorf("sandbox: %s is not valid: %w", faultsPath(dir), err)
	}
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
		if !matched {
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
