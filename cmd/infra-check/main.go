// Command infra-check runs the offline checks (`infra-check help`): the
// policy rules and cross-stack checks over every program under mocks, and
// the Kafka topic audit. It links every project's program; the engine path
// (bin/infra) does not.
package main

import (
	"os"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/cli/checks"
)

func main() { os.Exit(cli.Run(os.Args[1:], checks.Commands())) }
