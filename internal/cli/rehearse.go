package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/clustera/infra/internal/engine/rehearse"
	"github.com/clustera/infra/internal/engine/report"
)

// rehearseCmd runs `infra rehearse -env X`.
func rehearseCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("rehearse", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment whose configuration is rehearsed on the sandbox (required)")
	parallel := fs.Int("parallel", 0, "projects run at once (default: the graph's width)")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	if *env == "" && fs.NArg() > 0 {
		*env = fs.Arg(0)
	}
	if *env = EnvArg(*env); *env == "" {
		return report.ExitFailed, fmt.Errorf("rehearse needs an environment: go run mage.go rehearse env=staging")
	}
	res, err := rehearse.Run(ctx, rehearse.Request{Root: e.Root, StateDir: e.StateDir, Env: *env, Out: e.Stdout, TTY: e.TTY,
		Hard: e.Hard, Parallel: *parallel})
	if err != nil {
		return report.ExitFailed, err
	}
	res.Write(e.Stdout)
	return res.ExitCode(), nil
}
