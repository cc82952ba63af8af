package policyrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/internal/offline/crossstack"
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLocalPasses(t *testing.T) {
	rep, err := Run(root(t), "local")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode != 0 || rep.Mandatory != 0 || rep.Failed != 0 || rep.Level != enforcement.Advisory {
		t.Fatalf("report: exit %d, %d mandatory, %d failed, level %s\n%s", rep.ExitCode, rep.Mandatory, rep.Failed, rep.Level, out.String())
	}
	for _, p := range rep.Projects {
		if p.Status != StatusOK || p.Resources == 0 {
			t.Errorf("%s: %s, %d resources", p.Name, p.Status, p.Resources)
		}
		if !strings.Contains(out.String(), "\n"+p.Name+": ") {
			t.Errorf("output lacks %s", p.Name)
		}
	}
	if !strings.Contains(out.String(), "PASS") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestUnknownEnvironment(t *testing.T) {
	if _, err := Run(root(t), "nope!"); err == nil {
		t.Fatal("no error")
	}
}

// topicResult is a run of kafka-data-plane in env that declared one topic
// with replication 1.
func topicResult(env string) *mockrun.Result {
	topic := mocktest.Resource{Type: rules.TypeKafkaTopic, Name: "runtime", Custom: true, Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": env + "-runtime", "partitions": 3, "replication": 1,
	})}
	return &mockrun.Result{Env: env, Projects: []*mockrun.ProjectResult{{
		Name: "kafka-data-plane", Stack: env, Resources: []mocktest.Resource{topic},
		Exports: map[string]any{"aivenProject": "clustera-creators", "kafkaService": "kafka-clustera", "topicNames": map[string]any{"runtime": env + "-runtime"}},
	}}}
}

func find(rep *Report, policy string) (Violation, bool) {
	for _, p := range rep.Projects {
		for _, v := range p.Violations {
			if v.Policy == policy {
				return v, true
			}
		}
	}
	return Violation{}, false
}

func TestLevelsDecideWhatBlocks(t *testing.T) {
	for _, tc := range []struct {
		env, level string
		overrides  map[string]string
		exit       int
		reported   bool
	}{
		{"staging", enforcement.Mandatory, nil, 1, true},
		{"local", enforcement.Advisory, nil, 0, true},
		{"staging", enforcement.Disabled, nil, 0, false},
		// Other policies still block the synthetic topic: exit not checked.
		{"staging", "", map[string]string{"kafka-topic-replication": enforcement.Advisory}, 1, true},
	} {
		levels, err := enforcement.Levels(tc.env, tc.level, tc.overrides)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Evaluate(root(t), topicResult(tc.env), tc.level, levels, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := find(rep, "kafka-topic-replication")
		if ok != tc.reported {
			t.Errorf("%s %s %v: reported = %v", tc.env, tc.level, tc.overrides, ok)
			continue
		}
		if tc.overrides != nil && rep.Overrides["kafka-topic-replication"] != enforcement.Advisory {
			t.Errorf("overrides = %v", rep.Overrides)
		}
		if ok && v.Level != levels["kafka-topic-replication"] {
			t.Errorf("%s: level %s, want %s", tc.env, v.Level, levels["kafka-topic-replication"])
		}
		if ok && (!strings.Contains(v.Resource, `"runtime"`) || !strings.Contains(v.Problem, "replication is 1")) {
			t.Errorf("violation %+v", v)
		}
		if tc.overrides == nil && rep.ExitCode != tc.exit {
			t.Errorf("%s %s: exit %d, want %d", tc.env, tc.level, rep.ExitCode, tc.exit)
		}
	}
}

func TestStackOutputsAreChecked(t *testing.T) {
	levels, _ := enforcement.Levels("staging", "", nil)
	res := topicResult("staging")
	res.Projects[0].Exports["apiToken"] = "plain"
	rep, err := Evaluate(root(t), res, enforcement.Mandatory, levels, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := find(rep, rules.SecretOutputs); !ok || !strings.Contains(v.Problem, "apiToken") {
		t.Fatalf("secret-outputs not reported: %+v", rep.Projects[0].Violations)
	}
	res.Projects[0].SecretExports = map[string]bool{"apiToken": true}
	rep, err = Evaluate(root(t), res, enforcement.Mandatory, levels, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := find(rep, rules.SecretOutputs); ok {
		t.Fatalf("a secret output was reported: %+v", v)
	}
}

func TestCrossStackFindingsAndFailuresBlock(t *testing.T) {
	levels, _ := enforcement.Levels("local", "", nil)
	res := &mockrun.Result{Env: "local", Projects: []*mockrun.ProjectResult{{Name: "dns", Stack: "local"}}}
	finding := crossstack.Finding{Check: crossstack.DNSOwner, Project: "cloudflare-workers", Subject: "x", Problem: "p", Fix: "f"}
	rep, err := Evaluate(root(t), res, enforcement.Advisory, levels, []crossstack.Finding{finding})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode != 1 || rep.Mandatory != 1 || rep.CrossStack[0].Level != enforcement.Mandatory {
		t.Fatalf("cross-stack finding in local: %+v", rep)
	}
	var out bytes.Buffer
	_ = rep.Write(&out)
	if !strings.Contains(out.String(), "MANDATORY "+crossstack.DNSOwner) || !strings.Contains(out.String(), "FAIL: 1 mandatory violations") {
		t.Errorf("output:\n%s", out.String())
	}

	res.Projects[0].Err = errors.New("dns (stack local): invalid configuration: environments/local.yaml: cloudflare.zoneId: is missing")
	res.Projects = append(res.Projects, &mockrun.ProjectResult{Name: "kafka-data-plane", Stack: "local", Err: &walk.BlockedError{By: []string{"dns"}}})
	rep, err = Evaluate(root(t), res, enforcement.Advisory, levels, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode != 1 || rep.Failed != 2 || rep.Projects[0].Status != StatusFailed || rep.Projects[1].Status != StatusBlocked {
		t.Fatalf("failed programs: %+v", rep)
	}
	out.Reset()
	_ = rep.Write(&out)
	for _, want := range []string{"dns: FAILED", "cloudflare.zoneId: is missing", "kafka-data-plane: BLOCKED", "2 programs did not run (dns failed, kafka-data-plane blocked)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWriteJSON(t *testing.T) {
	levels, _ := enforcement.Levels("staging", "", nil)
	rep, err := Evaluate(root(t), topicResult("staging"), enforcement.Mandatory, levels, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.ExitCode != 1 || back.Env != "staging" || len(back.Projects) != 1 || back.Projects[0].Mandatory == 0 || back.Projects[0].Violations[0].Level != enforcement.Mandatory {
		t.Fatalf("decoded %+v", back)
	}
}
