package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/affected"
	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/pulumicli"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/graph"
)

func graphCmd(_ context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	format := fs.String("format", "mermaid", "mermaid or dot")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	if fs.NArg() > 0 {
		return report.ExitFailed, unexpected(fs, fs.Arg(0))
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
		return report.ExitFailed, fmt.Errorf("unknown -format %q; fix: use -format=mermaid or -format=dot", *format)
	}
	return 0, nil
}

func affectedCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("affected", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment whose stack config changes count (required)")
	base := fs.String("base", "", "git ref to compare with (required), e.g. origin/main")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	if fs.NArg() > 0 {
		return report.ExitFailed, unexpected(fs, fs.Arg(0))
	}
	*env, *base = EnvArg(*env), stripKey(*base, "base=")
	var missing []string
	if *env == "" {
		missing = append(missing, "-env=<environment>")
	}
	if *base == "" {
		missing = append(missing, "-base=<git ref>")
	}
	if len(missing) > 0 {
		return report.ExitFailed, fmt.Errorf("affected needs %s: infra affected -env=%s -base=origin/main (go run mage.go affected env=%[2]s base=origin/main)",
			strings.Join(missing, " and "), orDefault(*env, "staging"))
	}
	if err := checkEnv(e.Root, *env); err != nil {
		return report.ExitFailed, err
	}
	if err := checkRef(ctx, e.Root, "-base=", *base); err != nil {
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

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func stripKey(s, key string) string {
	if len(s) > len(key) && s[:len(key)] == key {
		return s[len(key):]
	}
	return s
}
