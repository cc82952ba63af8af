package checks

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/offline/kafkaaudit"
	"github.com/clustera/infra/shared/environment"
)

func kafkaAuditCmd(ctx context.Context, e cli.Env, args []string) (int, error) {
	fs := flag.NewFlagSet("kafka-audit", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment whose stacks' topics are audited (required)")
	api := fs.String("api-url", kafkaaudit.DefaultAPI, "base URL of the Aiven REST API")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of the Aiven request")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "list the topics of the other environments too")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	if *env == "" && fs.NArg() > 0 {
		*env = fs.Arg(0)
	}
	*env = cli.EnvArg(*env)
	if *env == "" {
		return report.ExitFailed, fmt.Errorf("kafka-audit needs an environment: -env=<dev|testing|staging|prod|personal>")
	}
	settings, err := environment.Load(e.Root, *env)
	if err != nil {
		return report.ExitFailed, err
	}
	if settings.Aiven.Project == "" || settings.Aiven.KafkaService == "" {
		return report.ExitFailed, fmt.Errorf("%s: aiven.project and aiven.kafkaService are needed to audit the topics", settings.File)
	}
	if err := kafkaaudit.RootMatches(e.Root); err != nil {
		return report.ExitFailed, err
	}
	managed, err := kafkaaudit.Managed(*env)
	if err != nil {
		return report.ExitFailed, err
	}
	envs, err := kafkaaudit.Environments(e.Root)
	if err != nil {
		return report.ExitFailed, err
	}
	c := &kafkaaudit.Client{BaseURL: *api, Token: kafkaaudit.Token(), Timeout: *timeout}
	listed, err := c.Topics(ctx, settings.Aiven.Project, settings.Aiven.KafkaService)
	if err != nil {
		return report.ExitFailed, err
	}
	r := kafkaaudit.Audit(*env, listed, managed, envs)
	r.Project, r.Service = settings.Aiven.Project, settings.Aiven.KafkaService
	if *asJSON {
		if err := r.WriteJSON(e.Stdout); err != nil {
			return report.ExitFailed, err
		}
	} else {
		r.WriteText(e.Stdout, *verbose)
	}
	if r.Findings() > 0 {
		return report.ExitFailed, nil
	}
	return 0, nil
}
