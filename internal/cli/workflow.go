package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/ci/workflow"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/graph"
)

func workflowCmd(_ context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("workflow", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	check := fs.Bool("check", false, "only check that the committed workflows match the generator; exit 1 when not")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	g, err := graph.Projects()
	if err != nil {
		return report.ExitFailed, err
	}
	files, err := workflow.Generate(g)
	if err != nil {
		return report.ExitFailed, err
	}
	stale, err := workflow.Stale(e.Root, files)
	if err != nil {
		return report.ExitFailed, err
	}
	if *check {
		if len(stale) > 0 {
			return report.ExitFailed, fmt.Errorf("out of date: %s; regenerate with `go run mage.go ci:workflow` and commit the result", strings.Join(stale, ", "))
		}
		fmt.Fprintf(e.Stdout, "workflows up to date: %s\n", joinPaths(files))
		return 0, nil
	}
	if err := workflow.Write(e.Root, files); err != nil {
		return report.ExitFailed, err
	}
	if len(stale) == 0 {
		fmt.Fprintf(e.Stdout, "workflows unchanged: %s\n", joinPaths(files))
	} else {
		fmt.Fprintf(e.Stdout, "wrote %s\n", strings.Join(stale, ", "))
	}
	return 0, nil
}

func joinPaths(files []workflow.File) string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return strings.Join(out, ", ")
}

func branchStackCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("branch-stack", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	br := fs.String("branch", "", "git branch, e.g. main, development or juan1 (required)")
	base := fs.String("base", "", "select the projects affected since this commit; empty or unknown: every project")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	if *br == "" {
		return report.ExitFailed, fmt.Errorf("branch-stack needs -branch (e.g. -branch=staging)")
	}
	g, err := graph.Projects()
	if err != nil {
		return report.ExitFailed, err
	}
	r, err := workflow.Resolve(ctx, e.Root, g, *br, *base)
	if err != nil {
		return report.ExitFailed, err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(e.Stderr, "branch-stack: %s\n", n)
	}
	if err := r.WriteOutputs(e.Stdout); err != nil {
		return report.ExitFailed, err
	}
	return 0, nil
}
