package workflow

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/clustera/infra/internal/graph"
)

// The IDs of the jobs of infra.yml besides the per-project deploy jobs.
const (
	ResolveJobID = "resolve"
	ChecksJobID  = "checks"
	PreviewJobID = "preview"
	ApproveJobID = "approve"
	SummaryJobID = "summary"
)

// JobID returns the ID of a project's deploy job.
func JobID(project string) string { return "deploy-" + project }

// ProjectModules returns the modules a project's deploy job compiles:
// the root module and shared (bin/infra), policies (the policy pack the
// engine runs) and the project's own module.
func ProjectModules(project string) []string {
	return []string{".", "shared", "policies", "projects/" + project}
}

// OrchestratorModules are the modules bin/infra is built from: it links no
// project.
var OrchestratorModules = []string{".", "shared"}

// everyModule is the cache key of the jobs that build every module (the
// checks, previews, drift): the workspace's checksums and every go.mod and
// go.sum, the same key for all of them, so the checks job fills the cache
// the preview of the same run restores.
var everyModule = []string{"go.work.sum", "**/go.mod", "**/go.sum"}

// CacheKeyFiles returns the files setup-go keys a job's module and build
// cache on for the given modules: go.work.sum and each module's go.mod
// (which names the module, so two projects with equal go.sum files still
// get caches of their own) and go.sum. A job's first compile is therefore
// cold once per change of the dependencies it builds, not once per change
// of any module's.
func CacheKeyFiles(modules []string) []string {
	out := []string{"go.work.sum"}
	for _, m := range modules {
		prefix := m + "/"
		if m == "." {
			prefix = ""
		}
		out = append(out, prefix+"go.mod", prefix+"go.sum")
	}
	return out
}

// Steps shared by the jobs.

func checkout(fetchAll bool) *Step {
	with := Map{{Key: "persist-credentials", Value: false}}
	if fetchAll {
		with = append(with, Entry{Key: "fetch-depth", Value: 0, Comment: "the affected projects are computed from git history"})
	}
	return &Step{Name: "Check out", Uses: actionCheckout, With: with}
}

// setupGo installs the Go of go.work (its toolchain line) with setup-go's
// module and build cache, keyed on keyFiles.
func setupGo(keyFiles []string) *Step {
	return &Step{
		Name: "Set up Go (the toolchain of go.work), caches keyed on the modules this job builds",
		Uses: actionSetupGo,
		With: Map{
			{Key: "go-version-file", Value: "go.work"},
			{Key: "cache", Value: true},
			{Key: "cache-dependency-path", Value: lines(keyFiles...)},
		},
	}
}

// pulumiCLI restores bin/pulumi and builds the orchestrator, which builds
// the CLI on a cache miss.
func pulumiCLI() []*Step {
	return []*Step{
		{
			Name: "Cache the Pulumi CLI (bin/pulumi, about 5 minutes to build cold)",
			Uses: actionCache,
			With: Map{
				{Key: "path", Value: "bin/pulumi"},
				{Key: "key", Value: "pulumi-cli-${{ runner.os }}-${{ hashFiles('tools/pulumicli/go.mod', 'tools/pulumicli/go.sum', 'internal/engine/pulumicli/pulumicli.go') }}"},
			},
		},
		{Name: "Build the orchestrator and find or build the Pulumi CLI", Run: lines("go build -o bin/infra ./cmd/infra", "bin/infra cli")},
	}
}

// secretsEnv passes secrets to a step as environment variables of the same
// name. Only the step that runs the orchestrator gets them: checkout,
// setup-go and the caches never see a secret.
func secretsEnv(names []string) Map {
	var m Map
	for _, s := range names {
		m = append(m, Entry{Key: s, Value: "${{ secrets." + s + " }}"})
	}
	return m
}

// bashDefaults runs every script with bash -eo pipefail (GitHub's
// shell: bash), so a failing command on the left of a pipe fails the step;
// without a shell, GitHub runs bash -e, which ignores it.
var bashDefaults = &Defaults{Run: RunDefaults{Shell: "bash"}}

const bashComment = "Scripts run with bash -eo pipefail: a failure anywhere in a pipeline fails the step."

// lines joins lines into a multi-line string (a literal block in YAML).
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// condition joins the terms of an if: with &&, one per line.
func condition(terms ...string) string { return strings.Join(terms, "\n&& ") }

// Infra builds infra.yml for the graph g.
func Infra(g *graph.Graph) *Workflow {
	order := g.TopoSort()
	filter := &BranchFilter{Branches: BranchFilters}
	w := &Workflow{
		Name: "infra",
		On: Triggers{
			Push:             filter,
			PullRequest:      filter,
			WorkflowDispatch: &struct{}{},
		},
		Permissions: Map{{Key: "contents", Value: "read"}},
		Concurrency: &Concurrency{
			Group:            "infra-${{ github.event_name == 'pull_request' && format('pr-{0}', github.event.pull_request.number) || github.ref_name }}",
			CancelInProgress: "${{ github.event_name == 'pull_request' }}",
		},
		Defaults: bashDefaults,
		Comments: map[string]string{
			"defaults":             bashComment,
			"on.push":              "Branches without '/', '-', '_', '.' or capitals: the long-lived\nbranches and personal environments. The resolve job decides whether\nthe branch has a stack (environments/<name>.yaml).",
			"on.pull_request":      "The same branches, as the target of the pull request.",
			"on.workflow_dispatch": "Deploys every project of the branch's stack, not only the affected ones.",
			"concurrency":          "One run per branch (= per stack) at a time; a pull request's newer\ncommit cancels its running preview, a deploy is never cancelled.",
		},
	}
	w.Jobs = append(w.Jobs, resolveJob(), checksJob(), previewJob(), approveJob())
	for _, p := range order {
		w.Jobs = append(w.Jobs, deployJob(g, order, p))
	}
	w.Jobs = append(w.Jobs, summaryJob(order))
	return w
}

func resolveJob() *Job {
	outputs := Map{}
	for _, o := range OutputKeys {
		outputs = append(outputs, Entry{Key: o, Value: "${{ steps.resolve.outputs." + o + " }}"})
	}
	return &Job{
		ID:             ResolveJobID,
		Name:           "resolve stack and projects",
		RunsOn:         Runner,
		TimeoutMinutes: 30,
		Permissions: Map{
			{Key: "contents", Value: "read"},
			{Key: "actions", Value: "read", Comment: "gh run list: the last successful deploy of the branch"},
		},
		Outputs: outputs,
		Steps: []*Step{
			checkout(true),
			setupGo(CacheKeyFiles(OrchestratorModules)),
			{Name: "Build the orchestrator", Run: "go build -o bin/infra ./cmd/infra"},
			{
				Name: "Map the branch to its stack and select the affected projects",
				ID:   "resolve",
				Env: Map{
					{Key: "EVENT", Value: "${{ github.event_name }}"},
					{Key: "BRANCH", Value: "${{ github.event_name == 'pull_request' && github.base_ref || github.ref_name }}",
						Head: "A pull request previews the stack of the branch it merges into."},
					{Key: "GH_TOKEN", Value: "${{ github.token }}"},
					{Key: "GH_REPO", Value: "${{ github.repository }}"},
				},
				Run: lines(
					"# pull_request: the projects the pull request changes (plus dependents).",
					"# push: the projects changed since the last successful deploy of this",
					"# branch, so a failed or cancelled run is retried by the next push; the",
					"# first push of a branch deploys every project. workflow_dispatch: every",
					"# project.",
					`case "$EVENT" in`,
					`  pull_request) base="origin/$BRANCH" ;;`,
					fmt.Sprintf(`  push) base=$(gh run list --workflow %s --branch "$BRANCH" --event push --status success --limit 1 --json headSha --jq '.[0].headSha // ""') ;;`, filepath.Base(InfraFile)),
					`  *) base="" ;;`,
					`esac`,
					`bin/infra branch-stack -branch "$BRANCH" -base "$base" >> "$GITHUB_OUTPUT"`,
				),
			},
		},
	}
}

// UnitTestCommand runs the unit tests of every module of the workspace but
// ./e2e, which needs the engine (the Pulumi CLI); -short skips the other
// tests that would run the engine when a CLI happens to be installed.
const UnitTestCommand = "go list github.com/clustera/infra/... | grep -v '^github.com/clustera/infra/e2e$' | xargs go test -short -count=1 -timeout 60m"

// RaceTestCommand runs the race detector over RacePackages, as
// `go run mage.go test` does after the other tests.
func RaceTestCommand() string {
	return "go test -race -count=1 -timeout 20m " + strings.Join(RacePackages, " ")
}

// checksJob gates every deploy and preview: the linters, the unit tests and
// the race detector. It needs no secret and no stack, so it runs in
// parallel with resolve. It compiles every module, the Cloudflare SDK
// among them, so it compiles the SDK first (compileSDKStep).
func checksJob() *Job {
	return &Job{
		ID:             ChecksJobID,
		Name:           "lint, unit tests, race detector",
		RunsOn:         Runner,
		TimeoutMinutes: 120,
		Comment:        "Every deploy and preview job needs this job to succeed.",
		Steps: append(append([]*Step{checkout(false), setupGo(everyModule)}, compileSDKSteps()...),
			&Step{Name: "Lint (gofmt, go vet, staticcheck, actionlint)", Run: "go run mage.go lint"},
			&Step{Name: "Unit tests (every module but ./e2e, which needs the engine)", Run: UnitTestCommand},
			&Step{Name: "Race detector on the concurrent orchestrator packages", Run: RaceTestCommand()},
		),
	}
}

// buildEnv is the job environment of a job that compiles projects: STACK
// and extra.
func buildEnv(stack string, extra ...Entry) Map {
	return append(Map{{Key: "STACK", Value: stack}}, extra...)
}

// buildSteps are the first steps of a job that builds projects: checkout,
// Go with the build cache of its modules, the SDK compile when one of them
// links the Cloudflare SDK, and the Pulumi CLI.
func buildSteps(co *Step, cacheKey []string, cloudflare bool) []*Step {
	steps := []*Step{co, setupGo(cacheKey)}
	if cloudflare {
		steps = append(steps, compileSDKSteps()...)
	}
	return append(steps, pulumiCLI()...)
}

func previewJob() *Job {
	return &Job{
		ID:   PreviewJobID,
		Name: "preview (policy pack)",
		// The implicit success(): resolve and the checks passed.
		Needs: []string{ResolveJobID, ChecksJobID},
		If: condition(
			"github.event_name == 'pull_request'",
			"needs.resolve.outputs.stack != ''",
			"needs.resolve.outputs.projects != '[]'",
		),
		RunsOn:         Runner,
		TimeoutMinutes: 90,
		Permissions: Map{
			{Key: "contents", Value: "read"},
			{Key: "pull-requests", Value: "write", Comment: "the summary comment"},
		},
		Environment: "${{ needs.resolve.outputs.preview-environment }}",
		Env:         buildEnv("${{ needs.resolve.outputs.stack }}", Entry{Key: "BASE_REF", Value: "${{ github.base_ref }}"}),
		Steps: append(buildSteps(checkout(true), everyModule, true),
			&Step{
				Name: "Preview the affected projects (exit 2 = changes pending, not a failure)",
				Env:  secretsEnv(AllSecrets),
				Run: lines(
					"set +e",
					`bin/infra preview -env "$STACK" -affected "origin/$BASE_REF"`,
					"code=$?",
					"set -e",
					"# The orchestrator wrote the Markdown summary to $GITHUB_STEP_SUMMARY; keep",
					"# a copy for the pull request comment.",
					`cp "$GITHUB_STEP_SUMMARY" preview-summary.md || true`,
					`if [ "$code" -eq 2 ]; then`,
					`  echo "changes pending in $STACK (exit 2): see the summary"`,
					"  exit 0",
					"fi",
					`exit "$code"`,
				),
			},
			&Step{
				Name:    "Comment the summary on the pull request",
				Comment: "Pull requests from forks get a read-only token: no comment there.",
				If: condition(
					"always()",
					"github.event.pull_request.head.repo.full_name == github.repository",
					"hashFiles('preview-summary.md') != ''",
				),
				Env: Map{
					{Key: "GH_TOKEN", Value: "${{ github.token }}"},
					{Key: "PR", Value: "${{ github.event.pull_request.number }}"},
				},
				Run: `gh pr comment "$PR" --edit-last --create-if-none --body-file preview-summary.md`,
			},
		),
	}
}

// approveJob is the one approval of a rollout that needs one (prod): bound
// to the approval environment (required reviewers), it waits until a
// reviewer approves, after the checks passed and before any deploy job
// starts. The deploy jobs use an environment without reviewers, so GitHub
// does not ask again per job.
func approveJob() *Job {
	return &Job{
		ID:    ApproveJobID,
		Name:  "approve the rollout (once for every project)",
		Needs: []string{ResolveJobID, ChecksJobID},
		If: condition(
			"github.event_name != 'pull_request'",
			"needs.resolve.outputs.deploy == 'true'",
			"needs.resolve.outputs.approval-environment != ''",
			"needs.resolve.outputs.projects != '[]'",
		),
		RunsOn:         Runner,
		TimeoutMinutes: 5,
		Comment: "One approval for the whole rollout of a protected stack (prod): the\n" +
			"reviewers of its approval environment approve this job once, and every\n" +
			"deploy job needs it; the deploy jobs' own environment has no reviewers.",
		Environment: "${{ needs.resolve.outputs.approval-environment }}",
		Env: Map{
			{Key: "STACK", Value: "${{ needs.resolve.outputs.stack }}"},
			{Key: "PROJECTS", Value: "${{ needs.resolve.outputs.projects }}"},
		},
		Steps: []*Step{{
			Name: "Record the approval",
			Run: lines(
				`echo "approved: deploy $PROJECTS to stack $STACK"`,
				"echo \"### approved: deploy of \\`$PROJECTS\\` to stack \\`$STACK\\`\" >> \"$GITHUB_STEP_SUMMARY\"",
			),
		}},
	}
}

func deployJob(g *graph.Graph, order []string, p string) *Job {
	ancestors := inOrder(order, g.Ancestors(p))
	needs := []string{ResolveJobID, ChecksJobID, ApproveJobID}
	for _, a := range ancestors {
		needs = append(needs, JobID(a))
	}
	terms := []string{
		"!cancelled()",
		"github.event_name != 'pull_request'",
		"needs.resolve.outputs.deploy == 'true'",
		fmt.Sprintf("contains(fromJSON(needs.resolve.outputs.projects), '%s')", p),
		"needs.checks.result == 'success'",
		"(needs.resolve.outputs.approval-environment == '' || needs.approve.result == 'success')",
	}
	for _, a := range ancestors {
		terms = append(terms,
			fmt.Sprintf("needs.%s.result != 'failure'", JobID(a)),
			fmt.Sprintf("needs.%s.result != 'cancelled'", JobID(a)))
	}
	comment := "Runs after the checks and, for a protected stack, the approval."
	if len(ancestors) > 0 {
		comment = fmt.Sprintf("Runs after the checks, the approval of a protected stack and its upstreams (%s). "+
			"It also needs every transitive upstream, to stop when any of them failed: "+
			"a skipped upstream (not affected) does not stop it.", strings.Join(g.Upstreams(p), ", "))
	}
	timeout := 60
	if CompilesCloudflareSDK(p) {
		timeout = 90 // a cold compile of the SDK in low memory
	}
	return &Job{
		ID:             JobID(p),
		Name:           "deploy " + p,
		Comment:        comment,
		Needs:          needs,
		If:             condition(terms...),
		RunsOn:         Runner,
		TimeoutMinutes: timeout,
		Environment:    "${{ needs.resolve.outputs.environment }}",
		Env:            buildEnv("${{ needs.resolve.outputs.stack }}"),
		Steps: append(buildSteps(checkout(false), CacheKeyFiles(ProjectModules(p)), CompilesCloudflareSDK(p)),
			&Step{
				Name: "Deploy " + p,
				Env:  secretsEnv(ProjectSecrets(p)),
				Run:  `bin/infra deploy -env "$STACK" -project ` + p,
			}),
	}
}

// summaryJob tabulates the results of the checks, the approval and every
// project job, and fails when one failed or was cancelled.
func summaryJob(order []string) *Job {
	type row struct{ name, job string }
	rows := []row{{"checks", ChecksJobID}, {"approval", ApproveJobID}}
	for _, p := range order {
		rows = append(rows, row{p, JobID(p)})
	}
	needs := []string{ResolveJobID}
	env := Map{{Key: "STACK", Value: "${{ needs.resolve.outputs.stack }}"}}
	script := []string{
		"failed=0",
		"{",
		"  echo \"### deploy of stack \\`$STACK\\`\"",
		"  echo",
		`  echo "| job | result |"`,
		`  echo "|---|---|"`,
	}
	var vars []string
	for _, r := range rows {
		needs = append(needs, r.job)
		v := resultVar(r.job)
		env = append(env, Entry{Key: v, Value: "${{ needs." + r.job + ".result }}"})
		script = append(script, fmt.Sprintf(`  echo "| %s | $%s |"`, r.name, v))
		vars = append(vars, `"$`+v+`"`)
	}
	script = append(script,
		`} >> "$GITHUB_STEP_SUMMARY"`,
		"for result in "+strings.Join(vars, " ")+"; do",
		`  case "$result" in failure|cancelled) failed=1 ;; esac`,
		"done",
		`exit "$failed"`,
	)
	return &Job{
		ID:             SummaryJobID,
		Name:           "deploy summary",
		Needs:          needs,
		If:             "always() && github.event_name != 'pull_request' && needs.resolve.outputs.deploy == 'true'",
		RunsOn:         Runner,
		TimeoutMinutes: 5,
		Steps: []*Step{{
			Name: "Summarize the jobs (fails when one failed or was cancelled)",
			Env:  env,
			Run:  lines(script...),
		}},
	}
}

// resultVar names the environment variable holding a job's result (job
// IDs are unique, so are the variables).
func resultVar(job string) string {
	return "RESULT_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
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
