// Command kafka-data-plane is the Pulumi program of the kafka-data-plane project. Run by a stock
// `pulumi up` in this folder it is a plain Pulumi program; run by the
// orchestrator (INFRA_TASK set) it hosts the same program through the
// Automation API in a process of its own (shared/stackrun).
package main

import (
	"github.com/clustera/infra/projects/kafka-data-plane/config"
	"github.com/clustera/infra/projects/kafka-data-plane/program"
	"github.com/clustera/infra/shared/stackrun"
)

func main() {
	stackrun.Main(stackrun.Project{Program: program.Program, Validate: stackrun.CheckConfig(config.Load)})
}
