package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Run runs the command line of a binary with signal handling and returns
// the exit code. The first Ctrl-C (or SIGTERM) cancels cleanly: every
// project process gets one interrupt, each Pulumi CLI finishes its step in
// flight, saves state and unlocks. The second aborts at once: every project
// process and CLI is killed, and the summary says which stacks were left
// mid-operation. A third exits without waiting.
func Run(args []string, commands []Command) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hard := make(chan struct{})
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "\n%s received: cancelling in-flight operations cleanly (each stack finishes its current step, saves state and unlocks); send it again to abort at once\n", sig)
		cancel()
		sig = <-sigs
		fmt.Fprintf(os.Stderr, "\n%s received again: aborting; killing every project process and Pulumi CLI now (stacks mid-operation stay locked until the next run proves their holder dead; see docs/runbooks/state-locks.md)\n", sig)
		close(hard)
		<-sigs
		os.Exit(130)
	}()
	return Main(ctx, args, Env{TTY: IsTerminal(os.Stdout), Hard: hard}, commands)
}
