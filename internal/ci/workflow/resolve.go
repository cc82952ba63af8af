package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/clustera/infra/internal/affected"
	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

// OutputKeys are the outputs of the resolve job (`infra branch-stack`), in
// the order they are written.
var OutputKeys = []string{"stack", "environment", "preview-environment", "approval-environment", "deploy", "projects"}

// Resolution is what the resolve job decides for one run.
type Resolution struct {
	Branch string
	// Stack is the stack the branch deploys; "" when it deploys none.
	Stack string
	// Environment is the GitHub Environment whose secrets deploys use
	// (DeployEnvironment), PreviewEnvironment the one previews use
	// (PreviewEnvironment), and ApprovalEnvironment the one a rollout waits
	// on once before any deploy, "" for none (ApprovalEnvironment).
	Environment, PreviewEnvironment, ApprovalEnvironment string
	// Deploy is true when the branch deploys a stack.
	Deploy bool
	// Projects are the selected projects, in dependency order.
	Projects []string
	// Notes explain the decision, for people (printed on stderr).
	Notes []string
}

// Resolve maps a branch to its stack at run time, with the orchestrator's
// own mapping (branch.Stack): a personal branch deploys its stack as soon as
// environments/<branch>.yaml exists, with no workflow edit. It then selects
// the projects: every project when base is empty or not a commit of the
// clone (a first push, a force push), otherwise the projects affected since
// base (internal/affected, with their dependents). A branch without a stack
// selects nothing. An environment file that does not load is an error.
func Resolve(ctx context.Context, root string, g *graph.Graph, branchName, base string) (*Resolution, error) {
	name := strings.TrimPrefix(branchName, "refs/heads/")
	if name == "" {
		return nil, fmt.Errorf("branch-stack: the branch name is empty")
	}
	r := &Resolution{Branch: name, Projects: []string{}}
	stack, ok := branch.Stack(name, branch.EnvironmentExists(root))
	if !ok {
		if environment.ValidPersonalName(name) == nil {
			r.Notes = append(r.Notes, fmt.Sprintf("branch %s has no %s: it deploys nothing; create the personal environment with `go run mage.go env:new name=%s`",
				name, layout.Rel(root, layout.EnvironmentFile(root, name)), name))
		} else {
			r.Notes = append(r.Notes, fmt.Sprintf("branch %s deploys no stack: only %s, %s, %s, %s and personal branches with an environment file deploy",
				name, branch.Main, branch.Development, branch.Testing, branch.Staging))
		}
		return r, nil
	}
	if _, err := environment.Load(root, stack); err != nil {
		return nil, fmt.Errorf("branch-stack: branch %s deploys stack %s, whose environment does not load: %w", name, stack, err)
	}
	r.Stack, r.Deploy = stack, true
	r.Environment, r.PreviewEnvironment, r.ApprovalEnvironment = DeployEnvironment(stack), PreviewEnvironment(stack), ApprovalEnvironment(stack)
	note := fmt.Sprintf("branch %s → stack %s (GitHub Environment %s; previews: %s", name, stack, r.Environment, r.PreviewEnvironment)
	if r.ApprovalEnvironment != "" {
		note += fmt.Sprintf("; one approval of %s for the whole rollout", r.ApprovalEnvironment)
	}
	r.Notes = append(r.Notes, note+")")

	order := g.TopoSort()
	switch {
	case base == "":
		r.Projects = order
		r.Notes = append(r.Notes, "no base commit: every project is selected")
		return r, nil
	case !isCommit(ctx, root, base):
		r.Projects = order
		r.Notes = append(r.Notes, fmt.Sprintf("base %q is not a commit of this clone (first push or force push?): every project is selected", base))
		return r, nil
	}
	files, err := affected.ChangedFiles(ctx, root, base)
	if err != nil {
		return nil, fmt.Errorf("branch-stack: %w", err)
	}
	sel, err := affected.Affected(ctx, root, g, stack, files)
	if err != nil {
		return nil, fmt.Errorf("branch-stack: %w", err)
	}
	r.Projects = inOrder(order, sel.Projects)
	if len(r.Projects) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("no project is affected since %s", base))
	}
	for _, p := range r.Projects {
		for _, why := range sel.Reasons[p] {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: %s", p, why))
		}
	}
	return r, nil
}

// isCommit reports whether ref names a commit of the repository at root.
func isCommit(ctx context.Context, root, ref string) bool {
	if strings.HasPrefix(ref, "-") || strings.Trim(ref, "0") == "" {
		return false
	}
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	return cmd.Run() == nil && out.Len() > 0
}

// WriteOutputs writes the resolution as GITHUB_OUTPUT lines (key=value, in
// the order of OutputKeys); projects is a JSON list.
func (r *Resolution) WriteOutputs(w io.Writer) error {
	projects, err := json.Marshal(r.Projects)
	if err != nil {
		return err
	}
	values := map[string]string{
		"stack":                r.Stack,
		"environment":          r.Environment,
		"preview-environment":  r.PreviewEnvironment,
		"approval-environment": r.ApprovalEnvironment,
		"deploy":               fmt.Sprint(r.Deploy),
		"projects":             string(projects),
	}
	for _, k := range OutputKeys {
		v := values[k]
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("branch-stack: output %s holds a line break", k)
		}
		if _, err := fmt.Fprintf(w, "%s=%s\n", k, v); err != nil {
			return err
		}
	}
	return nil
}
