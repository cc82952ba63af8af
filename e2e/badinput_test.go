package e2e

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/shared/contracts"
)

// TestBadInputChangesNothing deploys the local environment, then tries bad
// inputs against it through the orchestrator binary, one at a time: bad
// command lines and broken environment files, which are refused before any
// project runs, and broken project configuration, which fails its project
// in the preflight (its dependents blocked) while the others report no
// change. Each must exit 1 with one clear error naming the argument or
// file, the key and the fix, and leave every cloud object and every stack's
// state as they were. The files are mutated from the workspace's committed
// copies and restored after each case; the unit tests hold the full corpus
// (internal/cli, internal/cli/cliargs, shared/environment, shared/topics,
// projects/*/config).
func TestBadInputChangesNothing(t *testing.T) {
	w := newWorkspace(t)
	if r := w.infra("deploy", "-env", "local"); r.code != 0 {
		t.Fatalf("deploy: exit %d\n%s", r.code, r.out)
	}
	objects, states := w.snapshot()
	if len(objects) == 0 {
		t.Fatal("the deploy created no cloud object")
	}

	const envFile = "environments/local.yaml"
	cases := []struct {
		name   string
		args   []string
		file   string // mutated, then restored; "" for none
		re     string // the first match in file is replaced with repl
		repl   string
		want   []string
		broken string // the project whose config the input breaks; "" when nothing runs
	}{
		{name: "parallel=0", args: []string{"deploy", "-env", "local", "-parallel", "0"},
			want: []string{"-parallel=0: must be at least 1; fix: "}},
		{name: "parallel=abc", args: []string{"deploy", "-env", "local", "-parallel=abc"},
			want: []string{"-parallel=abc: is not a whole number; fix: "}},
		{name: "unknown project", args: []string{"deploy", "-env", "local", "-project", "kafka-data-plan"},
			want: []string{`-project=kafka-data-plan: unknown project "kafka-data-plan"; fix: did you mean kafka-data-plane?`}},
		{name: "bad with", args: []string{"deploy", "-env", "local", "-project", "dns", "-with", "everything"},
			want: []string{"-with=everything: is not a selection mode; fix: use -with=alone, -with=upstreams or -with=dependents"}},
		{name: "base that does not exist", args: []string{"deploy", "-env", "local", "-affected", "origin/no-such-branch"},
			want: []string{"-affected=origin/no-such-branch: is not a commit of this repository; fix: "}},
		{name: "missing environment", args: []string{"deploy", "-parallel", "2"},
			want: []string{"deploy needs an environment: -env=<local|dev|testing|staging|prod|personal>; fix: "}},
		{name: "affected without base", args: []string{"affected", "-env", "local"},
			want: []string{"affected needs -base=<git ref>: infra affected -env=local -base=origin/main"}},
		{name: "misspelt environment key", args: []string{"deploy", "-env", "local"},
			file: envFile, re: `(?m)^(\s+)kafkaService:`, repl: "${1}kafka_service:",
			want: []string{envFile + ":", "aiven.kafka_service: unknown key; fix: did you mean aiven.kafkaService?"}},
		{name: "bad region", args: []string{"deploy", "-env", "local"},
			file: envFile, re: `(?m)^(\s+region: ).*$`, repl: "${1}mars",
			want: []string{envFile + ": gcp.region:", `"mars" is not valid; fix: use a region such as us-central1`}},
		{name: "bad policy level", args: []string{"preview", "-env", "local"},
			file: envFile, re: `(?m)^gcp:$`, repl: "policy:\n  level: strict\ngcp:",
			want: []string{envFile + ": policy.level:", `unknown level "strict"; fix: use advisory, mandatory or disabled`}},
		{name: "misspelt stack key", args: []string{"deploy", "-env", "local"}, broken: contracts.GCPGmailProject,
			file: "projects/" + contracts.GCPGmailProject + "/Pulumi.local.yaml", re: `(?m)^config:.*$`, repl: "config:\n  gcp-gmail:ackDeadlineSecond: 30",
			want: []string{"projects/gcp-gmail/Pulumi.local.yaml: gcp-gmail:ackDeadlineSecond: is not a key of this project; fix: did you mean gcp-gmail:ackDeadlineSeconds?"}},
		{name: "camelCase topic key", args: []string{"deploy", "-env", "local"}, broken: contracts.KafkaDataPlaneProject,
			file: "projects/" + contracts.KafkaDataPlaneProject + "/kafka-topics.yaml", re: `(?m)^(\s+)(- name: .*)$`, repl: "${1}${2}\n${1}  retentionMs: \"259200000\"",
			want: []string{"projects/kafka-data-plane/kafka-topics.yaml:", "topics[0].retentionMs: unknown key; fix: did you mean retention_ms?"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.file != "" {
				orig := w.read(c.file)
				rx := regexp.MustCompile(c.re)
				loc := rx.FindStringSubmatchIndex(orig)
				if loc == nil {
					t.Fatalf("%s has no match of %s: rewrite the case", c.file, c.re)
				}
				w.write(c.file, orig[:loc[0]]+string(rx.ExpandString(nil, c.repl, orig, loc))+orig[loc[1]:])
				defer w.write(c.file, orig)
			}
			r := w.infra(c.args...)
			if r.code != report.ExitFailed {
				t.Errorf("exit %d, want 1\n%s", r.code, r.out)
			}
			if c.broken == "" {
				// Refused before anything ran: the whole output is the one
				// error, and there is no run (no report).
				line := strings.TrimSpace(r.out)
				if !strings.HasPrefix(line, "error: ") || strings.Contains(line, "\n") || r.report != nil {
					t.Errorf("want one error line and no run, got:\n%s", r.out)
				}
				for _, want := range c.want {
					if !strings.Contains(line, want) {
						t.Errorf("the error lacks %q:\n%s", want, line)
					}
				}
			} else {
				checkConfigRefused(t, r, c.broken, c.want)
			}
			gotObjects, gotStates := w.snapshot()
			if gotObjects != objects {
				t.Errorf("the cloud objects changed:\nbefore %s\nafter  %s", objects, gotObjects)
			}
			for p, before := range states {
				if gotStates[p] != before {
					t.Errorf("the state of %s changed:\n%s", p, firstDifference(before, gotStates[p]))
				}
			}
		})
	}

	// With every input restored the environment is exactly as deployed.
	r := w.infra("deploy", "-env", "local")
	if r.code != 0 {
		t.Fatalf("deploy after the bad inputs: exit %d\n%s", r.code, r.out)
	}
	for _, row := range r.report.Rows {
		if row.Result != report.NoOp || row.Changes.Any() {
			t.Errorf("%s: %s %+v after the bad inputs, want no-op", row.Project, row.Label(), row.Changes)
		}
	}
}

// checkConfigRefused checks a run in which one project's configuration is
// bad: that project fails in the preflight with the one problem, its
// dependents are blocked, every other project reports no change.
func checkConfigRefused(t *testing.T, r result, broken string, want []string) {
	t.Helper()
	if r.report == nil {
		t.Fatalf("no report:\n%s", r.out)
	}
	if !strings.Contains(r.out, "preflight: 1 of ") {
		t.Errorf("the problem is not listed up front:\n%s", r.out)
	}
	blocked := map[string]bool{}
	for _, p := range dependentsOf(broken) {
		blocked[p] = true
	}
	for _, p := range contracts.Projects {
		row := r.row(p)
		switch {
		case p == broken:
			if row.Result != report.Failed {
				t.Errorf("%s: %s, want failed", p, row.Label())
			}
			for _, w := range want {
				if !strings.Contains(row.Error, w) {
					t.Errorf("%s: the error lacks %q:\n%s", p, w, row.Error)
				}
			}
			if n := strings.Count(row.Error, "; fix: "); n != 1 {
				t.Errorf("%s: %d problems, want one:\n%s", p, n, row.Error)
			}
		case blocked[p]:
			if row.Label() != "blocked-by-"+broken {
				t.Errorf("%s: %s, want blocked-by-%s", p, row.Label(), broken)
			}
		default:
			if row.Result != report.NoOp || row.Changes.Any() {
				t.Errorf("%s: %s %+v, want no-op", p, row.Label(), row.Changes)
			}
		}
	}
}

// firstDifference describes the first resource whose state differs.
func firstDifference(before, after string) string {
	var a, b []json.RawMessage
	_ = json.Unmarshal([]byte(before), &a)
	_ = json.Unmarshal([]byte(after), &b)
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return "added " + string(b[i])
		case i >= len(b):
			return "removed " + string(a[i])
		case string(a[i]) != string(b[i]):
			return "before " + string(a[i]) + "\nafter  " + string(b[i])
		}
	}
	return "nothing"
}

// snapshot returns the sandbox's cloud objects and every stack's resources
// (URN, type, ID, inputs, outputs, protection), each as canonical JSON.
func (w *workspace) snapshot() (objects string, states map[string]string) {
	w.t.Helper()
	data, err := json.Marshal(w.objects())
	if err != nil {
		w.t.Fatal(err)
	}
	states = map[string]string{}
	for _, p := range contracts.Projects {
		// A no-op deploy rewrites the checkpoint: resources in another
		// order, and default providers with a new ID. Neither is a change.
		resources := w.export(p).Deployment.Resources
		sort.Slice(resources, func(i, j int) bool { return resources[i].URN < resources[j].URN })
		for i := range resources {
			if strings.HasPrefix(resources[i].Type, "pulumi:providers:") {
				resources[i].ID = ""
			}
		}
		res, err := json.Marshal(resources)
		if err != nil {
			w.t.Fatal(err)
		}
		states[p] = string(res)
	}
	return string(data), states
}
