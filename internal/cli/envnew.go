package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/envnew"
)

func envNewCmd(_ context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("env-new", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	name := fs.String("name", "", "name of the personal environment and of its branch, e.g. juan1 (required)")
	desc := fs.String("description", "", "description in environments/<name>.yaml (default \"Personal environment <name>\")")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	if *name == "" && fs.NArg() > 0 {
		*name = fs.Arg(0)
	}
	*name = stripKey(*name, "name=")
	if *name == "" {
		return report.ExitFailed, fmt.Errorf("env-new needs -name=<personal environment>: infra env-new -name=juan1 (go run mage.go env:new name=juan1)")
	}
	files, err := envnew.Create(envnew.Options{Root: e.Root, Name: *name, Description: *desc})
	if err != nil {
		return report.ExitFailed, err
	}
	fmt.Fprintf(e.Stdout, "created personal environment %s:\n", *name)
	for _, f := range envnew.Rel(e.Root, files) {
		fmt.Fprintf(e.Stdout, "  %s\n", f)
	}
	fmt.Fprintf(e.Stdout, `next:
  review the files (dns nodes, the pinned Worker release), rehearse it on the sandbox (go run mage.go rehearse env=%[1]s)
  and try it:
    go run mage.go preview:all env=%[1]s        (needs PULUMI_BACKEND_URL and the development credentials)
  then commit them on a branch named like the environment and push it:
    git checkout -b %[1]s && git add environments/%[1]s.yaml projects/*/Pulumi.%[1]s.yaml
    git commit -m "Add personal environment %[1]s" && git push -u origin %[1]s
  CI deploys branch %[1]s to stack %[1]s with the secrets of the GitHub Environment %[2]q; no workflow edit is needed.
`, *name, branch.GitHubEnvironment(*name))
	return 0, nil
}
