package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Root: root, StateDir: t.TempDir()}, Commands())
	return code, out.String(), errOut.String()
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"deploy", "preview", "refresh", "destroy", "drift", "outputs", "graph", "affected", "exit codes"} {
		if !strings.Contains(out, c) {
			t.Errorf("help lacks %q:\n%s", c, out)
		}
	}
}

func TestBadInputIsOneClearErrorAndExit1(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown command "nope"`},
		{[]string{"deploy"}, "deploy needs an environment"},
		{[]string{"deploy", "-env", "Bad!"}, `unknown environment "Bad!"`},
		{[]string{"deploy", "env=juan9"}, "environments/juan9.yaml does not exist"},
		{[]string{"destroy", "-env", "prod"}, "destroying in prod needs explicit confirmation: add confirm=prod"},
		{[]string{"preview", "-env", "prod", "-no-policy"}, "-no-policy is not allowed in prod"},
		{[]string{"deploy", "-env", "local", "-project", "dns", "-with", "sideways"}, "sideways"},
		{[]string{"deploy", "-env", "local", "-project", "dns", "-affected", "HEAD"}, "either -project or -affected"},
		{[]string{"graph", "-format", "svg"}, `unknown -format "svg"`},
		{[]string{"affected", "-env", "local"}, "affected needs -base=<git ref>"},
	}
	for _, c := range cases {
		code, _, errOut := run(t, c.args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", c.args, code)
		}
		if !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: stderr %q, want an error containing %q", c.args, errOut, c.want)
		}
	}
}

// A shared environment without PULUMI_BACKEND_URL is refused. It runs in a
// root without projects, so that nothing is compiled before the refusal.
func TestSharedEnvironmentNeedsABackend(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "")
	root := copyEnvironments(t)
	t.Setenv(layout.EnvRoot, root)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"deploy", "staging"}, Env{Stdout: &out, Stderr: &errOut, Root: root, StateDir: t.TempDir()}, Commands())
	if code != 1 || !strings.Contains(errOut.String(), "env staging needs PULUMI_BACKEND_URL") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestGraph(t *testing.T) {
	code, out, _ := run(t, "graph")
	if code != 0 || !strings.Contains(out, "kafka_data_plane --> kafka_integrations") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "graph", "-format", "dot")
	if code != 0 || !strings.Contains(out, `"kafka-integrations" -> "gcp-gmail"`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestEnvArg(t *testing.T) {
	for in, want := range map[string]string{"staging": "staging", "env=staging": "staging", "": ""} {
		if got := EnvArg(in); got != want {
			t.Errorf("EnvArg(%q) = %q", in, got)
		}
	}
}
