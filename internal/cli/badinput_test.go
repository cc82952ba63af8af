package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

// copyEnvironments makes a root holding a copy of the repository's
// environment files and an empty projects/ folder: enough for every check
// that runs before an operation, and nothing an operation could build or
// deploy if a check let a bad input through.
func copyEnvironments(t *testing.T) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, d := range []string{"environments", "projects"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(src, "environments", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no committed environment files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "environments", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// runIn runs bin/infra's command line with root and a fresh state folder,
// and checks that a bad input changed nothing: no state, lock or run folder
// was written.
func runIn(t *testing.T, root string, args ...string) (int, string, string) {
	t.Helper()
	state := t.TempDir()
	// Main pins the root for the programs of its process; restore it.
	t.Setenv(layout.EnvRoot, root)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Root: root, StateDir: state}, Commands())
	if entries, _ := os.ReadDir(state); len(entries) > 0 && code == 1 {
		t.Errorf("%v: the bad input wrote %s under the state folder", args, entries[0].Name())
	}
	return code, out.String(), errOut.String()
}

// oneError checks the answer to a bad input: exit 1, nothing on stdout, and
// one line "error: ..." holding every wanted substring and a fix.
func oneError(t *testing.T, args []string, code int, stdout, stderr string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("%v: exit %d, want 1", args, code)
	}
	if stdout != "" {
		t.Errorf("%v: stdout %q, want nothing", args, stdout)
	}
	line := strings.TrimSuffix(stderr, "\n")
	t.Logf("infra %s\n    %s", strings.Join(args, " "), line)
	if !strings.HasPrefix(line, "error: ") || strings.Contains(line, "\n") {
		t.Errorf("%v: stderr is not one error line:\n%s", args, stderr)
	}
	if !strings.Contains(line, "fix: ") && !strings.Contains(line, ": add ") && !regexp.MustCompile(`needs .*: (infra|go run mage\.go) `).MatchString(line) {
		t.Errorf("%v: %q gives no fix", args, line)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("%v:\n got %q\nwant %q", args, line, w)
		}
	}
}

// badCommandLines is the corpus of bad bin/infra command lines (the mage
// targets exec bin/infra with the same flags; their own corpus is in
// internal/cli/cliargs). Each fails before anything runs.
var badCommandLines = []struct {
	args []string
	want []string
}{
	{[]string{"deploy", "-env", "local", "-parallel", "0"}, []string{"-parallel=0: must be at least 1; fix: give how many projects may run at once"}},
	{[]string{"deploy", "-env", "local", "-parallel=-2"}, []string{"-parallel=-2: must be at least 1; fix:"}},
	{[]string{"deploy", "-env", "local", "-parallel", "abc"}, []string{"-parallel=abc: is not a whole number; fix:", "-parallel=2"}},
	{[]string{"preview", "local", "parallel=abc"}, []string{"-parallel=abc: is not a whole number; fix:"}},
	{[]string{"deploy", "-env", "local", "-project", "nope"}, []string{`-project=nope: unknown project "nope"; fix: use one of`, "(comma-separated)"}},
	{[]string{"deploy", "-env", "local", "-project", "dsn"}, []string{`-project=dsn: unknown project "dsn"; fix: did you mean dns?`}},
	{[]string{"preview", "-env", "local", "-project", "dns,,gcp-gmail"}, []string{"-project=dns,,gcp-gmail: has an empty project name; fix: separate the names with single commas"}},
	{[]string{"deploy", "-env", "local", "-project", "dns", "-with", "sideways"}, []string{"-with=sideways: is not a selection mode; fix: use -with=alone, -with=upstreams or -with=dependents"}},
	{[]string{"deploy", "-env", "local", "-with", "upstreams"}, []string{"-with=upstreams: needs -project; fix: name the projects it starts from, e.g. -project=dns -with=upstreams"}},
	{[]string{"deploy"}, []string{"deploy needs an environment: -env=<local|dev|testing|staging|prod|personal>; fix: e.g. infra deploy -env=staging (go run mage.go deploy:all env=staging)"}},
	{[]string{"drift", "-parallel", "2"}, []string{"drift needs an environment", "go run mage.go drift env=staging"}},
	{[]string{"deploy", "-env"}, []string{"-env: needs a value; fix: write -env=<value>"}},
	{[]string{"deploy", "-env", "local", "-projct", "dns"}, []string{"-projct: infra deploy has no such flag; fix: did you mean -project?"}},
	{[]string{"deploy", "-env", "local", "-colour"}, []string{"-colour: infra deploy has no such flag; fix: use -affected, "}},
	{[]string{"deploy", "-env", "local", "projct=dns"}, []string{"projct=dns: infra deploy has no flag -projct; fix: did you mean -project=dns?"}},
	{[]string{"deploy", "local", "dev"}, []string{`"dev": infra deploy takes one bare argument at most, the environment; fix:`}},
	{[]string{"deploy", "-env", "local", "dev"}, []string{`"dev": infra deploy takes one bare argument at most`}},
	{[]string{"outputs", "-env", "local", "-json=yes"}, []string{"-json=yes: is not true or false; fix: write -json alone, or -json=false"}},
	{[]string{"deploy", "-env", "Bad!"}, []string{`-env=Bad!: unknown environment "Bad!"; fix: use local, dev, testing, staging, prod, or a personal name`}},
	{[]string{"deploy", "env=juan9"}, []string{`unknown environment "juan9": environments/juan9.yaml does not exist; fix: check the name, or create it`, "go run mage.go env:new name=juan9"}},
	{[]string{"affected", "-env", "local"}, []string{"affected needs -base=<git ref>: infra affected -env=local -base=origin/main (go run mage.go affected env=local base=origin/main)"}},
	{[]string{"affected"}, []string{"affected needs -env=<environment> and -base=<git ref>: infra affected -env=staging -base=origin/main"}},
	{[]string{"affected", "-env", "Bad!", "-base", "HEAD"}, []string{`unknown environment "Bad!"`}},
	{[]string{"graph", "-format", "svg"}, []string{`unknown -format "svg"; fix: use -format=mermaid or -format=dot`}},
	{[]string{"graph", "dot"}, []string{`"dot": infra graph takes no bare arguments; fix: write them as flags, -format`}},
	{[]string{"env-new"}, []string{"env-new needs -name=<personal environment>: infra env-new -name=juan1 (go run mage.go env:new name=juan1)"}},
	{[]string{"import-check"}, []string{"import-check needs an environment", "go run mage.go import:check env=staging"}},
	{[]string{"import-check", "-env", "local", "-project", "nope"}, []string{`-project=nope: unknown project "nope"`}},
	{[]string{"destroy", "-env", "prod"}, []string{"destroying in prod needs explicit confirmation: add confirm=prod"}},
	{[]string{"preview", "-env", "prod", "-no-policy"}, []string{"-no-policy is not allowed in prod"}},
}

func TestBadCommandLines(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "")
	root := copyEnvironments(t)
	for _, c := range badCommandLines {
		code, stdout, stderr := runIn(t, root, c.args...)
		oneError(t, c.args, code, stdout, stderr, c.want...)
	}
}

// A base that is not a commit is refused before anything runs; this needs
// the repository's git history, so it runs in the repository.
func TestBadBaseRefs(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "-env", "local", "-affected", "no-such-ref-for-e2e"}, "-affected=no-such-ref-for-e2e: is not a commit of this repository; fix: use a branch, tag or commit of this repository, e.g. -affected=origin/main"},
		{[]string{"preview", "-env", "local", "-affected=--all"}, "-affected=--all: is not a git ref; fix:"},
		{[]string{"affected", "-env", "local", "-base", "no-such-ref-for-e2e"}, "-base=no-such-ref-for-e2e: is not a commit of this repository; fix:"},
	} {
		code, stdout, stderr := runIn(t, root, c.args...)
		oneError(t, c.args, code, stdout, stderr, c.want)
	}
}

// Every project name in messages comes from the project graph.
func TestUnknownProjectListsTheGraph(t *testing.T) {
	g, err := graph.Projects()
	if err != nil {
		t.Fatal(err)
	}
	err = checkProjects("-project=", "nope")
	for _, n := range g.TopoSort() {
		if err == nil || !strings.Contains(err.Error(), n) {
			t.Errorf("the error %v does not list %s", err, n)
		}
	}
}

// A bad environment file fails the command before anything runs, with the
// environment package's one problem: the file, the key and the fix.
func TestBadEnvironmentFileStopsTheCommand(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "")
	for _, c := range []struct {
		name, from, to string
		args           []string
		want           []string
	}{
		{"misspelt key", "  kafkaService:", "  kafka_service:", []string{"deploy", "-env", "local"},
			[]string{"environments/local.yaml:", "aiven.kafka_service: unknown key; fix: did you mean aiven.kafkaService?"}},
		{"bad account ID", "  accountId: ", "  accountId: x", []string{"preview", "local"},
			[]string{"environments/local.yaml: cloudflare.accountId:", "is not valid; fix: use the 32 lowercase hex characters"}},
		{"broker count in words", "  brokers: ", "  brokers: three #", []string{"drift", "-env", "local"},
			[]string{"aiven.brokers:", `is not a whole number; fix: write a whole number such as 3`}},
		{"bad region", "  region: ", "  region: mars #", []string{"outputs", "-env=local"},
			[]string{"gcp.region:", `"mars" is not valid; fix: use a region such as us-central1`}},
		{"bad policy level", "\ngcp:\n", "\npolicy:\n  level: strict\ngcp:\n", []string{"refresh", "-env", "local"},
			[]string{"policy.level:", `unknown level "strict"; fix: use advisory, mandatory or disabled`}},
		{"tab indentation", "\ngcp:\n", "\ngcp:\n\tzone: a\n", []string{"deploy", "-env", "local", "-project", "dns"},
			[]string{"environments/local.yaml:", "no tabs"}},
		{"file emptied", "", "", []string{"destroy", "-env", "local"},
			[]string{"environments/local.yaml: (file): is empty; fix:"}},
		{"import check", "  project: clustera-control-plane", "  project: X", []string{"import-check", "-env", "local"},
			[]string{"gcp.project:", `"X" is not valid; fix: use a project ID`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := copyEnvironments(t)
			path := filepath.Join(root, "environments", "local.yaml")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			mutated := ""
			if c.from != "" {
				if !strings.Contains(string(data), c.from) {
					t.Fatalf("environments/local.yaml has no %q: rewrite the case", c.from)
				}
				mutated = strings.Replace(string(data), c.from, c.to, 1)
			}
			if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := environment.Load(root, "local"); err == nil {
				t.Fatal("the mutated file loads: the case tests nothing")
			}
			code, stdout, stderr := runIn(t, root, c.args...)
			oneError(t, c.args, code, stdout, stderr, c.want...)
		})
	}
}
