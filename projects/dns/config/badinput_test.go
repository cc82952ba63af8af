package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/dns/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.DNSProject

// The corpus of bad inputs of the dns project: each case mutates the
// committed projects/dns/Pulumi.local.yaml or environments/local.yaml and
// config.Load must fail with one problem naming the file, the key and the
// fix. Values are found in the committed files by key, not copied here.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	runBadInputs(t, "local", []badInput{
		{"IP address out of range", edit(stackFile, sub(`(ips: \[")[^"]+`, `${1}192.0.2.300`)),
			stackFile, "dns:nodes[0].ips[0]", []string{`"192.0.2.300" is not an IP address`, "fix: use an IPv4 address"}},
		{"IPv6 address in an A record", edit(stackFile, sub(`(ips: \[")[^"]+`, `${1}2001:db8::1`)),
			stackFile, "dns:nodes[0].ips[0]", []string{"is an IPv6 address", "fix: use an IPv4 address"}},
		{"domain outside the zone", edit(stackFile, sub(`(?m)^(\s+domain: )\S+`, `${1}node.example.com`)),
			stackFile, "dns:nodes[0].domain", []string{"is outside the zone", "fix: use a name in the zone of environments/local.yaml"}},
		{"domain without the environment", edit(stackFile, sub(`(?m)^(\s+domain: )[^.\s]+`, `${1}node`)),
			stackFile, "dns:nodes[0].domain", []string{`does not carry the environment "local"`, "fix: put the environment in the name"}},
		{"invalid node name", edit(stackFile, sub(`(?m)^(\s+- name: )\S+`, `${1}Node_1`)),
			stackFile, "dns:nodes[0].name", []string{"the name is not valid", "fix: use at most"}},
		{"node with no address", edit(stackFile, sub(`ips: \[[^\]]*\]`, `ips: []`)),
			stackFile, "dns:nodes[0].ips", []string{"has no IP address", "fix: list at least one IPv4 address"}},
		{"misspelt node field", edit(stackFile, sub(`(?m)^(\s+)domain:`, `${1}domian:`)),
			stackFile, "dns:nodes", []string{`cannot be read: unknown field "domian"`, "fix: did you mean domain?"}},
		{"misspelt nodes key", edit(stackFile, sub(`dns:nodes:`, `dns:node:`)),
			stackFile, "dns:node", []string{"is not a key of this project", "fix: did you mean dns:nodes?"}},
		{"unknown key", edit(stackFile, addKey("dns:ttl: 60")),
			stackFile, "dns:ttl", []string{"is not a key of this project", "fix: remove it, or use one of dns:nodes"}},
		{"environment without a zone name", edit("environments/local.yaml", sub(`(?m)^\s+zoneName: .*\n`, ``)),
			"environments/local.yaml", "cloudflare.zoneName", []string{"is missing", "fix: set the DNS zone"}},
	})
}

// committedRoot copies the repository's environment files and this
// project's folder (its stack files, topic files and bundles; no Go code)
// into a temporary root and points INFRA_ROOT at it, so config.Load reads
// the committed configuration, mutated by one case.
func committedRoot(t *testing.T) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, dir := range []string{"environments", filepath.Join("projects", project)} {
		err := filepath.WalkDir(filepath.Join(src, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			if d.IsDir() {
				if d.Name() == "program" || d.Name() == "config" || d.Name() == "build" {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(root, rel), 0o755)
			}
			if strings.HasSuffix(path, ".go") || strings.HasPrefix(d.Name(), "go.") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(root, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(layout.EnvRoot, root)
	return root
}

// change is the mutation of one case.
type change func(t *testing.T, root string)

// edit rewrites a file of the root with fn; fn must change it.
func edit(rel string, fn func(t *testing.T, s string) string) change {
	return func(t *testing.T, root string) {
		t.Helper()
		path := filepath.Join(root, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out := fn(t, string(data))
		if out == string(data) {
			t.Fatalf("the mutation leaves %s unchanged", rel)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sub replaces the first match of the regular expression re with repl
// ($1 expands); the committed file must match, or the case is out of date.
func sub(re, repl string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		t.Helper()
		rx := regexp.MustCompile(re)
		loc := rx.FindStringSubmatchIndex(s)
		if loc == nil {
			t.Fatalf("the committed file has no match of %s: rewrite the case", re)
		}
		return s[:loc[0]] + string(rx.ExpandString(nil, repl, s, loc)) + s[loc[1]:]
	}
}

// addKey adds a top-level key of the project to a stack file's config.
func addKey(text string) func(t *testing.T, s string) string {
	return sub(`(?m)^config:.*$`, "config:\n  "+text)
}

func loadConfig(ctx *pulumi.Context) error {
	_, err := config.Load(ctx)
	return err
}

// badInput is one case of the corpus.
type badInput struct {
	name   string
	change change
	file   string   // the file the problem names, relative to the root
	key    string   // the key it names
	want   []string // substrings of the error
}

// runBadInputs loads the committed configuration (it must be valid), then
// each case's mutation of it, which must fail with one problem naming the
// file, the key and the fix.
func runBadInputs(t *testing.T, stack string, cases []badInput) {
	committedRoot(t)
	if _, err := mocktest.Run(project, stack, loadConfig, mocktest.Options{}); err != nil {
		t.Fatalf("the committed configuration of %s/%s does not load: %v", project, stack, err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := committedRoot(t)
			c.change(t, root)
			_, err := mocktest.Run(project, stack, loadConfig, mocktest.Options{})
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want one problem", err)
			}
			if len(e.Problems) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(e.Problems), err)
			}
			p, msg := e.Problems[0], e.Error()
			t.Log(msg)
			if p.File != c.file || p.Key != c.key || p.Fix == "" {
				t.Errorf("problem %+v: want file %s, key %s and a fix", p, c.file, c.key)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}
