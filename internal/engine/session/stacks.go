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
	// Unreadable is why the stack could not be listed (a corrupt
	// checkpoint); the stack is taken to exist, so its own run fails with
	// the engine's error and the restore runbook.
	Unreadable string `json:"-"`
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
	all, err := s.listStacks(ctx)
	if err != nil {
		// One unreadable checkpoint fails the whole listing. List project
		// by project, so only that project fails (its own run then names
		// its stack and the restore runbook) and the others go on.
		inv := Inventory{}
		failed := 0
		for _, p := range contracts.Projects {
			stacks, perr := s.listStacks(ctx, "--project", p)
			if perr != nil {
				failed++
				inv[p] = StackInfo{Name: contracts.StackName("organization", p, s.Settings.Name), Unreadable: perr.Error()}
				continue
			}
			s.addStacks(inv, stacks)
		}
		if failed == len(contracts.Projects) {
			return nil, err // the backend itself, not one stack
		}
		return inv, nil
	}
	inv := Inventory{}
	s.addStacks(inv, all)
	return inv, nil
}

func (s *Session) listStacks(ctx context.Context, args ...string) ([]StackInfo, error) {
	args = append([]string{"stack", "ls", "--all", "--json"}, args...)
	stdout, stderr, code, err := s.Cmd.Run(ctx, s.Root, nil, nil, nil, s.EnvList(), args...)
	if err != nil || code != 0 {
		return nil, fmt.Errorf("listing stacks in %s: %v: %s", s.BackendURL, err, strings.TrimSpace(stderr))
	}
	var all []StackInfo
	if err := json.Unmarshal([]byte(stdout), &all); err != nil {
		return nil, fmt.Errorf("listing stacks: unexpected output: %w", err)
	}
	return all, nil
}

func (s *Session) addStacks(inv Inventory, all []StackInfo) {
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
}
