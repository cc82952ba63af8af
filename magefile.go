//go:build mage

// Targets of the infrastructure monorepo. Environments: env=staging (or staging). Options: key=value, e.g. parallel=2, with=upstreams.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/clustera/infra/internal/cli/cliargs"
	"github.com/clustera/infra/internal/gobuild"
	"github.com/magefile/mage/mg"
)

// The targets are thin: the work runs in bin/infra (cmd/infra), which this
// file builds and then becomes (exec), so Ctrl-C goes straight to the
// orchestrator and it can cancel the engine cleanly (docs/decisions/0007-mage-front-door.md).
//
//	go run mage.go deploy:all env=staging parallel=2
//	go run mage.go deploy:project env=staging project=dns with=upstreams

// init checks the command line before mage parses it (internal/cli/cliargs):
// a missing or bad argument is one error that names it and shows a valid
// command, instead of mage's "not enough arguments for target". It also puts
// what people type (env=staging or staging, key=value options in any order)
// in the order mage wants: required values by position, then the options as
// -key=value. The targets and their parameters are read from this file, so
// a new target needs nothing more. Listing (-l) and help (-h) are left to
// mage, and so is everything when this file cannot be read (a compiled
// magefile run elsewhere).
func init() {
	for _, v := range []string{"MAGEFILE_LIST", "MAGEFILE_HELP"} {
		if on, _ := strconv.ParseBool(os.Getenv(v)); on {
			return
		}
	}
	targets, err := cliargs.FromMagefile("magefile.go")
	if err != nil {
		return
	}
	args, err := cliargs.Normalize(targets, os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	os.Args = append(os.Args[:1], args...)
}

// Deploy deploys projects (pulumi up) in dependency order.
type Deploy mg.Namespace

// Preview previews projects with the policy pack; exits 2 when changes are pending.
type Preview mg.Namespace

// Refresh refreshes state from the cloud.
type Refresh mg.Namespace

// Destroy destroys projects in reverse dependency order.
type Destroy mg.Namespace

// All deploys every project of an environment; parallel=N bounds concurrency.
func (Deploy) All(env string, parallel *int) error {
	return infra(append([]string{"deploy", "-env", envName(env)}, parallelArg(parallel)...)...)
}

// Project deploys one project (project=NAME) alone, or with=upstreams|dependents.
func (Deploy) Project(env, project string, with *string, parallel *int) error {
	return infra(projectArgs("deploy", env, project, with, parallel)...)
}

// Affected deploys the projects changed since base=REF, plus their dependents.
func (Deploy) Affected(env, base string, parallel *int) error {
	return infra(append([]string{"deploy", "-env", envName(env), "-affected", value(base, "base")}, parallelArg(parallel)...)...)
}

// All previews every project of an environment.
func (Preview) All(env string, parallel *int) error {
	return infra(append([]string{"preview", "-env", envName(env)}, parallelArg(parallel)...)...)
}

// Project previews one project (project=NAME) alone, or with=upstreams|dependents.
func (Preview) Project(env, project string, with *string, parallel *int) error {
	return infra(projectArgs("preview", env, project, with, parallel)...)
}

// Affected previews the projects changed since base=REF, plus their dependents.
func (Preview) Affected(env, base string, parallel *int) error {
	return infra(append([]string{"preview", "-env", envName(env), "-affected", value(base, "base")}, parallelArg(parallel)...)...)
}

// All refreshes every stack of an environment from the cloud.
func (Refresh) All(env string, parallel *int) error {
	return infra(append([]string{"refresh", "-env", envName(env)}, parallelArg(parallel)...)...)
}

// All destroys every project in reverse order; prod needs confirm=prod.
func (Destroy) All(env string, confirm *string, parallel *int) error {
	args := append([]string{"destroy", "-env", envName(env)}, parallelArg(parallel)...)
	if confirm != nil {
		args = append(args, "-confirm", *confirm)
	}
	return infra(args...)
}

// Project destroys one project (project=NAME), or with=dependents; prod needs confirm=prod.
func (Destroy) Project(env, project string, with *string, confirm *string) error {
	args := projectArgs("destroy", env, project, with, nil)
	if confirm != nil {
		args = append(args, "-confirm", *confirm)
	}
	return infra(args...)
}

// Outputs prints the stack outputs of every project (json=true for JSON).
func Outputs(env string, json *bool) error {
	args := []string{"outputs", "-env", envName(env)}
	if json != nil && *json {
		args = append(args, "-json")
	}
	return infra(args...)
}

// Drift compares the live cloud with the code; exits 2 and names what drifted.
func Drift(env string, parallel *int) error {
	return infra(append([]string{"drift", "-env", envName(env)}, parallelArg(parallel)...)...)
}

// Graph prints the project graph with its StackReferences (format=mermaid|dot).
func Graph(format *string) error {
	args := []string{"graph"}
	if format != nil {
		args = append(args, "-format", *format)
	}
	return infra(args...)
}

// Affected lists the projects changed since base=REF, plus their dependents.
func Affected(env, base string) error {
	return infra("affected", "-env", envName(env), "-base", value(base, "base"))
}

// Policy runs the policy pack's rules offline against every program under mocks (no CLI); exit 1 on a mandatory violation.
func Policy(env string) error { return infraCheck("policy", "-env", envName(env)) }

// Rehearse runs an environment's real configuration (names, policies, protections, imports) against the sandbox, with no credentials.
func Rehearse(env string) error { return infra("rehearse", "-env", envName(env)) }

// Sandbox serves the local sandbox in the foreground and prints the environment for a plain `pulumi up --stack local`.
func Sandbox() error { return infra("sandbox") }

// Env manages environments.
type Env mg.Namespace

// New creates a personal environment (name=juan1): its settings and every project's stack config.
func (Env) New(name string) error { return infra("env-new", "-name", value(name, "name")) }

// Import checks imports of existing resources.
type Import mg.Namespace

// Check proves that the stack config's import IDs match the live objects: the preview shows no changes besides imports.
func (Import) Check(env string) error { return infra("import-check", "-env", envName(env)) }

// Kafka holds Kafka day-2 operations.
type Kafka mg.Namespace

// Audit lists topics of the Aiven Kafka service that no stack manages, and managed topics that are missing (AIVEN_TOKEN).
func (Kafka) Audit(env string) error { return infraCheck("kafka-audit", "-env", envName(env)) }

// CI manages the generated GitHub Actions workflow.
type CI mg.Namespace

// Workflow regenerates .github/workflows from the project graph (check=true only verifies it is up to date).
func (CI) Workflow(check *bool) error {
	args := []string{"workflow"}
	if check != nil && *check {
		args = append(args, "-check")
	}
	return infra(args...)
}

// CLI builds the Pulumi CLI into bin/pulumi if no pulumi >= v3.259.0 is found, and prints its path.
func CLI() error { return infra("cli") }

// Lint checks formatting (gofmt), go vet, staticcheck and actionlint over every module.
func Lint() error {
	if out, err := exec.Command("gofmt", "-l", ".").Output(); err != nil {
		return fmt.Errorf("gofmt: %w", err)
	} else if s := strings.TrimSpace(string(out)); s != "" {
		return fmt.Errorf("gofmt would reformat:\n%s", s)
	}
	// go vet and staticcheck compile what they check: the Cloudflare SDK
	// first, alone, in low memory (internal/gobuild).
	if err := gobuild.CompileSDK(context.Background(), ".", os.Stdout); err != nil {
		return err
	}
	if err := run("go", "vet", modulePattern); err != nil {
		return err
	}
	staticcheck, err := buildTool("staticcheck", "honnef.co/go/tools/cmd/staticcheck")
	if err != nil {
		return err
	}
	if err := run(staticcheck, modulePattern); err != nil {
		return err
	}
	workflows, _ := filepath.Glob(".github/workflows/*.yml")
	if len(workflows) == 0 {
		return nil
	}
	actionlint, err := buildTool("actionlint", "github.com/rhysd/actionlint/cmd/actionlint")
	if err != nil {
		return err
	}
	return run(actionlint, workflows...)
}

// Test runs every test of every module, including the end-to-end tests
// through the real Pulumi engine (it builds the Pulumi CLI first if needed),
// after Lint.
func Test() error {
	mg.Deps(Lint)
	cli, err := pulumiCLI()
	if err != nil {
		return err
	}
	fmt.Printf("test: using %s\n", cli)
	marker, err := os.CreateTemp("", "e2e-ran-")
	if err != nil {
		return err
	}
	marker.Close()
	defer os.Remove(marker.Name())
	cmd := exec.Command("go", "test", "-count=1", "-timeout", "60m", modulePattern)
	cmd.Env = append(os.Environ(), "INFRA_PULUMI="+cli, "INFRA_E2E_MARKER="+marker.Name())
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	// The end-to-end suite writes what it ran into the marker: an empty
	// marker means it skipped itself, and the run must not pass for it.
	if ran, err := os.ReadFile(marker.Name()); err != nil || len(ran) == 0 {
		return fmt.Errorf("the end-to-end tests (./e2e) did not run: the main job was not tested through the engine")
	}
	fmt.Println("test: race detector on the concurrent orchestrator packages")
	race := exec.Command("go", append([]string{"test", "-race", "-count=1", "-timeout", "20m"}, racePackages...)...)
	race.Env = append(os.Environ(), "INFRA_PULUMI="+cli)
	race.Stdout, race.Stderr = os.Stdout, os.Stderr
	return race.Run()
}

// racePackages are the packages with concurrency: the walker, the process
// runner and its channel, the orchestrator, the locks, the progress board.
var racePackages = []string{
	"./internal/engine/walk/", "./internal/engine/runner/", "./internal/engine/orchestrate/", "./internal/engine/lock/", "./internal/engine/progress/",
	"./internal/engine/report/", "./internal/engine/session/", "./shared/stackrun/", "./shared/pulumicmd/", "./shared/procid/",
	"./shared/redact/",
}

// Bench measures the main job on the local environment through the real engine, side by side with the design before
// per-project processes: from empty, no-op, parallel=1, the edit loop (medians of 5 paired runs).
func Bench() error {
	cli, err := pulumiCLI()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "INFRA_PULUMI="+cli)
	// The previous design: the parent of the commit that split the projects
	// into processes (found by its subject, so it survives rebases).
	if out, err := exec.Command("git", "log", "--format=%H", "-1", "--grep", "^Run each project in its own process").Output(); err == nil {
		if rev := strings.TrimSpace(string(out)); rev != "" {
			env = append(env, "INFRA_BENCH_BASELINE="+rev+"^")
		}
	}
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "BenchmarkMainJob", "-benchtime", "5x", "-timeout", "90m", "./e2e")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// pulumiCLI finds or builds the Pulumi CLI through bin/infra and returns its path.
func pulumiCLI() (string, error) {
	bin, err := buildInfra()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "cli")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finding or building the Pulumi CLI: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// modulePattern matches the packages of every module of the workspace.
const modulePattern = "github.com/clustera/infra/..."

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	return nil
}

// buildTool builds a linter pinned by tools/lint into bin/.
func buildTool(name, pkg string) (string, error) {
	bin, err := filepath.Abs(filepath.Join("bin", name))
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = filepath.Join("tools", "lint")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %w", name, err)
	}
	return bin, nil
}

func envName(s string) string    { return value(s, "env") }
func value(s, key string) string { return strings.TrimPrefix(s, key+"=") }

func parallelArg(p *int) []string {
	if p == nil {
		return nil
	}
	return []string{"-parallel", strconv.Itoa(*p)}
}

func projectArgs(op, env, project string, with *string, parallel *int) []string {
	args := []string{op, "-env", envName(env), "-project", value(project, "project")}
	if with != nil {
		args = append(args, "-with", *with)
	}
	return append(args, parallelArg(parallel)...)
}

// infra builds bin/infra (a no-op when it is up to date) and replaces this
// process with it, passing the exit code through unchanged. bin/infra links
// no project: each project builds into bin/projects/<name> when an
// operation selects it.
func infra(args ...string) error { return execTool("infra", "the orchestrator", args) }

// infraCheck does the same with bin/infra-check, the offline checks, which
// link every project's program.
func infraCheck(args ...string) error {
	return execTool("infra-check", "the offline checks (they link every program: the first build compiles the cloud SDKs, minutes)", args)
}

func execTool(name, what string, args []string) error {
	bin, err := buildCmd(name, what)
	if err != nil {
		return err
	}
	return syscall.Exec(bin, append([]string{name}, args...), os.Environ())
}

func buildInfra() (string, error) { return buildCmd("infra", "the orchestrator") }

// buildCmd builds ./cmd/<name> into bin/<name>.
func buildCmd(name, what string) (string, error) {
	bin, err := filepath.Abs(filepath.Join("bin", name))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "%s: building %s into bin/%s\n", name, what, name)
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/"+name)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building bin/%s: %w", name, err)
	}
	return bin, nil
}
