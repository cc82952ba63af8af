package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/clustera/infra/internal/affected"
	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/pulumicli"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
)

func graphCmd(_ context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	format := fs.String("format", "mermaid", "mermaid or dot")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	g, err := graph.Projects()
	if err != nil {
		return report.ExitFailed, err
	}
	switch *format {
	case "mermaid":
		fmt.Fprint(e.Stdout, g.Mermaid())
	case "dot":
		fmt.Fprint(e.Stdout, g.DOT())
	default:
		return report.ExitFailed, fmt.Errorf("unknown -format %q: use mermaid or dot", *format)
	}
	return 0, nil
}

func affectedCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("affected", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment whose stack config changes count (required)")
	base := fs.String("base", "", "git ref to compare with (required), e.g. origin/main")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	*env, *base = EnvArg(*env), stripKey(*base, "base=")
	if *env == "" || *base == "" {
		return report.ExitFailed, fmt.Errorf("affected needs -env and -base (e.g. -env=staging -base=origin/main)")
	}
	if _, err := environment.KindOf(*env); err != nil {
		return report.ExitFailed, err
	}
	g, err := graph.Projects()
	if err != nil {
		return report.ExitFailed, err
	}
	files, err := affected.ChangedFiles(ctx, e.Root, *base)
	if err != nil {
		return report.ExitFailed, err
	}
	sel, err := affected.Affected(ctx, e.Root, g, *env, files)
	if err != nil {
		return report.ExitFailed, err
	}
	orchestrate.PrintAffected(e.Stdout, *base, sel)
	return 0, nil
}

func cliCmd(ctx context.Context, e Env, _ []string) (int, error) {
	path, v, err := pulumicli.Ensure(ctx, e.Root, e.Stderr)
	if err != nil {
		return report.ExitFailed, err
	}
	fmt.Fprintf(e.Stdout, "%s\n", path)
	fmt.Fprintf(e.Stderr, "pulumi v%s\n", v)
	return 0, nil
}

func stripKey(s, key string) string {
	if len(s) > len(key) && s[:len(key)] == key {
		return s[len(key):]
	}
	return s
}
