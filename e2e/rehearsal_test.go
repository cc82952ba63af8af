package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
)

// TestEveryEnvironmentRehearses runs the committed configuration of every
// environment but local through the real engine against the sandbox (go
// run mage.go rehearse): deploy from empty (with what it adopts seeded),
// a no-op deploy, drift, import-check and destroy. An environment whose
// committed configuration cannot deploy fails here. The environments come
// from environments/*.yaml, so a new one is rehearsed without an edit.
func TestEveryEnvironmentRehearses(t *testing.T) {
	w := newWorkspace(t)
	files, err := filepath.Glob(filepath.Join(w.root, "environments", "*.yaml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("environments: %v %v", files, err)
	}
	for _, f := range files {
		env := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if env == "local" {
			continue
		}
		t.Run(env, func(t *testing.T) {
			r := w.infra("rehearse", "-env", env)
			verdict := "REHEARSAL of " + env + " on the sandbox"
			if r.code != report.ExitOK || !strings.Contains(r.out, verdict) || !strings.Contains(r.out, "passed · exit 0") {
				t.Fatalf("rehearse %s: exit %d\n%s", env, r.code, tailLines(r.out, 60))
			}
			if env == "prod" && !strings.Contains(r.out, "refused by protection") {
				t.Errorf("prod's destroy was not refused by protection:\n%s", tailLines(r.out, 30))
			}
			if _, err := os.Stat(filepath.Join(w.root, ".state", "rehearsal", env, "backend")); err != nil {
				t.Errorf("the rehearsal did not keep its own state under .state/rehearsal/%s: %v", env, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(w.root, ".state", "local")); err == nil {
		t.Error("a rehearsal touched the local environment's state")
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
