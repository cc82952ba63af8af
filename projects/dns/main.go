// Command dns is the Pulumi program of the dns project. It is a thin
// entry point for `pulumi up` in this folder; the orchestrator runs the same
// program in-process (see docs/architecture.md).
package main

import (
	"github.com/clustera/infra/projects/dns/program"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(program.Program)
}
