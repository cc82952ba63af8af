// Command infra is the orchestrator of the repository's Pulumi projects.
// Run it through mage (`go run mage.go -l`) or directly; `infra help` lists
// the commands. Started with INFRA_TASK set, it is instead the per-project
// process of an operation that runs no program (refresh, destroy, outputs;
// see shared/stackrun).
package main

import (
	"os"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/shared/stackrun"
)

func main() {
	if raw, ok := os.LookupEnv(stackrun.EnvTask); ok {
		os.Exit(stackrun.Serve(raw, stackrun.Project{}))
	}
	os.Exit(cli.Run(os.Args[1:], cli.Commands()))
}
