package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"strings"

	"github.com/clustera/infra/internal/cli/cliargs"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
)

// checkOp checks the arguments of an engine operation before anything
// runs, takes a lock or builds: every mistake is one error naming the
// argument and the fix. It checks the bare arguments (one environment at
// most), -parallel, -with, -project, -affected, and then loads the
// environment file, so a bad environments/<env>.yaml fails here too.
func checkOp(ctx context.Context, e Env, fs *flag.FlagSet, env string) error {
	// The first bare argument is the environment unless -env is set.
	bare := fs.Args()
	if !isSet(fs, "env") && len(bare) > 0 {
		bare = bare[1:]
	}
	if len(bare) > 0 {
		return unexpected(fs, bare[0])
	}
	if isSet(fs, "parallel") {
		if _, err := cliargs.Parallel("-parallel=", fs.Lookup("parallel").Value.String()); err != nil {
			return err
		}
	}
	project := ""
	if f := fs.Lookup("project"); f != nil {
		project = f.Value.String()
	}
	if f := fs.Lookup("with"); f != nil && isSet(fs, "with") {
		with := f.Value.String()
		if _, err := graph.ParseMode(with); err != nil {
			return fmt.Errorf("-with=%s: is not a selection mode; fix: use -with=alone, -with=upstreams or -with=dependents", with)
		}
		if project == "" {
			return fmt.Errorf("-with=%s: needs -project; fix: name the projects it starts from, e.g. -project=dns -with=%s (without -project every project runs)", with, with)
		}
	}
	if project != "" {
		if err := checkProjects("-project=", project); err != nil {
			return err
		}
	}
	if f := fs.Lookup("affected"); f != nil && f.Value.String() != "" {
		if err := checkRef(ctx, e.Root, "-affected=", f.Value.String()); err != nil {
			return err
		}
	}
	return checkEnv(e.Root, env)
}

// unexpected is the error of a bare argument a command does not take.
func unexpected(fs *flag.FlagSet, arg string) error {
	cmd := fs.Name()
	if k, v, ok := strings.Cut(arg, "="); ok {
		fix := fmt.Sprintf("use %s (infra %s -h describes them)", strings.Join(dashed(flagNames(fs)), ", "), cmd)
		if s := cliargs.Suggest(k, flagNames(fs)); s != "" {
			fix = fmt.Sprintf("did you mean -%s=%s?", s, v)
		}
		return fmt.Errorf("%s: infra %s has no flag -%s; fix: %s", arg, cmd, k, fix)
	}
	if fs.Lookup("env") == nil {
		return fmt.Errorf("%q: infra %s takes no bare arguments; fix: write them as flags, %s (infra %s -h describes them)", arg, cmd, strings.Join(dashed(flagNames(fs)), ", "), cmd)
	}
	return fmt.Errorf("%q: infra %s takes one bare argument at most, the environment; fix: write the other arguments as flags, e.g. -project=dns (infra %s -h describes them)", arg, cmd, cmd)
}

// checkProjects checks a comma-separated list of project names against the
// project graph.
func checkProjects(arg, list string) error {
	g, err := graph.Projects()
	if err != nil {
		return err
	}
	names := g.TopoSort()
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return fmt.Errorf("%s%s: has an empty project name; fix: separate the names with single commas, e.g. %sdns,gcp-gmail", arg, list, arg)
		case !g.Has(n):
			fix := "use one of " + strings.Join(names, ", ") + " (comma-separated)"
			if s := cliargs.Suggest(n, names); s != "" {
				fix = "did you mean " + s + "? The projects are " + strings.Join(names, ", ")
			}
			return fmt.Errorf("%s%s: unknown project %q; fix: %s", arg, list, n, fix)
		}
	}
	return nil
}

// checkRef checks that ref names a commit of the repository at root.
func checkRef(ctx context.Context, root, arg, ref string) error {
	const fix = "use a branch, tag or commit of this repository, e.g. %sorigin/main (fetch a remote branch first: git fetch origin main)"
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("%s%s: is not a git ref; fix: "+fix, arg, ref, arg)
	}
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &exit):
		return nil // no git here: the affected selection reports it
	case strings.Contains(stderr.String(), "not a git repository"):
		return fmt.Errorf("%s%s: %s is not a git repository; fix: run in a git checkout of the repository, or select projects with -project instead", arg, ref, root)
	}
	return fmt.Errorf("%s%s: is not a commit of this repository; fix: "+fix, arg, ref, arg)
}

// checkEnv checks the environment name and loads its file: a bad name, a
// missing file and every mistake in the file fail here, before anything
// runs.
func checkEnv(root, env string) error {
	if _, err := environment.KindOf(env); err != nil {
		return fmt.Errorf("-env=%s: %w", env, err)
	}
	if _, err := environment.Load(root, env); err != nil {
		return err
	}
	return nil
}

// needsEnv is the error of a command run without an environment.
func needsEnv(cmd string) error {
	return fmt.Errorf("%s needs an environment: -env=<local|dev|testing|staging|prod|personal>; fix: e.g. infra %s -env=staging (go run mage.go %s env=staging)", cmd, cmd, mageTarget(cmd))
}

// mageTarget is the mage target of a bin/infra command, for messages.
func mageTarget(cmd string) string {
	switch cmd {
	case "deploy", "preview", "refresh", "destroy":
		return cmd + ":all"
	case "import-check":
		return "import:check"
	}
	return cmd
}
