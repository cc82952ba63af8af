package enforcement

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

func decode(t *testing.T, data []byte) map[string]map[string]any {
	t.Helper()
	var out map[string]map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("config is not a JSON object of objects: %v\n%s", err, data)
	}
	return out
}

func TestConfigPerEnvironment(t *testing.T) {
	for env, want := range map[string]string{
		"local": Advisory, "dev": Advisory, "testing": Advisory, "steve1": Advisory,
		"staging": Mandatory, "prod": Mandatory,
	} {
		t.Run(env, func(t *testing.T) {
			data, err := Config(env, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			got := decode(t, data)
			if len(got) != len(rules.Names()) {
				t.Errorf("config has %d policies, the pack %d", len(got), len(rules.Names()))
			}
			for _, name := range rules.Names() {
				if lvl := got[name]["enforcementLevel"]; lvl != want {
					t.Errorf("%s: enforcementLevel = %v, want %s", name, lvl, want)
				}
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	data, err := Config("staging", "", map[string]string{rules.DNSARecordTTL: Advisory, rules.RequiredTags: Disabled})
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, data)
	for name, want := range map[string]string{rules.DNSARecordTTL: Advisory, rules.RequiredTags: Disabled, rules.KafkaTopicReplication: Mandatory} {
		if lvl := got[name]["enforcementLevel"]; lvl != want {
			t.Errorf("%s: enforcementLevel = %v, want %s", name, lvl, want)
		}
	}
	// An explicit default level wins over the environment's.
	data, err = Config("dev", Mandatory, map[string]string{rules.DNSARecordTTL: Advisory})
	if err != nil {
		t.Fatal(err)
	}
	got = decode(t, data)
	if got[rules.KafkaTopicReplication]["enforcementLevel"] != Mandatory || got[rules.DNSARecordTTL]["enforcementLevel"] != Advisory {
		t.Errorf("dev with level mandatory: %s", data)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env, lvl  string
		overrides map[string]string
		want      string
	}{
		{"unknown environment", "Prod!", "", nil, "unknown environment"},
		{"unknown level", "dev", "strict", nil, `unknown enforcement level "strict"`},
		{"prod below mandatory", "prod", Advisory, nil, "prod must enforce policies"},
		{"unknown policy", "dev", "", map[string]string{"dns-ttl": Advisory}, "policy.overrides.dns-ttl: no policy has this name"},
		{"bad override level", "dev", "", map[string]string{rules.DNSARecordTTL: "warn"}, `policy.overrides.dns-a-record-ttl: unknown enforcement level "warn"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Config(tc.env, tc.lvl, tc.overrides)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigWithProperties(t *testing.T) {
	data, err := ConfigWithProperties("dev", "", nil, map[string]map[string]any{
		rules.KafkaTopicRetention: {"maxRetentionMs": 604800000},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, data)[rules.KafkaTopicRetention]
	if got["enforcementLevel"] != Advisory || got["maxRetentionMs"] != float64(604800000) {
		t.Errorf("kafka-topic-retention config = %v", got)
	}
	if _, err := ConfigWithProperties("dev", "", nil, map[string]map[string]any{rules.KafkaTopicRetention: {"maxRetention": 1}}); err == nil || !strings.Contains(err.Error(), `has no property "maxRetention"`) {
		t.Errorf("unknown property: err = %v", err)
	}
	if _, err := ConfigWithProperties("dev", "", nil, map[string]map[string]any{"nope": {}}); err == nil || !strings.Contains(err.Error(), `unknown policy "nope"`) {
		t.Errorf("unknown policy: err = %v", err)
	}
}

// TestEnvironmentFiles builds the config of every environment file of the
// repository, as the orchestrator will.
func TestEnvironmentFiles(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Skipf("no repository root: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(root, "environments", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no environment files under %s: %v", root, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			s, err := environment.Load(root, name)
			if err != nil {
				t.Fatal(err)
			}
			data, err := ForSettings(s)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := DefaultLevel(name)
			if s.Policy.Level != "" {
				want = s.Policy.Level
			}
			if lvl := decode(t, data)[rules.DataProtection]["enforcementLevel"]; lvl != want && s.Policy.Overrides[rules.DataProtection] == "" {
				t.Errorf("data-protection level = %v, want %s", lvl, want)
			}
		})
	}
}

func TestForSettingsNamesTheFile(t *testing.T) {
	s := &environment.Settings{Name: "dev", Kind: environment.Shared, File: "environments/dev.yaml",
		Policy: environment.PolicySettings{Overrides: map[string]string{"typo": Advisory}}}
	_, err := ForSettings(s)
	if err == nil || !strings.HasPrefix(err.Error(), "environments/dev.yaml: ") || !strings.Contains(err.Error(), "policy.overrides.typo") {
		t.Errorf("err = %v, want it to name the file and the key", err)
	}
}

// TestDocsListEveryPolicy keeps docs/policies.md in step with the pack.
func TestDocsListEveryPolicy(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Skipf("no repository root: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "docs", "policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Names() {
		if !strings.Contains(string(data), "| `"+n+"` |") {
			t.Errorf("docs/policies.md has no table row for policy %s", n)
		}
	}
}

// TestKafkaLimitsMandatoryInStagingAndProd: the team's replication and
// partition limits (the sandbox accepts what the Aiven provider accepts)
// block staging and prod deploys, with the environments' own files.
func TestKafkaLimitsMandatoryInStagingAndProd(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Skipf("no repository root: %v", err)
	}
	for _, env := range []string{"staging", "prod"} {
		s, err := environment.Load(root, env)
		if err != nil {
			t.Fatal(err)
		}
		data, err := ForSettings(s)
		if err != nil {
			t.Fatal(err)
		}
		got := decode(t, data)
		for _, name := range []string{rules.KafkaTopicReplication, rules.KafkaTopicPartitions} {
			if lvl := got[name]["enforcementLevel"]; lvl != Mandatory {
				t.Errorf("%s: %s is %v, want mandatory", env, name, lvl)
			}
		}
	}
}
