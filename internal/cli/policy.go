package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/clustera/infra/internal/mockrun/policyrun"
	"github.com/clustera/infra/internal/report"
)

func init() {
	Register("policy", "run the policy rules and cross-stack checks offline on every program under mocks (no CLI); exit 1 on a mandatory violation", policyCmd)
}

// policyCmd runs `infra policy -env X [-json]`.
func policyCmd(_ context.Context, e Env, args []string) (int, error) {
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
	*env = envArg(*env)
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
