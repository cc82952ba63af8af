package workflow_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/cli/checks"
	"github.com/clustera/infra/internal/engine/pulumicli"
)

// command is one command found in the documentation.
type command struct {
	file string
	line int
	tool string // "mage", "infra" or "pulumi"
	args []string
	text string
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// docCommands extracts the `go run mage.go …`, `infra …` / `bin/infra …`
// and `pulumi …` commands from the code blocks and inline code of files.
func docCommands(t *testing.T, files []string) []command {
	t.Helper()
	var out []command
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inBlock := false
		for i, l := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(l)
			if strings.HasPrefix(trimmed, "```") {
				inBlock = !inBlock
				continue
			}
			var candidates []string
			if inBlock {
				candidates = append(candidates, strings.TrimPrefix(trimmed, "$ "))
			} else {
				for _, m := range inlineCode.FindAllStringSubmatch(l, -1) {
					candidates = append(candidates, m[1])
				}
			}
			for _, c := range candidates {
				for _, part := range splitCommands(c) {
					if cmd, ok := parseCommand(part); ok {
						cmd.file, cmd.line, cmd.text = filepath.Base(f), i+1, part
						out = append(out, cmd)
					}
				}
			}
		}
	}
	return out
}

// splitCommands splits a shell line at &&, ||, ; and |, and drops comments.
func splitCommands(s string) []string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return regexp.MustCompile(`&&|\|\||;|\|`).Split(s, -1)
}

func parseCommand(s string) (command, bool) {
	words := shellWords(strings.TrimSpace(s))
	if len(words) == 0 {
		return command{}, false
	}
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "mage.go":
		return command{tool: "mage", args: words[3:]}, true
	case words[0] == "bin/infra" || words[0] == "infra":
		return command{tool: "infra", args: words[1:]}, true
	case words[0] == "pulumi" || words[0] == "bin/pulumi":
		return command{tool: "pulumi", args: words[1:]}, true
	}
	return command{}, false
}

// shellWords splits on blanks, keeping quoted strings whole.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	quote := rune(0)
	has := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, has = r, true
		case r == ' ' || r == '\t':
			if has || cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
			has = false
		case r == '>':
			return append(out, cur.String())
		default:
			cur.WriteRune(r)
		}
	}
	if has || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// mageTargets parses magefile.go: target name (mage's lowercase
// namespace:method) → parameter names.
func mageTargets(t *testing.T, root string) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "magefile.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	namespaces := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			if sel, ok := ts.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Namespace" {
				namespaces[ts.Name.Name] = true
			}
		}
	}
	targets := map[string][]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() {
			continue
		}
		name := strings.ToLower(fn.Name.Name)
		if fn.Recv != nil {
			id, ok := fn.Recv.List[0].Type.(*ast.Ident)
			if !ok || !namespaces[id.Name] {
				continue
			}
			name = strings.ToLower(id.Name) + ":" + name
		}
		var params []string
		for _, p := range fn.Type.Params.List {
			for _, n := range p.Names {
				params = append(params, n.Name)
			}
		}
		targets[name] = params
	}
	return targets
}

// infraFlags returns the commands of bin/infra, and the flags of one when
// asked.
func infraHelp(t *testing.T, root string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &out, Root: root}, append(cli.Commands(), checks.Commands()...))
	return code, out.String()
}

var flagLine = regexp.MustCompile(`(?m)^\s+-{1,2}([A-Za-z][\w-]*)`)

func runbookFiles(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "runbooks", "*.md"))
	if err != nil || len(files) < 8 {
		t.Fatalf("runbooks: %v %v", files, err)
	}
	return append(files, filepath.Join(root, "docs", "ci.md"))
}

// Every command the runbooks (and docs/ci.md) tell people to run exists:
// mage targets with their parameters, bin/infra commands with their flags,
// and Pulumi CLI commands with their flags.
func TestRunbookCommandsExist(t *testing.T) {
	root := repoRoot(t)
	cmds := docCommands(t, runbookFiles(t, root))
	count := map[string]int{}
	for _, c := range cmds {
		count[c.tool]++
	}
	if count["mage"] < 10 || count["infra"] < 5 || count["pulumi"] < 5 {
		t.Fatalf("found too few commands to trust the extraction: %v", count)
	}

	targets := mageTargets(t, root)
	_, help := infraHelp(t, root, "help")
	infraCmds := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z-]*)\s`).FindAllStringSubmatch(help, -1) {
		infraCmds[m[1]] = true
	}
	flagsOf := map[string]map[string]bool{}

	pulumi, _, perr := pulumicli.Find(root)
	if env := os.Getenv(pulumicli.EnvCLI); env != "" {
		pulumi, perr = env, nil
	}
	pulumiHelp := map[string]string{}

	for _, c := range cmds {
		where := c.file + ":" + strconv.Itoa(c.line) + ": " + c.text
		switch c.tool {
		case "mage":
			if len(c.args) == 0 || c.args[0] == "-l" {
				continue
			}
			params, ok := targets[c.args[0]]
			if !ok {
				t.Errorf("%s: no mage target %q", where, c.args[0])
				continue
			}
			for _, a := range c.args[1:] {
				k, _, isKV := strings.Cut(strings.TrimPrefix(a, "-"), "=")
				if isKV && !contains(params, k) {
					t.Errorf("%s: target %s has no parameter %q (has %v)", where, c.args[0], k, params)
				}
			}
		case "infra":
			if len(c.args) == 0 {
				continue
			}
			name := c.args[0]
			if !infraCmds[name] {
				t.Errorf("%s: no bin/infra command %q", where, name)
				continue
			}
			var used []string
			for _, a := range c.args[1:] {
				if strings.HasPrefix(a, "-") {
					k, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
					used = append(used, k)
				}
			}
			if len(used) == 0 {
				continue
			}
			if flagsOf[name] == nil {
				code, out := infraHelp(t, root, name, "-h")
				if code != 0 {
					t.Errorf("%s: infra %s -h exits %d:\n%s", where, name, code, out)
				}
				flagsOf[name] = map[string]bool{}
				for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
					flagsOf[name][m[1]] = true
				}
			}
			for _, k := range used {
				if !flagsOf[name][k] {
					t.Errorf("%s: infra %s has no flag -%s", where, name, k)
				}
			}
		case "pulumi":
			if perr != nil {
				continue
			}
			var words, flags []string
			for _, a := range c.args {
				if strings.HasPrefix(a, "-") {
					k, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
					flags = append(flags, k)
					continue
				}
				if len(flags) == 0 && regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(a) && len(words) < 3 {
					words = append(words, a)
				}
			}
			key := strings.Join(words, " ")
			out, ok := pulumiHelp[key]
			if !ok {
				cmd := exec.Command(pulumi, append(append([]string(nil), words...), "--help")...)
				cmd.Env = append(os.Environ(), "PULUMI_SKIP_UPDATE_CHECK=true", "PULUMI_HOME="+t.TempDir())
				b, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("%s: pulumi %s --help: %v\n%s", where, key, err, b)
					continue
				}
				out = string(b)
				pulumiHelp[key] = out
			}
			n := min(len(words), 2)
			if want := "pulumi " + strings.Join(words[:n], " "); !strings.Contains(out, want) {
				t.Errorf("%s: no pulumi command %q", where, want)
			}
			for _, f := range flags {
				if !strings.Contains(out, "--"+f+" ") && !strings.Contains(out, "--"+f+"\n") && !strings.Contains(out, "-"+f+", ") {
					t.Errorf("%s: pulumi %s has no flag --%s", where, key, f)
				}
			}
		}
	}
	if perr != nil {
		t.Logf("no Pulumi CLI (%v): the %d pulumi commands were not checked", perr, count["pulumi"])
	}
}

// The checker finds commands that do not exist, so the test above can fail.
func TestRunbookCheckerCatchesMistakes(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	doc := filepath.Join(dir, "bad.md")
	text := "```sh\ngo run mage.go deploy:everything env=prod\ngo run mage.go deploy:all environment=prod\nbin/infra nosuch -env x\n```\nRun `bin/infra import-check -env prod -nosuchflag`.\n"
	if err := os.WriteFile(doc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmds := docCommands(t, []string{doc})
	if len(cmds) != 4 {
		t.Fatalf("extracted %d commands, want 4: %+v", len(cmds), cmds)
	}
	targets := mageTargets(t, root)
	if _, ok := targets["deploy:everything"]; ok {
		t.Fatal("unknown target found")
	}
	if params := targets["deploy:all"]; contains(params, "environment") || !contains(params, "env") {
		t.Fatalf("deploy:all params %v", params)
	}
	if code, out := infraHelp(t, root, "nosuch"); code == 0 || !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown infra command: %d %s", code, out)
	}
	_, out := infraHelp(t, root, "import-check", "-h")
	flags := map[string]bool{}
	for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
		flags[m[1]] = true
	}
	if flags["nosuchflag"] || !flags["allow-create"] || !flags["env"] {
		t.Fatalf("import-check flags %v", flags)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
