package cliargs

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// targets are the targets of the repository's magefile.go.
func targets(t *testing.T) []Target {
	t.Helper()
	ts, err := FromMagefile(filepath.Join(root(t), "magefile.go"))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// The targets are read from magefile.go: names as mage writes them, plain
// string parameters required, pointer parameters options of their kind.
func TestFromMagefile(t *testing.T) {
	ts := targets(t)
	if len(ts) < 10 {
		t.Fatalf("found only %d targets in magefile.go", len(ts))
	}
	byName := map[string]Target{}
	for _, tg := range ts {
		byName[tg.Name] = tg
	}
	for name, want := range map[string]Target{
		"deploy:project": {Required: []string{"env", "project"}, Options: []string{"with", "parallel"}},
		"affected":       {Required: []string{"env", "base"}},
		"outputs":        {Required: []string{"env"}, Options: []string{"json"}},
		"lint":           {},
	} {
		got, ok := byName[name]
		if !ok {
			t.Errorf("no target %s", name)
			continue
		}
		if !reflect.DeepEqual(norm(got.Required), norm(want.Required)) || !reflect.DeepEqual(norm(got.Options), norm(want.Options)) {
			t.Errorf("%s: required %v options %v, want %v and %v", name, got.Required, got.Options, want.Required, want.Options)
		}
	}
	if k := byName["deploy:all"].kind("parallel"); k != Int {
		t.Errorf("parallel is %v, want Int", k)
	}
	if k := byName["outputs"].kind("json"); k != Bool {
		t.Errorf("json is %v, want Bool", k)
	}
	// Every parameter has a description for messages.
	for _, tg := range ts {
		for _, k := range append(append([]string(nil), tg.Required...), tg.Options...) {
			if _, ok := Keys[k]; !ok {
				t.Errorf("%s: parameter %s has no entry in cliargs.Keys (messages show it as <%s>)", tg.Name, k, k)
			}
		}
	}
}

func TestFromSource(t *testing.T) {
	src := `package main
import ("context"; "github.com/magefile/mage/mg")
type Db mg.Namespace
func (Db) Migrate(ctx context.Context, env string, steps *int, dry *bool) error { return nil }
func Hello() {}
func helper(x string) {}
`
	ts, err := FromSource("magefile.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{Name: "db:migrate", Required: []string{"env"}, Options: []string{"steps", "dry"}, Kinds: map[string]Kind{"steps": Int, "dry": Bool}},
		{Name: "hello", Kinds: map[string]Kind{}},
	}
	if !reflect.DeepEqual(ts, want) {
		t.Errorf("got %+v\nwant %+v", ts, want)
	}
}

func norm(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// mageCommand matches a mage command in inline code (`go run mage.go …`)
// or on a line of a code block.
var mageCommand = regexp.MustCompile("(?m)`go run mage\\.go ([^`\\n]*)`|^\\s*(?:\\$ )?go run mage\\.go ([^\\n#]*)")

// Every `go run mage.go …` command of the README and the runbooks (the
// documents people copy commands from) passes the check: the documented
// spellings keep working.
func TestDocumentedCommandsAreAccepted(t *testing.T) {
	r := root(t)
	ts := targets(t)
	files, _ := filepath.Glob(filepath.Join(r, "docs", "runbooks", "*.md"))
	files = append(files, filepath.Join(r, "README.md"), filepath.Join(r, "docs", "ci.md"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mageCommand.FindAllStringSubmatch(string(data), -1) {
			cmd := m[1] + m[2]
			args := strings.Fields(strings.Split(cmd, "&&")[0])
			if len(args) == 0 || strings.Contains(cmd, "<") {
				continue // a placeholder such as <target>
			}
			if _, err := Normalize(ts, args); err != nil {
				t.Errorf("%s: go run mage.go %s: %v", filepath.Base(f), strings.Join(args, " "), err)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("found only %d documented mage commands", n)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"deploy:all env=staging", "deploy:all staging"},
		{"deploy:all staging", "deploy:all staging"},
		{"deploy:all env=staging parallel=2", "deploy:all staging -parallel=2"},
		{"deploy:all parallel=2 env=staging", "deploy:all staging -parallel=2"},
		{"deploy:project env=staging with=upstreams project=dns", "deploy:project staging dns -with=upstreams"},
		{"deploy:project staging dns", "deploy:project staging dns"},
		{"Deploy:All -env=local -parallel=3", "Deploy:All local -parallel=3"},
		{"affected env=staging base=origin/main", "affected staging origin/main"},
		{"outputs env=local json=true", "outputs local -json=true"},
		{"outputs env=local -json", "outputs local -json=true"},
		{"destroy:all env=prod confirm=prod", "destroy:all prod -confirm=prod"},
		{"graph format=dot", "graph -format=dot"},
		{"graph", "graph"},
		{"ci:workflow check=true", "ci:workflow -check=true"},
		{"-v deploy:all env=local", "-v deploy:all local"},
		{"-t 5m deploy:all env=local", "-t 5m deploy:all local"},
		{"lint test", "lint test"},
		{"env:new name=juan1", "env:new juan1"},
		{"deploy:affected env=dev base=HEAD~1", "deploy:affected dev HEAD~1"},
		// Listing and help are mage's own business.
		{"-l", "-l"},
		{"-h deploy:all", "-h deploy:all"},
	}
	ts := targets(t)
	for _, c := range cases {
		got, err := Normalize(ts, strings.Fields(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: got %q, want %q", c.in, strings.Join(got, " "), c.want)
		}
	}
}

// badArgs is the corpus of bad mage command lines: each is one error that
// names the argument and says how to fix it (an example command or "fix:").
var badArgs = []struct {
	in   string
	want []string
}{
	{"affected env=local", []string{"affected needs base=<git ref>: go run mage.go affected env=local base=origin/main"}},
	{"affected env=staging", []string{"affected needs base=<git ref>: go run mage.go affected env=staging base=origin/main"}},
	{"affected", []string{"affected needs env=<environment> and base=<git ref>: go run mage.go affected env=staging base=origin/main"}},
	{"deploy:all", []string{"deploy:all needs env=<environment>: go run mage.go deploy:all env=staging"}},
	{"deploy:all parallel=2", []string{"deploy:all needs env=<environment>: go run mage.go deploy:all env=staging parallel=2"}},
	{"deploy:all env=", []string{"deploy:all needs env=<environment>"}},
	{"deploy:project env=local", []string{"deploy:project needs project=<project>: go run mage.go deploy:project env=local project=dns"}},
	{"deploy:affected env=local", []string{"deploy:affected needs base=<git ref>: go run mage.go deploy:affected env=local base=origin/main"}},
	{"preview:affected", []string{"preview:affected needs env=<environment> and base=<git ref>"}},
	{"destroy:project env=local", []string{"destroy:project needs project=<project>"}},
	{"env:new", []string{"env:new needs name=<personal environment>: go run mage.go env:new name=juan1"}},
	{"policy", []string{"policy needs env=<environment>: go run mage.go policy env=staging"}},
	{"deploy:all env=local parallel=0", []string{"parallel=0: must be at least 1; fix:", "parallel=2"}},
	{"deploy:all env=local parallel=-3", []string{"parallel=-3: must be at least 1; fix:"}},
	{"deploy:all env=local parallel=abc", []string{"parallel=abc: is not a whole number; fix:", "parallel=2"}},
	{"deploy:all env=local parallel=", []string{"parallel=: is not a whole number; fix:"}},
	{"deploy:all env=local -parallel", []string{"parallel=: needs a value; fix: go run mage.go deploy:all env=local parallel=2"}},
	{"deploy:all env=local project=dns", []string{"deploy:all does not take project=; fix: deploy:project takes project=: go run mage.go deploy:project env=local project=dns"}},
	{"deploy:all env=local base=HEAD~1", []string{"deploy:all does not take base=; fix: deploy:affected takes base=: go run mage.go deploy:affected env=local base=HEAD~1"}},
	{"deploy:project env=local projects=dns", []string{"deploy:project does not take projects=; fix: did you mean project=?"}},
	{"deploy:all env=local paralel=2", []string{"deploy:all does not take paralel=; fix: did you mean parallel=?"}},
	{"deploy:all environment=local", []string{"deploy:all does not take environment=; fix: deploy:all takes env= and parallel=: go run mage.go deploy:all env=staging"}},
	{"graph env=local", []string{"graph does not take env=; fix: graph takes format=: go run mage.go graph"}},
	{"lint env=local", []string{"lint does not take env=; fix: lint takes no arguments: go run mage.go lint"}},
	{"deploy:all env=local env=dev", []string{"deploy:all: env= is given twice (env=local and env=dev); fix: keep one"}},
	{"deploy:all local dev", []string{`deploy:all: "dev" is not an argument of deploy:all; fix: deploy:all takes env= and parallel=`}},
	{"deploy:all env=local deploy:al", []string{`"deploy:al" is not an argument of deploy:all; fix: did you mean the target deploy:all?`}},
	{"deploy:al env=local", []string{`unknown target "deploy:al"; fix: did you mean deploy:all?`}},
	{"nosuchthing", []string{`unknown target "nosuchthing"; fix: go run mage.go -l lists the targets`}},
	{"env=local deploy:all", []string{`"env=local" comes before any target; fix: name the target first`}},
	{"outputs env=local json=yes", []string{"json=yes: is not true or false; fix: write json=true, or leave it out"}},
	{"deploy:project env=local project=dns with=", []string{"with=: is empty; fix: write with=upstreams, or leave it out"}},
	{"destroy:all env=prod confirm=", []string{"confirm=: is empty; fix: write confirm=prod"}},
}

func TestBadArguments(t *testing.T) {
	ts := targets(t)
	for _, c := range badArgs {
		_, err := Normalize(ts, strings.Fields(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.in)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: the error is not one line: %q", c.in, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s:\n got %q\nwant %q", c.in, msg, w)
			}
		}
		// It names the argument or the target, and how to fix it.
		if !strings.Contains(msg, "fix:") && !strings.Contains(msg, "go run mage.go") {
			t.Errorf("%s: %q gives no fix", c.in, msg)
		}
	}
}

func TestSuggest(t *testing.T) {
	for word, want := range map[string]string{
		"projects": "project", "Parallel": "parallel", "paralel": "parallel", "environment": "", "e": "",
	} {
		if got := Suggest(word, []string{"env", "project", "parallel", "with"}); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}
