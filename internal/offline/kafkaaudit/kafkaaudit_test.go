package kafkaaudit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/cli/checks"
	"github.com/clustera/infra/internal/offline/kafkaaudit"
	"github.com/clustera/infra/shared/layout"
)

const token = "tok-5ecret-abc123"

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := layout.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// fakeAiven serves the topic list of clustera-creators/kafka-clustera.
func fakeAiven(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(handler))
	t.Cleanup(srv.Close)
	return srv
}

func topicsHandler(t *testing.T, names []string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/project/clustera-creators/service/kafka-clustera/topic" {
			http.Error(w, `{"message":"Not found","errors":[{"message":"Not found","status":404}]}`, http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "aivenv1 "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"Invalid token %s","errors":[{"message":"Invalid token","status":401}]}`, r.Header.Get("Authorization"))
			return
		}
		var topics []map[string]any
		for _, n := range names {
			topics = append(topics, map[string]any{"topic_name": n, "partitions": 1, "replication": 3, "state": "ACTIVE",
				"cleanup_policy": "delete", "retention_hours": 168, "tags": []any{}})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"topics": topics})
	}
}

func TestClientTopics(t *testing.T) {
	srv := fakeAiven(t, topicsHandler(t, []string{"staging-runtime", "dev-runtime"}))
	c := &kafkaaudit.Client{BaseURL: srv.URL, Token: token}
	got, err := c.Topics(context.Background(), "clustera-creators", "kafka-clustera")
	if err != nil {
		t.Fatal(err)
	}
	want := []kafkaaudit.Topic{{Name: "staging-runtime", Partitions: 1, Replication: 3, State: "ACTIVE"}, {Name: "dev-runtime", Partitions: 1, Replication: 3, State: "ACTIVE"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("topics %+v", got)
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		token   string
		timeout time.Duration
		want    []string
	}{
		{"no token", nil, "", 0, []string{"AIVEN_TOKEN is not set"}},
		{"401", topicsHandler(t, nil), "wrong-" + token, 0, []string{"401", "AIVEN_TOKEN is invalid", "Invalid token"}},
		{"403", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":[{"message":"Not a member of project","status":403}]}`))
		}, token, 0, []string{"403", "Not a member of project"}},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Service kafka-clustera does not exist","errors":[{"message":"x","status":404}]}`))
		}, token, 0, []string{"404", "no such project or service", "aiven.kafkaService", "does not exist"}},
		{"500 without JSON", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}, token, 0, []string{"502", "<html>bad gateway</html>"}},
		{"bad JSON", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"topics": [`))
		}, token, 0, []string{"not the expected JSON"}},
		{"no topics key", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"message": "ok"}`))
		}, token, 0, []string{`no "topics" list`}},
		{"topic without name", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"topics": [{"partitions": 1}]}`))
		}, token, 0, []string{"no topic_name"}},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}, token, 200 * time.Millisecond, []string{"no answer", "within 200ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := "http://127.0.0.1:1"
			if tc.handler != nil {
				url = fakeAiven(t, tc.handler).URL
			}
			c := &kafkaaudit.Client{BaseURL: url, Token: tc.token, Timeout: tc.timeout}
			_, err := c.Topics(ctx, "clustera-creators", "kafka-clustera")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the token leaked into the error: %q", err)
			}
		})
	}
}

func TestAudit(t *testing.T) {
	managed := map[string]string{
		"staging-runtime":                   "kafka-data-plane",
		"staging-raw-records":               "kafka-data-plane",
		"staging-integrations-worker-gmail": "kafka-integrations",
	}
	var listed []kafkaaudit.Topic
	for _, n := range []string{"staging-runtime", "staging-integrations-worker-gmail", "staging-legacy", "dev-runtime",
		"dev2-runtime", "prod-runtime", "runtime", "olduser9-runtime", "_schemas", "__consumer_offsets"} {
		listed = append(listed, kafkaaudit.Topic{Name: n})
	}
	r := kafkaaudit.Audit("staging", listed, managed, []string{"dev", "dev2", "local", "prod", "staging", "steve1"})
	if got := r.Missing; len(got) != 1 || got[0].Name != "staging-raw-records" || got[0].Project != "kafka-data-plane" {
		t.Errorf("missing %+v", got)
	}
	if len(r.Present) != 2 {
		t.Errorf("present %+v", r.Present)
	}
	if want := []string{"olduser9-runtime", "runtime", "staging-legacy"}; !reflect.DeepEqual(r.Unmanaged, want) {
		t.Errorf("unmanaged %v, want %v", r.Unmanaged, want)
	}
	if want := map[string][]string{"dev": {"dev-runtime"}, "dev2": {"dev2-runtime"}, "prod": {"prod-runtime"}}; !reflect.DeepEqual(r.OtherEnvs, want) {
		t.Errorf("other environments %v, want %v", r.OtherEnvs, want)
	}
	if want := []string{"__consumer_offsets", "_schemas"}; !reflect.DeepEqual(r.Internal, want) {
		t.Errorf("internal %v", r.Internal)
	}
	if r.Findings() != 4 {
		t.Errorf("findings %d, want 4", r.Findings())
	}
	var out bytes.Buffer
	r.WriteText(&out, true)
	for _, want := range []string{"missing (declared by a stack, not in Aiven): 1", "staging-raw-records (kafka-data-plane; deploy it",
		"olduser9-runtime (prefix \"olduser9-\", but there is no environments/olduser9.yaml", "runtime (no environment prefix)",
		"dev 1, dev2 1, prod 1", "result: 4 finding(s) (exit 1)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	clean := kafkaaudit.Audit("staging", []kafkaaudit.Topic{{Name: "staging-runtime"}, {Name: "dev-x"}}, map[string]string{"staging-runtime": "kafka-data-plane"}, []string{"dev", "staging"})
	if clean.Findings() != 0 {
		t.Fatalf("clean audit has findings: %+v", clean)
	}
}

// The managed set is what the Kafka programs declare for the environment.
func TestManaged(t *testing.T) {
	t.Setenv(layout.EnvRoot, repoRoot(t))
	m, err := kafkaaudit.Managed("staging")
	if err != nil {
		t.Fatal(err)
	}
	for name, project := range map[string]string{
		"staging-runtime":                       "kafka-data-plane",
		"staging-integrations-worker-gmail":     "kafka-integrations",
		"staging-integrations-worker-gmail-dlq": "kafka-integrations",
		"staging-integrations-incoming-records": "kafka-integrations",
	} {
		if m[name] != project {
			t.Errorf("%s: managed by %q, want %s", name, m[name], project)
		}
	}
	for name := range m {
		if !strings.HasPrefix(name, "staging-") {
			t.Errorf("staging declares %s", name)
		}
	}
	if _, err := kafkaaudit.Managed("nosuchenv9"); err == nil {
		t.Fatal("an unknown environment has managed topics")
	}
}

// The command end to end: exit 0 when clean, 1 on findings or errors, and
// the token is never printed.
func TestCommand(t *testing.T) {
	root := repoRoot(t)
	t.Setenv(layout.EnvRoot, root)
	t.Setenv("AIVEN_TOKEN", token)
	managed, err := kafkaaudit.Managed("staging")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range managed {
		names = append(names, n)
	}
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &out, Root: root}, checks.Commands())
		if strings.Contains(out.String(), token) {
			t.Fatalf("the token was printed:\n%s", out.String())
		}
		return code, out.String()
	}

	srv := fakeAiven(t, topicsHandler(t, append(names, "dev-runtime")))
	if code, out := run("kafka-audit", "-env", "staging", "-api-url", srv.URL); code != 0 || !strings.Contains(out, "result: clean") || !strings.Contains(out, "other environments") {
		t.Fatalf("clean: exit %d\n%s", code, out)
	}
	srv = fakeAiven(t, topicsHandler(t, append(names[1:], "staging-legacy")))
	code, out := run("kafka-audit", "-env", "staging", "-api-url", srv.URL, "-json")
	if code != 1 {
		t.Fatalf("findings: exit %d\n%s", code, out)
	}
	var rep kafkaaudit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	if len(rep.Missing) != 1 || rep.Missing[0].Name != names[0] || !reflect.DeepEqual(rep.Unmanaged, []string{"staging-legacy"}) {
		t.Fatalf("report %+v", rep)
	}
	t.Setenv("AIVEN_TOKEN", "wrong-"+token)
	if code, out := run("kafka-audit", "-env", "staging", "-api-url", srv.URL); code != 1 || !strings.Contains(out, "401") {
		t.Fatalf("bad token: exit %d\n%s", code, out)
	}
	if code, out := run("kafka-audit"); code != 1 || !strings.Contains(out, "needs an environment") {
		t.Fatalf("no env: exit %d\n%s", code, out)
	}
}
