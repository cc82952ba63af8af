// Command gcp-gmail is the Pulumi program of the gcp-gmail project. Run by a stock
// `pulumi up` in this folder it is a plain Pulumi program; run by the
// orchestrator (INFRA_TASK set) it hosts the same program through the
// Automation API in a process of its own (shared/stackrun).
package main

import (
	"github.com/clustera/infra/projects/gcp-gmail/config"
	"github.com/clustera/infra/projects/gcp-gmail/program"
	"github.com/clustera/infra/shared/stackrun"
)

func main() {
	stackrun.Main(stackrun.Project{Program: program.Program, Validate: stackrun.CheckConfig(config.Load)})
}
