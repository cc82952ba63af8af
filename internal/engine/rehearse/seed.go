package rehearse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/clustera/infra/internal/engine/importcheck"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/layout"
)

// adopted is one object of `infra-check imports`.
type adopted struct {
	Project  string         `json:"project"`
	Type     string         `json:"type"`
	Name     string         `json:"name"`
	ImportID string         `json:"importId"`
	Inputs   map[string]any `json:"inputs"`
}

// seed creates in the rehearsal's sandbox, as pre-existing objects, what
// the environment's stacks adopt on their first deploy (the imports of its
// stack configuration), with the inputs the code gives them: the deploy
// from empty then rehearses the adoption. The list comes from the programs
// under mocks (bin/infra-check imports), which is the only place that links
// every program.
func seed(ctx context.Context, root, stateDir, env string, out io.Writer) (int, error) {
	projects, err := importcheck.Configured(root, env)
	if err != nil || len(projects) == 0 {
		return 0, err
	}
	bin := filepath.Join(root, "bin", "infra-check")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/infra-check")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building bin/infra-check to list what %s adopts: %w\n%s", env, err, b)
	}
	cmd := exec.CommandContext(ctx, bin, "imports", "-env", env, "-projects", strings.Join(projects, ","))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), layout.EnvRoot+"="+root)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("listing what %s adopts: %w: %s", env, err, strings.TrimSpace(stderr.String()))
	}
	var objs []adopted
	if err := json.Unmarshal(stdout.Bytes(), &objs); err != nil {
		return 0, fmt.Errorf("listing what %s adopts: %w", env, err)
	}
	cloud := sandbox.OpenCloud(filepath.Join(session.RehearsalDir(stateDir, env), "sandbox"))
	for _, o := range objs {
		if _, err := cloud.Seed(o.Type, o.ImportID, o.Inputs); err != nil {
			return 0, fmt.Errorf("seeding %s %s (%s) of %s: %w", o.Type, o.Name, o.ImportID, o.Project, err)
		}
	}
	fmt.Fprintf(out, "rehearsal: seeded %d pre-existing object(s) that %s adopts (%s)\n", len(objs), env, strings.Join(projects, ", "))
	return len(objs), nil
}
