// Package workflow generates the GitHub Actions workflows of the repository
// from the project dependency graph (internal/offline/projects.Graph), so CI and the
// orchestrator never disagree about which projects exist and in which order
// they deploy (docs/ci.md, docs/decisions/0070-generated-workflow.md).
//
// Two files are generated under .github/workflows/:
//
//   - infra.yml: on a push, a resolve job maps the branch to its stack at run
//     time (`infra branch-stack`), then one job per project deploys it, in
//     graph order (needs: = its upstreams), gated on the affected list; on a
//     pull request one job previews the affected projects with the policy
//     pack and comments the summary on the pull request.
//   - drift.yml: every night, drift detection on staging and prod.
//
// The files are plain text built here, byte-for-byte deterministic; a test
// fails when the committed files differ from what Generate produces.
package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
)

// Dir is the folder of the workflows, relative to the repository root.
const Dir = ".github/workflows"

// The generated files, relative to the repository root.
const (
	InfraFile = Dir + "/infra.yml"
	DriftFile = Dir + "/drift.yml"
)

// Actions pinned by full commit SHA (the tag in the comment is for people).
const (
	actionCheckout = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
	actionSetupGo  = "actions/setup-go@b7ad1dad31e06c5925ef5d2fc7ad053ef454303e # v7.0.0"
	actionCache    = "actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5"
)

// Runner is the runner image every job uses: pinned, not ubuntu-latest, so
// an image change is a reviewed change.
const Runner = "ubuntu-24.04"

// Secret names the GitHub Environment secrets hold. Each job passes a
// secret to the tools as the environment variable of the same name.
const (
	SecretBackendURL      = "PULUMI_BACKEND_URL"
	SecretAccessKeyID     = "AWS_ACCESS_KEY_ID"
	SecretSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	SecretPassphrase      = "PULUMI_CONFIG_PASSPHRASE"
	SecretCloudflare      = "CLOUDFLARE_API_TOKEN"
	SecretAiven           = "AIVEN_TOKEN"
	SecretGCP             = "GOOGLE_CREDENTIALS"
)

// StateSecrets are the secrets every job that runs the engine needs: the R2
// state backend and the passphrase that encrypts stack secrets.
var StateSecrets = []string{SecretBackendURL, SecretAccessKeyID, SecretSecretAccessKey, SecretPassphrase}

// Credentials lists, per project, the cloud credentials its deploy job gets
// besides StateSecrets (least privilege: the dns job never sees the Aiven
// token). Every project of the graph must have an entry; Generate fails
// naming a project without one.
var Credentials = map[string][]string{
	contracts.CloudflareStorageProject: {SecretCloudflare},
	contracts.CloudflareWorkersProject: {SecretCloudflare},
	contracts.DNSProject:               {SecretCloudflare},
	contracts.KafkaDataPlaneProject:    {SecretAiven},
	contracts.KafkaIntegrationsProject: {SecretAiven},
	contracts.GCPGmailProject:          {SecretGCP},
}

// AllSecrets lists every secret, in the order jobs pass them.
var AllSecrets = []string{SecretBackendURL, SecretAccessKeyID, SecretSecretAccessKey, SecretPassphrase,
	SecretCloudflare, SecretAiven, SecretGCP}

// PreviewEnvironment returns the GitHub Environment whose secrets previews
// and drift checks of a stack use. Production deploys go through the
// protected "production" environment, which requires approval and is
// limited to the main branch; previews of prod (pull requests into main) and
// the nightly drift check must run unattended, so they use
// "production-preview", which holds read-only credentials. Every other
// stack previews with the environment it deploys with.
func PreviewEnvironment(stack string) string {
	if stack == environment.NameProd {
		return "production-preview"
	}
	return branch.GitHubEnvironment(stack)
}

// DriftStacks are the stacks checked for drift every night, with the branch
// whose code each is compared against.
var DriftStacks = []DriftStack{
	{Stack: environment.NameStaging, Branch: branch.Staging},
	{Stack: environment.NameProd, Branch: branch.Main},
}

// DriftStack is one stack of the nightly drift check.
type DriftStack struct {
	Stack  string
	Branch string
}

// DriftCron is when the drift check runs (UTC): 04:23 every day, off the
// full hour when GitHub's scheduler is busiest.
const DriftCron = "23 4 * * *"

// BranchFilters select the branches whose pushes and pull requests run
// infra.yml. "*" matches every branch without a "/": the long-lived
// branches and every possible personal environment name (lowercase letters
// and digits, environment.ValidPersonalName). The exclusions spare feature
// branches such as fix-typo a run; the resolve job decides the rest.
var BranchFilters = []string{"*", "!*-*", "!*_*", "!*.*", "!*[A-Z]*"}

// File is one generated file.
type File struct {
	Path string // relative to the repository root, slash-separated
	Data []byte
}

var projectName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Generate renders the workflows for the graph g.
func Generate(g *graph.Graph) ([]File, error) {
	if g.Len() == 0 {
		return nil, errors.New("workflow: the project graph is empty")
	}
	var missing []string
	for _, p := range g.Nodes() {
		if !projectName.MatchString(p) {
			return nil, fmt.Errorf("workflow: project name %q cannot name a job (use lowercase letters, digits and '-')", p)
		}
		if _, ok := Credentials[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("workflow: no credentials declared for project(s) %s: add them to workflow.Credentials (internal/ci/workflow/workflow.go)", strings.Join(missing, ", "))
	}
	return []File{
		{Path: InfraFile, Data: infra(g)},
		{Path: DriftFile, Data: drift()},
	}, nil
}

// Write writes the files under root.
func Write(root string, files []File) error {
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
	}
	return nil
}

// Stale returns the paths of files whose content under root differs from
// the generated one (or that are missing).
func Stale(root string, files []File) ([]string, error) {
	var stale []string
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			stale = append(stale, f.Path+" (missing)")
		case err != nil:
			return nil, fmt.Errorf("workflow: %w", err)
		case !bytes.Equal(data, f.Data):
			stale = append(stale, f.Path)
		}
	}
	return stale, nil
}

// JobID returns the ID of a project's deploy job.
func JobID(project string) string { return "deploy-" + project }

// header starts every generated file.
const header = `# Code generated by ` + "`go run mage.go ci:workflow`" + ` (internal/ci/workflow) from the project
# graph; DO NOT EDIT. Regenerate it after adding a project or changing its
# upstreams; a test fails while this file differs from the generator's output.
# How it works: docs/ci.md.
`

// w builds YAML text line by line.
type w struct{ b strings.Builder }

func (w *w) line(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *w) blank() { w.b.WriteByte('\n') }

// block writes a literal block scalar (key: |) with its lines indented.
func (w *w) block(indent int, key, text string) {
	w.line(indent, "%s: |", key)
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if l == "" {
			w.b.WriteByte('\n')
			continue
		}
		w.line(indent+1, "%s", l)
	}
}

func (w *w) bytes() []byte { return []byte(w.b.String()) }

// secretsEnv writes the env entries passing secrets to the tools.
func (w *w) secretsEnv(indent int, names []string) {
	for _, s := range names {
		w.line(indent, "%s: ${{ secrets.%s }}", s, s)
	}
}

// setup writes the steps every engine job starts with: checkout, Go from
// go.work (its toolchain line) with the module and build caches, the
// cached Pulumi CLI, and bin/infra.
func (w *w) setup(indent int, fetchAll bool, ref string) {
	w.line(indent, "- name: Check out")
	w.line(indent+1, "uses: %s", actionCheckout)
	w.line(indent+1, "with:")
	w.line(indent+2, "persist-credentials: false")
	if fetchAll {
		w.line(indent+2, "fetch-depth: 0 # the affected projects are computed from git history")
	}
	if ref != "" {
		w.line(indent+2, "ref: %s", ref)
	}
	w.line(indent, "- name: Set up Go (the toolchain of go.work)")
	w.line(indent+1, "uses: %s", actionSetupGo)
	w.line(indent+1, "with:")
	w.line(indent+2, "go-version-file: go.work")
	w.line(indent+2, "cache: true")
	w.block(indent+2, "cache-dependency-path", "go.work.sum\n**/go.sum")
}

func (w *w) pulumiCLI(indent int) {
	w.line(indent, "- name: Cache the Pulumi CLI (bin/pulumi, about 5 minutes to build cold)")
	w.line(indent+1, "uses: %s", actionCache)
	w.line(indent+1, "with:")
	w.line(indent+2, "path: bin/pulumi")
	w.line(indent+2, "key: pulumi-cli-${{ runner.os }}-${{ hashFiles('tools/pulumicli/go.mod', 'tools/pulumicli/go.sum', 'internal/engine/pulumicli/pulumicli.go') }}")
	w.line(indent, "- name: Build the orchestrator and find or build the Pulumi CLI")
	w.block(indent+1, "run", "go build -o bin/infra ./cmd/infra\nbin/infra cli")
}

func infra(g *graph.Graph) []byte {
	order := g.TopoSort()
	var y w
	y.b.WriteString(header)
	y.line(0, "name: infra")
	y.blank()
	y.line(0, "on:")
	for _, ev := range []string{"push", "pull_request"} {
		y.line(1, "%s:", ev)
		y.line(2, "# Branches without '/', '-', '_', '.' or capitals: the long-lived")
		y.line(2, "# branches and personal environments. The resolve job decides whether")
		y.line(2, "# the branch has a stack (environments/<name>.yaml).")
		y.line(2, "branches:")
		for _, f := range BranchFilters {
			y.line(3, "- %q", f)
		}
	}
	y.line(1, "# Deploys every project of the branch's stack, not only the affected ones.")
	y.line(1, "workflow_dispatch:")
	y.blank()
	y.line(0, "permissions:")
	y.line(1, "contents: read")
	y.blank()
	y.line(0, "# One run per branch (= per stack) at a time; a pull request's newer")
	y.line(0, "# commit cancels its running preview, a deploy is never cancelled.")
	y.line(0, "concurrency:")
	y.line(1, "group: infra-${{ github.event_name == 'pull_request' && format('pr-{0}', github.event.pull_request.number) || github.ref_name }}")
	y.line(1, "cancel-in-progress: ${{ github.event_name == 'pull_request' }}")
	y.blank()
	y.line(0, "jobs:")

	// resolve
	y.line(1, "resolve:")
	y.line(2, "name: resolve stack and projects")
	y.line(2, "runs-on: %s", Runner)
	y.line(2, "timeout-minutes: 30")
	y.line(2, "permissions:")
	y.line(3, "contents: read")
	y.line(3, "actions: read # gh run list: the last successful deploy of the branch")
	y.line(2, "outputs:")
	for _, o := range OutputKeys {
		y.line(3, "%s: ${{ steps.resolve.outputs.%s }}", o, o)
	}
	y.line(2, "steps:")
	y.setup(3, true, "")
	y.line(3, "- name: Build the orchestrator")
	y.line(4, "run: go build -o bin/infra ./cmd/infra")
	y.line(3, "- name: Map the branch to its stack and select the affected projects")
	y.line(4, "id: resolve")
	y.line(4, "env:")
	y.line(5, "EVENT: ${{ github.event_name }}")
	y.line(5, "# A pull request previews the stack of the branch it merges into.")
	y.line(5, "BRANCH: ${{ github.event_name == 'pull_request' && github.base_ref || github.ref_name }}")
	y.line(5, "GH_TOKEN: ${{ github.token }}")
	y.line(5, "GH_REPO: ${{ github.repository }}")
	y.block(4, "run", fmt.Sprintf(`# pull_request: the projects the pull request changes (plus dependents).
# push: the projects changed since the last successful deploy of this
# branch, so a failed or cancelled run is retried by the next push; the
# first push of a branch deploys every project. workflow_dispatch: every
# project.
case "$EVENT" in
  pull_request) base="origin/$BRANCH" ;;
  push) base=$(gh run list --workflow %s --branch "$BRANCH" --event push --status success --limit 1 --json headSha --jq '.[0].headSha // ""') ;;
  *) base="" ;;
esac
bin/infra branch-stack -branch "$BRANCH" -base "$base" >> "$GITHUB_OUTPUT"`, filepath.Base(InfraFile)))
	y.blank()

	// preview (pull requests)
	y.line(1, "preview:")
	y.line(2, "name: preview (policy pack)")
	y.line(2, "needs: resolve")
	y.line(2, "if: >-")
	y.line(3, "github.event_name == 'pull_request'")
	y.line(3, "&& needs.resolve.outputs.stack != ''")
	y.line(3, "&& needs.resolve.outputs.projects != '[]'")
	y.line(2, "runs-on: %s", Runner)
	y.line(2, "timeout-minutes: 60")
	y.line(2, "permissions:")
	y.line(3, "contents: read")
	y.line(3, "pull-requests: write # the summary comment")
	y.line(2, "environment: ${{ needs.resolve.outputs.preview-environment }}")
	y.line(2, "env:")
	y.line(3, "STACK: ${{ needs.resolve.outputs.stack }}")
	y.line(3, "BASE_REF: ${{ github.base_ref }}")
	y.secretsEnv(3, AllSecrets)
	y.line(2, "steps:")
	y.setup(3, true, "")
	y.pulumiCLI(3)
	y.line(3, "- name: Preview the affected projects (exit 2 = changes pending, not a failure)")
	y.block(4, "run", `set +e
bin/infra preview -env "$STACK" -affected "origin/$BASE_REF"
code=$?
set -e
# The orchestrator wrote the Markdown summary to $GITHUB_STEP_SUMMARY; keep
# a copy for the pull request comment.
cp "$GITHUB_STEP_SUMMARY" preview-summary.md || true
if [ "$code" -eq 2 ]; then
  echo "changes pending in $STACK (exit 2): see the summary"
  exit 0
fi
exit "$code"`)
	y.line(3, "- name: Comment the summary on the pull request")
	y.line(4, "# Pull requests from forks get a read-only token: no comment there.")
	y.line(4, "if: >-")
	y.line(5, "always()")
	y.line(5, "&& github.event.pull_request.head.repo.full_name == github.repository")
	y.line(5, "&& hashFiles('preview-summary.md') != ''")
	y.line(4, "env:")
	y.line(5, "GH_TOKEN: ${{ github.token }}")
	y.line(5, "PR: ${{ github.event.pull_request.number }}")
	y.line(4, "run: gh pr comment \"$PR\" --edit-last --create-if-none --body-file preview-summary.md")
	y.blank()

	// deploy, one job per project
	for _, p := range order {
		ancestors := inOrder(order, g.Ancestors(p))
		y.line(1, "%s:", JobID(p))
		y.line(2, "name: deploy %s", p)
		needs := []string{"resolve"}
		for _, a := range ancestors {
			needs = append(needs, JobID(a))
		}
		y.line(2, "needs: [%s]", strings.Join(needs, ", "))
		if len(ancestors) > 0 {
			ups := g.Upstreams(p)
			y.line(2, "# Runs after its upstreams (%s). It also needs every", strings.Join(ups, ", "))
			y.line(2, "# transitive upstream, to stop when any of them failed: a skipped")
			y.line(2, "# upstream (not affected) does not stop it.")
		}
		y.line(2, "if: >-")
		y.line(3, "!cancelled()")
		y.line(3, "&& github.event_name != 'pull_request'")
		y.line(3, "&& needs.resolve.outputs.deploy == 'true'")
		y.line(3, "&& contains(fromJSON(needs.resolve.outputs.projects), '%s')", p)
		for _, a := range ancestors {
			y.line(3, "&& needs.%s.result != 'failure'", JobID(a))
			y.line(3, "&& needs.%s.result != 'cancelled'", JobID(a))
		}
		y.line(2, "runs-on: %s", Runner)
		y.line(2, "timeout-minutes: 60")
		y.line(2, "environment: ${{ needs.resolve.outputs.environment }}")
		y.line(2, "env:")
		y.line(3, "STACK: ${{ needs.resolve.outputs.stack }}")
		y.secretsEnv(3, append(append([]string(nil), StateSecrets...), Credentials[p]...))
		y.line(2, "steps:")
		y.setup(3, false, "")
		y.pulumiCLI(3)
		y.line(3, "- name: Deploy %s", p)
		y.line(4, "run: bin/infra deploy -env \"$STACK\" -project %s", p)
		y.blank()
	}

	// summary
	y.line(1, "summary:")
	y.line(2, "name: deploy summary")
	needs := []string{"resolve"}
	for _, p := range order {
		needs = append(needs, JobID(p))
	}
	y.line(2, "needs: [%s]", strings.Join(needs, ", "))
	y.line(2, "if: always() && github.event_name != 'pull_request' && needs.resolve.outputs.deploy == 'true'")
	y.line(2, "runs-on: %s", Runner)
	y.line(2, "timeout-minutes: 5")
	y.line(2, "steps:")
	y.line(3, "- name: Summarize the project jobs (fails when one failed or was cancelled)")
	y.line(4, "env:")
	y.line(5, "STACK: ${{ needs.resolve.outputs.stack }}")
	for _, p := range order {
		y.line(5, "%s: ${{ needs.%s.result }}", resultVar(p), JobID(p))
	}
	var sb strings.Builder
	sb.WriteString("failed=0\n{\n  echo \"### deploy of stack \\`$STACK\\`\"\n  echo\n  echo \"| project | job |\"\n  echo \"|---|---|\"\n")
	for _, p := range order {
		fmt.Fprintf(&sb, "  echo \"| %s | $%s |\"\n", p, resultVar(p))
	}
	sb.WriteString("} >> \"$GITHUB_STEP_SUMMARY\"\nfor result in")
	for _, p := range order {
		fmt.Fprintf(&sb, " \"$%s\"", resultVar(p))
	}
	sb.WriteString("; do\n  case \"$result\" in failure|cancelled) failed=1 ;; esac\ndone\nexit \"$failed\"")
	y.block(4, "run", sb.String())
	return y.bytes()
}

// resultVar names the environment variable holding a project job's result.
func resultVar(p string) string {
	return "RESULT_" + strings.ToUpper(strings.ReplaceAll(p, "-", "_"))
}

// inOrder returns the members of set in the order of order.
func inOrder(order, set []string) []string {
	in := map[string]bool{}
	for _, s := range set {
		in[s] = true
	}
	out := []string{}
	for _, o := range order {
		if in[o] {
			out = append(out, o)
		}
	}
	return out
}

func drift() []byte {
	var y w
	y.b.WriteString(header)
	y.line(0, "name: drift")
	y.blank()
	y.line(0, "on:")
	y.line(1, "schedule:")
	y.line(2, "- cron: %q # UTC", DriftCron)
	y.line(1, "workflow_dispatch:")
	y.blank()
	y.line(0, "permissions:")
	y.line(1, "contents: read")
	y.blank()
	y.line(0, "jobs:")
	y.line(1, "drift:")
	y.line(2, "name: drift ${{ matrix.stack }}")
	y.line(2, "strategy:")
	y.line(3, "fail-fast: false")
	y.line(3, "matrix:")
	y.line(4, "include:")
	for _, s := range DriftStacks {
		y.line(5, "- stack: %s", s.Stack)
		y.line(6, "branch: %s", s.Branch)
		y.line(6, "environment: %s", PreviewEnvironment(s.Stack))
	}
	y.line(2, "concurrency:")
	y.line(3, "group: drift-${{ matrix.stack }}")
	y.line(3, "cancel-in-progress: false")
	y.line(2, "runs-on: %s", Runner)
	y.line(2, "timeout-minutes: 60")
	y.line(2, "environment: ${{ matrix.environment }}")
	y.line(2, "env:")
	y.line(3, "STACK: ${{ matrix.stack }}")
	y.secretsEnv(3, AllSecrets)
	y.line(2, "steps:")
	y.setup(3, false, "${{ matrix.branch }} # the code the stack is deployed from")
	y.pulumiCLI(3)
	y.line(3, "- name: Detect drift (exit 2 = drift, which fails the job)")
	y.line(4, "run: bin/infra drift -env \"$STACK\"")
	return y.bytes()
}
