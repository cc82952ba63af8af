package stackconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
)

// stackFile writes projects/dns/Pulumi.staging.yaml under a new root and
// points INFRA_ROOT at it.
func stackFile(t *testing.T, body string) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"environments", "projects/dns"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "projects", "dns", "Pulumi.staging.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(layout.EnvRoot, root)
}

func TestRejectUnknownKeys(t *testing.T) {
	stackFile(t, "config:\n  dns:nodes: []\n  dns:ackDeadlineSecond: 5\n  dns:colour: red\n  gcp:project: other-namespace\n")
	err := run(t, map[string]string{"dns:nodes": "[]", "dns:ackDeadlineSecond": "5", "dns:colour": "red"}, nil, func(r *Reader) {
		var nodes []any
		r.Object("nodes", &nodes)
		r.Int("ackDeadlineSeconds", 60)
		r.String("endpoint", "")
		r.RejectUnknown()
	})
	var e *problems.Error
	if !errors.As(err, &e) || len(e.Problems) != 2 {
		t.Fatalf("err = %v, want two problems", err)
	}
	for _, p := range e.Problems {
		if p.File != "projects/dns/Pulumi.staging.yaml" || p.Msg != "is not a key of this project" {
			t.Errorf("problem %+v", p)
		}
	}
	if p := e.Problems[0]; p.Key != "dns:ackDeadlineSecond" || p.Fix != "did you mean dns:ackDeadlineSeconds?" {
		t.Errorf("problem %+v, want a did-you-mean", p)
	}
	if p := e.Problems[1]; p.Key != "dns:colour" || !strings.Contains(p.Fix, "use one of dns:ackDeadlineSeconds, dns:endpoint, dns:nodes") {
		t.Errorf("problem %+v, want the project's keys", p)
	}
}

func TestRejectUnknownAcceptsEveryKeyRead(t *testing.T) {
	stackFile(t, "config:\n  dns:nodes: []\n  dns:token:\n    secure: v1:abc\n")
	err := run(t, map[string]string{"dns:nodes": "[]", "dns:token": "v1:abc"}, []string{"dns:token"}, func(r *Reader) {
		var nodes []any
		r.Object("nodes", &nodes)
		r.SecretString("token")
		r.RejectUnknown()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"ackDeadlineSeconds", "gmailWebhookEndpoint", "names", "importExisting"}
	for in, want := range map[string]string{
		"ackDeadlineSecond": "ackDeadlineSeconds", "AckDeadlineSeconds": "ackDeadlineSeconds", "import_existing": "importExisting",
		"name": "names", "colour": "", "x": "",
	} {
		if got := Suggest(in, keys); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMisspeltRequiredKeyIsOneProblem(t *testing.T) {
	stackFile(t, "config:\n  dns:nodez: []\n")
	err := run(t, map[string]string{"dns:nodez": "[]"}, nil, func(r *Reader) {
		var nodes []any
		if !r.Object("nodes", &nodes) {
			r.Problem("nodes", "is missing", "list the nodes")
		}
		r.RejectUnknown()
	})
	var e *problems.Error
	if !errors.As(err, &e) || len(e.Problems) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	if p := e.Problems[0]; p.Key != "dns:nodez" || p.Fix != "did you mean dns:nodes?" {
		t.Errorf("problem %+v", p)
	}
}

func TestObjectProblemsNameTheField(t *testing.T) {
	type node struct {
		Name string   `json:"name"`
		IPs  []string `json:"ips"`
		TTL  int      `json:"ttl"`
	}
	cases := map[string][2]string{
		`[{"nmae":"a"}]`:               {"dns:nodes", `cannot be read: unknown field "nmae"; fix: did you mean name?`},
		`[{"colour":"red"}]`:           {"dns:nodes", `cannot be read: unknown field "colour"; fix: use the fields name, ips, ttl, or remove it`},
		`[{"name":"a","ttl":"short"}]`: {"dns:nodes", "cannot be read: ttl is a string, not a whole number; fix: write a whole number"},
		`{"name":"a"}`:                 {"dns:nodes", "cannot be read: the value is a mapping, not a list; fix: write a list"},
	}
	for raw, want := range cases {
		err := run(t, map[string]string{"dns:nodes": raw}, nil, func(r *Reader) {
			var nodes []node
			r.Object("nodes", &nodes)
		})
		var e *problems.Error
		if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Key != want[0] || !strings.Contains(err.Error(), want[1]) {
			t.Errorf("%s: err = %v, want %s: %s", raw, err, want[0], want[1])
		}
	}
}
