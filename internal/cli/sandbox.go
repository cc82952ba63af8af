package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/shared/contracts"
)

// sandboxCmd runs `infra sandbox`: it serves the local sandbox and the
// Vectorize provider in the foreground, prints the environment a plain
// Pulumi CLI needs to use them, and stops on Ctrl-C.
func sandboxCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "local", "only local: the sandbox never stands in for a real environment")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	if *env = EnvArg(*env); *env != "local" {
		return report.ExitFailed, fmt.Errorf("sandbox serves the local environment only, not %q: the other environments use the real clouds", *env)
	}
	s, err := session.Open(ctx, session.Options{Root: e.Root, Env: "local", StateDir: e.StateDir, Out: e.Stderr, Engine: true})
	if err != nil {
		return report.ExitFailed, err
	}
	defer s.Close()
	vars := s.EnvVars()
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(e.Stdout, "# The local sandbox is serving; Ctrl-C stops it. In another shell:")
	for _, k := range keys {
		fmt.Fprintf(e.Stdout, "export %s=%s\n", k, shellQuote(vars[k]))
	}
	fmt.Fprintf(e.Stdout, "# then, in a project folder, e.g.:\n#   cd projects/%s && pulumi up --stack local\n", contracts.DNSProject)
	fmt.Fprintln(e.Stdout, "# (add --policy-pack $PWD/../../bin/policy-pack after `go run mage.go preview:all env=local` built it)")
	<-ctx.Done()
	fmt.Fprintln(e.Stderr, "sandbox: stopped")
	return report.ExitOK, nil
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"$`\\|&;<>()*?[]#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
