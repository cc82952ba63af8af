package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clustera/infra/shared/contracts"
)

// StackInfo describes a stack in the backend.
type StackInfo struct {
	Name             string `json:"name"` // organization/<project>/<stack>
	LastUpdate       string `json:"lastUpdate"`
	UpdateInProgress bool   `json:"updateInProgress"`
	ResourceCount    *int   `json:"resourceCount"`
}

// Deployed reports whether the stack holds resources (an empty stack, e.g.
// one created by a preview or emptied by destroy, has none).
func (i StackInfo) Deployed() bool { return i.ResourceCount != nil && *i.ResourceCount > 0 }

// Inventory maps project name to the stack of this session's environment.
type Inventory map[string]StackInfo

// Deployed reports whether project's stack exists and holds resources.
func (inv Inventory) Deployed(project string) bool {
	i, ok := inv[project]
	return ok && i.Deployed()
}

// Exists reports whether project's stack exists.
func (inv Inventory) Exists(project string) bool {
	_, ok := inv[project]
	return ok
}

// Inventory lists the stacks of this environment across all projects with
// one CLI call.
func (s *Session) Inventory(ctx context.Context) (Inventory, error) {
	stdout, stderr, code, err := s.Cmd.Run(ctx, s.Root, nil, nil, nil, s.EnvList(), "stack", "ls", "--all", "--json")
	if err != nil || code != 0 {
		return nil, fmt.Errorf("listing stacks in %s: %v: %s", s.BackendURL, err, strings.TrimSpace(stderr))
	}
	var all []StackInfo
	if err := json.Unmarshal([]byte(stdout), &all); err != nil {
		return nil, fmt.Errorf("listing stacks: unexpected output: %w", err)
	}
	inv := Inventory{}
	for _, st := range all {
		parts := strings.Split(st.Name, "/")
		if len(parts) < 2 || parts[len(parts)-1] != s.Settings.Name {
			continue
		}
		project := parts[len(parts)-2]
		if contracts.IsProject(project) {
			inv[project] = st
		}
	}
	return inv, nil
}
