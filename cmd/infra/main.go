// Command infra is the orchestrator of the repository's Pulumi projects.
// Run it through mage (`go run mage.go -l`) or directly; `infra help` lists
// the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/clustera/infra/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "\n%s received: cancelling in-flight operations cleanly (each stack finishes its current step, saves state and unlocks); send it again to abort at once\n", sig)
		cancel()
		sig = <-sigs
		fmt.Fprintf(os.Stderr, "\n%s received again: aborting; stacks that were mid-operation may stay locked (see docs/runbooks/state-locks.md)\n", sig)
		os.Exit(130)
	}()
	code := cli.Main(ctx, os.Args[1:], cli.Env{TTY: cli.IsTerminal(os.Stdout)})
	signal.Stop(sigs)
	os.Exit(code)
}
