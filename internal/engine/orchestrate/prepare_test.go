package orchestrate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/lock"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/shared/contracts"
)

// Prepare refuses a request it cannot start before it locks or starts
// anything.
func TestPrepareRefusesBadRequests(t *testing.T) {
	cases := []struct {
		name string
		req  Request
		want string
	}{
		{"unknown environment", Request{Env: "no such env!", Op: runner.Preview}, "no such env!"},
		{"prod destroy without confirmation", Request{Env: "prod", Op: runner.Destroy}, "confirm=prod"},
		{"unknown project", Request{Env: "staging", Op: runner.Preview, Selection: Selection{Projects: []string{"no-such-project"}}}, "no-such-project"},
	}
	for _, c := range cases {
		c.req.Root, c.req.StateDir, c.req.Out = t.TempDir(), t.TempDir(), &bytes.Buffer{}
		p, err := Prepare(context.Background(), c.req)
		if err == nil || p != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: prepared %v, err %v; want an error naming %q", c.name, p != nil, err, c.want)
		}
		if _, statErr := os.Stat(filepath.Join(c.req.StateDir, "locks")); !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("%s: took locks before refusing (%v)", c.name, statErr)
		}
	}
}

// A Prepare that fails after it took the locks (here: the session cannot
// open, the root has no environment file) releases them.
func TestPrepareReleasesItsLocksWhenItFails(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	req := Request{Root: root, StateDir: state, Env: "staging", Op: runner.Refresh, Out: &bytes.Buffer{}, Command: "test"}
	if _, err := Prepare(context.Background(), req); err == nil {
		t.Fatal("Prepare succeeded without an environment file")
	}
	if _, err := os.Stat(filepath.Join(state, "locks")); err != nil {
		t.Fatalf("no lock was taken, the test proves nothing: %v", err)
	}
	var names []string
	for _, p := range contracts.Projects {
		names = append(names, req.scope()+"/"+p)
	}
	locks, err := lock.AcquireAll(filepath.Join(state, "locks"), names, "test again")
	if err != nil {
		t.Fatalf("the failed Prepare left its locks: %v", err)
	}
	locks.Release()
}
