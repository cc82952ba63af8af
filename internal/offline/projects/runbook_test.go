package projects_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/internal/gobuild"
	"github.com/clustera/infra/shared/layout"
)

// Runbook is docs/runbooks/add-project.md, whose steps TestAddProjectRunbook
// follows.
const runbook = "docs/runbooks/add-project.md"

// registryLine is the line of shared/contracts/registry.go an insert= block
// of the runbook goes after.
const registryLine = "var registry = []Entry{"

// runbookStep is one fenced block of the runbook that the test applies,
// by its info string: "<lang> file=<path>" writes the file, "<lang>
// append=<path>" appends to it, "<lang> insert=<path>" inserts after the
// registry's opening line, "sh step" runs the commands with bash in the
// repository root. Other blocks (the checks) are documentation.
type runbookStep struct {
	line           int
	action, target string
	body           string
}

var fence = regexp.MustCompile("^(\\s*)```(.*)$")

func runbookSteps(t *testing.T, path string) []runbookStep {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []runbookStep
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, info, start := m[1], strings.Fields(m[2]), i+1
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		step := runbookStep{line: start, body: strings.Join(body, "\n") + "\n"}
		for _, attr := range info[min(1, len(info)):] {
			if k, v, ok := strings.Cut(attr, "="); ok {
				step.action, step.target = k, v
			} else if attr == "step" {
				step.action = "run"
			}
		}
		if step.action != "" {
			out = append(out, step)
		}
	}
	return out
}

// apply performs one step in the scratch repository root.
func (s runbookStep) apply(t *testing.T, root string, env []string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(s.target))
	where := runbook + ":" + strconv.Itoa(s.line)
	switch s.action {
	case "file":
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s.body), 0o644); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
	case "append", "insert":
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		text := string(data)
		if s.action == "append" {
			text += "\n" + s.body
		} else {
			i := strings.Index(text, registryLine+"\n")
			if i < 0 {
				t.Fatalf("%s inserts into %s, which has no line %q", where, s.target, registryLine)
			}
			i += len(registryLine) + 1
			text = text[:i] + s.body + text[i:]
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	case "run":
		run(t, root, env, where, "bash", "-euo", "pipefail", "-c", s.body)
	default:
		t.Fatalf("%s: unknown step %s=%s", where, s.action, s.target)
	}
}

// run runs a command in dir and returns its output; a failure fails the
// test with the output.
func run(t *testing.T, dir string, env []string, what string, name string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("%s: %s %s (%s)", what, name, strings.Join(args, " "), time.Since(start).Round(time.Second))
	if err != nil {
		t.Fatalf("%s: %s %s: %v\n%s", what, name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// copyRepo copies the files git knows (tracked, and untracked but not
// ignored) of root into a new folder.
func copyRepo(t *testing.T, root string) string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	list, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "repo")
	for _, rel := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		fi, err := os.Lstat(src)
		if err != nil {
			continue // deleted in the work tree
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, to)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// projectName is the name: of the Pulumi.yaml the runbook writes.
func projectName(t *testing.T, steps []runbookStep) string {
	t.Helper()
	for _, s := range steps {
		if s.action == "file" && strings.HasSuffix(s.target, "/"+layout.ProjectFile) {
			for _, l := range strings.Split(s.body, "\n") {
				if v, ok := strings.CutPrefix(l, "name:"); ok {
					return strings.TrimSpace(v)
				}
			}
		}
	}
	t.Fatalf("%s writes no projects/<name>/%s with a name", runbook, layout.ProjectFile)
	return ""
}

// TestAddProjectRunbook follows docs/runbooks/add-project.md on a copy of
// the repository: it writes the files, adds the registry entry and runs the
// commands of the runbook's blocks, then checks that the offline tooling
// picks the new project up with no other edit: it builds, it is in the
// graph and has its CI job, the generated files are current, and the
// registry tests and the programs under mocks pass with it. It compiles
// and links the offline checks in the copy (a few minutes): skipped with
// -short.
func TestAddProjectRunbook(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the repository and builds the offline checks in it (minutes); run without -short")
	}
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	steps := runbookSteps(t, filepath.Join(root, runbook))
	name := projectName(t, steps)
	seen := map[string]bool{}
	for _, s := range steps {
		seen[s.action] = true
	}
	for _, a := range []string{"file", "insert", "run"} {
		if !seen[a] {
			t.Fatalf("%s has no %q block: the test cannot follow it", runbook, a)
		}
	}

	scratch := copyRepo(t, root)
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != layout.EnvRoot && k != "GOWORK" {
			env = append(env, kv)
		}
	}
	env = append(env, layout.EnvRoot+"="+scratch, "GOWORK="+filepath.Join(scratch, "go.work"))

	// The offline checks link the Cloudflare SDK: make sure it is in the
	// build cache (a cache hit), compiled alone in low memory otherwise.
	if err := gobuild.CompileSDK(context.Background(), scratch, os.Stderr); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		s.apply(t, scratch, env)
	}

	run(t, scratch, env, "the new project builds", "go", "build", "./projects/"+name+"/...")
	if out := run(t, scratch, env, "the graph", "go", "run", "mage.go", "graph"); !strings.Contains(out, name) {
		t.Errorf("go run mage.go graph does not show %s:\n%s", name, out)
	}
	infra, err := os.ReadFile(filepath.Join(scratch, ".github", "workflows", "infra.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^  deploy-` + regexp.QuoteMeta(name) + `:$`).Match(infra) {
		t.Errorf("the generated infra.yml has no deploy-%s job", name)
	}
	// The repository's own tests of the registry, the generated files and
	// the programs under mocks, in the copy: the new project is in every
	// list they derive, and runs for local, staging and prod.
	run(t, scratch, env, "the registry and the programs under mocks", "go", "test", "-p=1", "-count=1",
		"-run", "^(TestRegistryMatchesContracts|TestProgramsKeepTheirContracts|TestProgramsRunAsMainRunsThem|TestCommittedTableIsCurrent|TestCommittedWorkflowsAreGenerated|TestCredentialsCoverTheGraph)$",
		"./internal/offline/projects/", "./internal/offline/programtable/", "./internal/ci/workflow/")
	run(t, filepath.Join(scratch, "shared"), env, "the registry matches the folders", "go", "test", "-count=1",
		"-run", "^(TestRegistryMatchesTheProjectFolders|TestRegistryDerivesTheLists|TestEveryProjectHasAWellFormedContract)$", "./contracts/")
}
