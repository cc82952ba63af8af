package checks

import (
	"context"
	"flag"
	"fmt"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/offline/mockrun/policyrun"
)

// policyCmd runs `infra policy -env X [-json]`.
func policyCmd(_ context.Context, e cli.Env, args []string) (int, error) {
	fs := flag.NewFlagSet("policy", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment: local, dev, testing, staging, prod or a personal one (required)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	if *env == "" && fs.NArg() > 0 {
		*env = fs.Arg(0)
	}
	*env = cli.EnvArg(*env)
	if *env == "" {
		return report.ExitFailed, fmt.Errorf("policy needs an environment: -env=<local|dev|testing|staging|prod|personal>")
	}
	rep, err := policyrun.Run(e.Root, *env)
	if err != nil {
		return report.ExitFailed, err
	}
	if *asJSON {
		err = rep.WriteJSON(e.Stdout)
	} else {
		err = rep.Write(e.Stdout)
	}
	if err != nil {
		return report.ExitFailed, fmt.Errorf("writing the report: %w", err)
	}
	return rep.ExitCode, nil
}
