// Package workflow generates the GitHub Actions workflows of the repository
// from the project dependency graph (internal/offline/projects.Graph), so CI and the
// orchestrator never disagree about which projects exist and in which order
// they deploy (docs/ci.md, docs/decisions/0070-generated-workflow.md).
//
// Two files are generated under .github/workflows/:
//
//   - infra.yml: a resolve job maps the branch to its stack at run time
//     (`infra branch-stack`) while a checks job runs the linters, the unit
//     tests and the race detector; on a push, one job per project deploys
//     it, in graph order (needs: = its upstreams), gated on the checks, the
//     affected list and, for prod, one approval for the whole rollout; on a
//     pull request one job previews the affected projects with the policy
//     pack and comments the summary on the pull request.
//   - drift.yml: every night, drift detection on staging and prod.
//
// The workflows are typed values (Workflow, Job, Step, Map; yaml.go)
// marshalled with goccy/go-yaml, byte-for-byte deterministic; a test fails
// when the committed files differ from what Generate produces.
package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/gobuild"
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

// Actions pinned by full commit SHA (the version in the comment is for
// people).
var (
	actionCheckout = &Action{Repo: "actions/checkout", SHA: "3d3c42e5aac5ba805825da76410c181273ba90b1", Version: "v7.0.1"}
	actionSetupGo  = &Action{Repo: "actions/setup-go", SHA: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", Version: "v7.0.0"}
	actionCache    = &Action{Repo: "actions/cache", SHA: "27d5ce7f107fe9357f9df03efb73ab90386fccae", Version: "v5.0.5"}
)

// Runner is the runner image every job uses: pinned, not ubuntu-latest, so
// an image change is a reviewed change.
const Runner = "ubuntu-24.04"

// Secret names the GitHub Environment secrets hold. Each job passes a
// secret to the tools as the environment variable of the same name. The
// cloud credentials are the ones the project registry hands out
// (shared/contracts, Credential*).
const (
	SecretBackendURL      = "PULUMI_BACKEND_URL"
	SecretAccessKeyID     = contracts.CredentialR2AccessKeyID
	SecretSecretAccessKey = contracts.CredentialR2SecretAccessKey
	SecretPassphrase      = "PULUMI_CONFIG_PASSPHRASE"
	SecretCloudflare      = contracts.CredentialCloudflare
	SecretAiven           = contracts.CredentialAiven
	SecretGCP             = contracts.CredentialGCP
)

// StateSecrets are the secrets every job that runs the engine needs: the R2
// state backend and the passphrase that encrypts stack secrets.
var StateSecrets = []string{SecretBackendURL, SecretAccessKeyID, SecretSecretAccessKey, SecretPassphrase}

// ArtifactSecrets are the credentials of the artifact store: the
// cloudflare-workers program fetches the Worker bundles from an R2 bucket
// through its S3 API with the same R2 keys as the state backend. They are
// listed in that project's registry entry on their own, so its jobs keep
// them if the state ever moves away from R2.
var ArtifactSecrets = []string{SecretAccessKeyID, SecretSecretAccessKey}

// Credentials lists, per project, the cloud credentials its deploy job gets
// besides StateSecrets (least privilege: the dns job never sees the Aiven
// token), from each project's entry in the registry
// (shared/contracts/registry.go). Generate fails naming a project of the
// graph without an entry.
var Credentials = registryCredentials()

func registryCredentials() map[string][]string {
	out := map[string][]string{}
	for _, e := range contracts.Registry() {
		out[e.Name()] = e.Credentials
	}
	return out
}

// AllSecrets lists every secret, in the order jobs pass them.
var AllSecrets = []string{SecretBackendURL, SecretAccessKeyID, SecretSecretAccessKey, SecretPassphrase,
	SecretCloudflare, SecretAiven, SecretGCP}

// ProjectSecrets returns the secrets a project's deploy job passes to the
// orchestrator, in the order of AllSecrets: StateSecrets and the project's
// Credentials.
func ProjectSecrets(project string) []string {
	var out []string
	for _, s := range AllSecrets {
		if slices.Contains(StateSecrets, s) || slices.Contains(Credentials[project], s) {
			out = append(out, s)
		}
	}
	return out
}

// The GitHub Environments of prod. A prod rollout waits for one approval of
// ApprovalEnvironmentProd (required reviewers, main only, no secrets), in
// one job every prod deploy job needs; the deploy jobs then take the
// secrets from DeployEnvironmentProd (no reviewers, main only), so GitHub
// does not ask again for every wave of the graph (ADR 0070).
const (
	ApprovalEnvironmentProd = "production"
	DeployEnvironmentProd   = "production-deploy"
)

// DeployEnvironment returns the GitHub Environment whose secrets the deploy
// jobs of a stack use: DeployEnvironmentProd for prod, otherwise the
// environment of branch.GitHubEnvironment.
func DeployEnvironment(stack string) string {
	if stack == environment.NameProd {
		return DeployEnvironmentProd
	}
	return branch.GitHubEnvironment(stack)
}

// ApprovalEnvironment returns the GitHub Environment a rollout of the stack
// waits on, once for all its projects, before any deploy job starts; "" for
// a stack that deploys without approval.
func ApprovalEnvironment(stack string) string {
	if stack == environment.NameProd {
		return ApprovalEnvironmentProd
	}
	return ""
}

// PreviewEnvironment returns the GitHub Environment whose secrets previews
// and drift checks of a stack use. Production deploys wait for the approval
// of "production" and are limited to the main branch; previews of prod (pull
// requests into main) and the nightly drift check must run unattended, so
// they use "production-preview", which holds read-only credentials. Every
// other stack previews with the environment it deploys with.
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

// RacePackages are the orchestrator's packages with concurrency, which the
// checks job tests with the race detector: the same list as racePackages
// in magefile.go (a test keeps the two equal).
var RacePackages = []string{
	"./internal/engine/walk/", "./internal/engine/runner/", "./internal/engine/orchestrate/", "./internal/engine/lock/", "./internal/engine/progress/",
	"./internal/engine/report/", "./internal/engine/session/", "./shared/stackrun/", "./shared/pulumicmd/", "./shared/procid/",
	"./shared/redact/",
}

// CompilesCloudflareSDK reports whether a project links the Cloudflare
// provider SDK (every project with the Cloudflare credential does; a test
// checks it against the projects' go.mod). Its single package peaks at
// 16 GB to compile with Go's default settings (docs/ci.md), more than a
// GitHub runner has, so every job that builds such a project compiles it
// first, alone, with compileSDKStep.
func CompilesCloudflareSDK(project string) bool {
	return slices.Contains(Credentials[project], SecretCloudflare)
}

// SDKSwap is the swap file the SDK compile gets on top of the runner's own
// (about 4 GB): the compile peaks at about 12 GB with gobuild.Env, and a
// standard runner has about 7 GB of memory (docs/ci.md, "Memory").
const SDKSwap = "8G"

// compileSDKSteps add swap, then compile the Cloudflare SDK alone with the
// low-memory settings of internal/gobuild (the ones the orchestrator's
// project build and `go run mage.go lint` use), so the job's later builds
// find it in the build cache. Both are quick once the cache holds the SDK.
func compileSDKSteps() []*Step {
	env := Map{}
	for _, kv := range gobuild.Env {
		k, v, _ := strings.Cut(kv, "=")
		env = append(env, Entry{Key: k, Value: v})
	}
	return []*Step{
		{
			Name:    "Add " + SDKSwap + " of swap for the Cloudflare SDK compile",
			Comment: "The SDK compile peaks at about 12 GB, more than the runner's memory and swap (docs/ci.md, \"Memory\").",
			Run: lines(
				"if ! swapon --show=NAME --noheadings | grep -qx /mnt/infra-swap; then",
				"  sudo fallocate -l "+SDKSwap+" /mnt/infra-swap",
				"  sudo chmod 600 /mnt/infra-swap",
				"  sudo mkswap /mnt/infra-swap >/dev/null",
				"  sudo swapon /mnt/infra-swap",
				"fi",
				"free -h",
			),
		},
		{
			Name:    "Compile the Cloudflare SDK alone, in low memory",
			Comment: "One huge package: a cache hit once the build cache of this module set holds it.",
			Env:     env,
			Run:     "go build " + gobuild.Package,
		},
	}
}

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
		creds, ok := Credentials[p]
		if !ok {
			missing = append(missing, p)
		}
		for _, c := range creds {
			if !slices.Contains(AllSecrets, c) {
				return nil, fmt.Errorf("workflow: project %s gets credential %q, which is not one of workflow.AllSecrets; fix its entry in shared/contracts/registry.go", p, c)
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("workflow: project(s) %s of the graph have no entry in the project registry: add one to shared/contracts/registry.go (docs/runbooks/add-project.md)", strings.Join(missing, ", "))
	}
	infra, err := Infra(g).Marshal(header)
	if err != nil {
		return nil, err
	}
	drift, err := Drift(g).Marshal(header)
	if err != nil {
		return nil, err
	}
	return []File{
		{Path: InfraFile, Data: infra},
		{Path: DriftFile, Data: drift},
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

// header starts every generated file.
const header = `# Code generated by ` + "`go run mage.go ci:workflow`" + ` (internal/ci/workflow) from the project
# graph; DO NOT EDIT. Regenerate it after adding a project or changing its
# upstreams; a test fails while this file differs from the generator's output.
# How it works: docs/ci.md.
`
