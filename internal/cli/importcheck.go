package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/engine/importcheck"
	"github.com/clustera/infra/internal/engine/report"
)

func importCheckCmd(ctx context.Context, e Env, args []string) (int, error) {
	fs := flag.NewFlagSet("import-check", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment (required)")
	proj := fs.String("project", "", "comma-separated projects (default: those whose stack config sets import IDs)")
	allowCreate := fs.Bool("allow-create", false, "accept creating objects that have no import ID (new ones), listing them")
	asJSON := fs.Bool("json", false, "print the result as JSON after the run")
	if err := parseFlags(fs, args, e.Stderr); err != nil {
		return report.ExitFailed, err
	}
	if *env == "" && fs.NArg() > 0 {
		*env = fs.Arg(0)
	}
	*env = EnvArg(*env)
	if *env == "" {
		return report.ExitFailed, needsEnv("import-check")
	}
	if fs.NArg() > 1 || (fs.NArg() > 0 && isSet(fs, "env")) {
		return report.ExitFailed, unexpected(fs, fs.Arg(fs.NArg()-1))
	}
	if *proj != "" {
		if err := checkProjects("-project=", *proj); err != nil {
			return report.ExitFailed, err
		}
	}
	if err := checkEnv(e.Root, *env); err != nil {
		return report.ExitFailed, err
	}
	req := importcheck.Request{Root: e.Root, StateDir: e.StateDir, Env: *env, AllowCreate: *allowCreate, Out: e.Stdout, TTY: e.TTY,
		Command: "infra " + strings.Join(append([]string{"import-check"}, args...), " ")}
	if *proj != "" {
		req.Projects = strings.Split(*proj, ",")
	}
	res, err := importcheck.Run(ctx, req)
	if err != nil {
		return report.ExitFailed, err
	}
	res.Write(e.Stdout)
	if *asJSON {
		data, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(e.Stdout, string(data))
	}
	if !res.OK() {
		return report.ExitFailed, nil
	}
	return 0, nil
}
