// Package cli is the command line of the orchestrator (bin/infra). The mage
// targets are thin wrappers around it; CI may call it directly.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/progress"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/layout"
)

// Env carries the process's surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	TTY            bool
	Root           string // repository root; found from the working directory when empty
	StateDir       string // default <root>/.state ($INFRA_STATE_DIR)
	// Hard is closed on a second interrupt: runs then kill every project
	// process and CLI at once instead of waiting for them to save.
	Hard <-chan struct{}
}

// Command is one subcommand of a binary.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, e Env, args []string) (int, error)
}

// Commands is the command table of the orchestrator (bin/infra), in one
// explicit list. The offline checks, which link every program, are the
// table of bin/infra-check (internal/cli/checks).
func Commands() []Command {
	return []Command{
		{"deploy", "deploy projects in dependency order (pulumi up)", opCmd(runner.Deploy)},
		{"preview", "preview projects with the policy pack; exit 2 when changes are pending", opCmd(runner.Preview)},
		{"refresh", "refresh state from the cloud", opCmd(runner.Refresh)},
		{"destroy", "destroy projects in reverse dependency order", opCmd(runner.Destroy)},
		{"drift", "compare the live cloud with the code; exit 2 on drift", opCmd(runner.Drift)},
		{"outputs", "print the stack outputs of every project", opCmd(runner.Outputs)},
		{"graph", "print the project dependency graph (Mermaid or DOT)", graphCmd},
		{"affected", "list the projects changed since a git ref, plus their dependents", affectedCmd},
		{"cli", "find or build the Pulumi CLI and print its path", cliCmd},
		{"rehearse", "run an environment's real configuration against the sandbox: deploy, no-op deploy, drift, import-check, destroy", rehearseCmd},
		{"sandbox", "serve the local sandbox in the foreground and print the environment for a plain `pulumi up`", sandboxCmd},
		{"env-new", "create a personal environment: environments/<name>.yaml and every project's stack file, from dev", envNewCmd},
		{"import-check", "preview the projects that import existing objects; exit 1 unless every step is an import or unchanged", importCheckCmd},
		{"workflow", "generate .github/workflows from the project graph (-check: only verify they are up to date)", workflowCmd},
		{"branch-stack", "map a git branch to its stack and GitHub Environment, print GITHUB_OUTPUT lines (CI)", branchStackCmd},
	}
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, e Env, commands []Command) int {
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.Stdout, commands)
		return 0
	}
	for _, c := range commands {
		if c.Name != args[0] {
			continue
		}
		if e.Root == "" {
			root, err := layout.Root()
			if err != nil {
				fmt.Fprintf(e.Stderr, "error: %v\n", err)
				return report.ExitFailed
			}
			e.Root = root
		}
		if e.StateDir == "" {
			e.StateDir = os.Getenv("INFRA_STATE_DIR")
		}
		// Programs running in this process find the repository through it.
		_ = os.Setenv(layout.EnvRoot, e.Root)
		code, err := c.Run(ctx, e, args[1:])
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintf(e.Stderr, "error: %v\n", err)
			if code == 0 {
				code = report.ExitFailed
			}
		}
		return code
	}
	fmt.Fprintf(e.Stderr, "error: unknown command %q\n", args[0])
	usage(e.Stderr, commands)
	return report.ExitFailed
}

func usage(w io.Writer, commands []Command) {
	fmt.Fprintln(w, "usage: infra <command> [flags]   (run `infra <command> -h` for flags)")
	sorted := append([]Command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-13s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w, "exit codes: 0 success, 1 failure or blocked project, 2 changes pending (preview, drift)")
}

// EnvArg accepts both "staging" and "env=staging".
func EnvArg(s string) string { return strings.TrimPrefix(s, "env=") }

func opCmd(op runner.Op) func(ctx context.Context, e Env, args []string) (int, error) {
	return func(ctx context.Context, e Env, args []string) (int, error) {
		fs := flag.NewFlagSet(string(op), flag.ContinueOnError)
		fs.SetOutput(e.Stderr)
		env := fs.String("env", "", "environment: local, dev, testing, staging, prod or a personal one (required)")
		proj := fs.String("project", "", "comma-separated projects (default: all)")
		with := fs.String("with", "alone", "with -project: alone, upstreams or dependents")
		base := fs.String("affected", "", "select the projects affected since this git ref (plus dependents)")
		parallel := fs.Int("parallel", 0, "projects run at once (default: the graph's width)")
		confirm := fs.String("confirm", "", "destroy in prod needs -confirm=prod")
		noPolicy := fs.Bool("no-policy", false, "run without the policy pack (not allowed in staging and prod)")
		asJSON := fs.Bool("json", false, "outputs: print JSON")
		timeout := fs.Duration("timeout", 0, "bound each project's operation, e.g. 20m: a project still running then is interrupted and fails (default: none)")
		clearPending := fs.Bool("clear-pending-creates", false, "refresh: drop the pending creates an interrupted run left (check the cloud first)")
		rehearsal := fs.Bool("rehearsal", false, "run the environment's real configuration against the sandbox, state under .state/rehearsal/<env> (one step of `rehearse`)")
		if err := parseFlags(fs, args, e.Stderr); err != nil {
			return report.ExitFailed, err
		}
		if *env == "" && fs.NArg() > 0 {
			*env = fs.Arg(0)
		}
		*env = EnvArg(*env)
		if *env == "" {
			return report.ExitFailed, needsEnv(string(op))
		}
		// Every argument and the environment file are checked before
		// anything runs: one error naming the argument and the fix.
		if err := checkOp(ctx, e, fs, *env); err != nil {
			return report.ExitFailed, err
		}
		if *noPolicy && (*env == "staging" || *env == "prod") {
			return report.ExitFailed, fmt.Errorf("-no-policy is not allowed in %s: policies are mandatory there; fix: run without -no-policy", *env)
		}
		mode, err := graph.ParseMode(*with)
		if err != nil {
			return report.ExitFailed, err
		}
		sel := orchestrate.Selection{Mode: mode, AffectedBase: *base}
		if *proj != "" {
			if *base != "" {
				return report.ExitFailed, errors.New("use either -project or -affected, not both; fix: drop one of them")
			}
			sel.Projects = strings.Split(*proj, ",")
		}
		rep, err := orchestrate.Run(ctx, orchestrate.Request{
			Root: e.Root, StateDir: e.StateDir, Env: *env, Op: op, Selection: sel, Parallel: *parallel,
			Confirm: strings.TrimPrefix(*confirm, "confirm="), NoPolicy: *noPolicy, JSON: *asJSON, Out: e.Stdout, TTY: e.TTY,
			Command: "infra " + strings.Join(append([]string{string(op)}, args...), " "), Hard: e.Hard,
			ClearPendingCreates: *clearPending && op == runner.Refresh, Timeout: *timeout, Rehearsal: *rehearsal,
		})
		if err != nil {
			if ctx.Err() != nil {
				// Ctrl-C before any project ran (a build, the session).
				return report.ExitInterrupted, fmt.Errorf("interrupted before any project ran: %w", err)
			}
			return report.ExitFailed, err
		}
		return rep.ExitCode, nil
	}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && progress.IsTerminal(f)
}
