package environment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/problems"
)

const valid = `
pulumi:
  org: organization
cloudflare:
  accountId: 2d45fcd3b3e68735a6ab3542fb494c19
  zoneId: 0123456789abcdef0123456789abcdef
  zoneName: clustera.io
aiven:
  project: clustera-creators
  kafkaService: kafka-clustera
  brokers: 3
  maxPartitions: 64
gcp:
  project: clustera-control-plane
  region: us-central1
`

func writeEnv(t *testing.T, root, name, body string) {
	t.Helper()
	for _, d := range []string{"environments", "projects"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "environments", name+".yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKindOf(t *testing.T) {
	cases := map[string]Kind{"local": Local, "dev": Shared, "testing": Shared, "staging": Shared, "prod": Prod, "juan1": Personal, "steve1": Personal}
	for name, want := range cases {
		got, err := KindOf(name)
		if err != nil || got != want {
			t.Errorf("KindOf(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "Prod", "1abc", "a", "waytoolongpersonalname", "juan-1"} {
		if _, err := KindOf(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("KindOf(%q) err = %v, want ErrUnknown", bad, err)
		}
	}
}

func TestValidPersonalName(t *testing.T) {
	if err := ValidPersonalName("juan1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"prod", "staging", "local", "Juan", "j"} {
		if ValidPersonalName(bad) == nil {
			t.Errorf("ValidPersonalName(%q) accepted", bad)
		}
	}
}

func TestLoadValid(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "staging", valid)
	s, err := Load(root, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "staging" || s.Kind != Shared || s.File != "environments/staging.yaml" {
		t.Fatalf("%+v", s)
	}
	if s.Aiven.Brokers != 3 || s.GCP.Region != "us-central1" || s.Pulumi.Org != "organization" {
		t.Fatalf("%+v", s)
	}
	if s.PolicyLevel() != "mandatory" {
		t.Fatalf("staging policy level = %s", s.PolicyLevel())
	}
}

func TestPolicyLevelDefaults(t *testing.T) {
	for name, want := range map[string]string{"local": "advisory", "dev": "advisory", "testing": "advisory", "juan1": "advisory", "staging": "mandatory", "prod": "mandatory"} {
		k, _ := KindOf(name)
		s := Settings{Name: name, Kind: k}
		if got := s.PolicyLevel(); got != want {
			t.Errorf("%s: PolicyLevel = %s, want %s", name, got, want)
		}
	}
}

func TestLoadRejectsMalformedValues(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", "cloudflare:\n  accountId: not-hex\ngcp:\n  region: mars\n")
	_, err := Load(root, "dev")
	var e *problems.Error
	if !errors.As(err, &e) || len(e.Problems) != 2 {
		t.Fatalf("err = %v", err)
	}
}

func TestRequireReportsAllProblems(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", `
cloudflare:
  accountId: 2d45fcd3b3e68735a6ab3542fb494c19
  zoneName: clustera.io
aiven:
  project: p
gcp:
  project: clustera-control-plane
  region: us-central1
`)
	s, err := Load(root, "dev")
	if err != nil {
		t.Fatal(err)
	}
	var none problems.List
	s.Require(&none, NeedCloudflareAccount, NeedGCP)
	if none.Len() != 0 {
		t.Fatalf("unexpected problems: %v", none.Err())
	}
	var list problems.List
	s.Require(&list, NeedCloudflareZone, NeedArtifacts, NeedAiven)
	err = list.Err()
	var e *problems.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	keys := map[string]bool{}
	for _, p := range e.Problems {
		keys[p.Key] = true
		if p.File != "environments/dev.yaml" {
			t.Errorf("problem %v names file %q", p, p.File)
		}
	}
	for _, k := range []string{"artifacts.bucket", "aiven.kafkaService", "aiven.brokers", "aiven.maxPartitions"} {
		if !keys[k] {
			t.Errorf("missing problem for %s in %v", k, err)
		}
	}
	// The zone name is set: the zone ID is looked up by it, so its absence
	// is no problem; the artifact endpoint derives from the account.
	for _, k := range []string{"cloudflare.zoneId", "cloudflare.zoneName", "artifacts.endpoint"} {
		if keys[k] {
			t.Errorf("unexpected problem for %s in %v", k, err)
		}
	}
}

// TestZoneNeedsItsNameNotItsID checks the zone rules: the name is required,
// the ID optional, and an ID that is present must be well-formed.
func TestZoneNeedsItsNameNotItsID(t *testing.T) {
	for _, tc := range []struct {
		name, cloudflare string
		want             []string // "" = no problem
	}{
		{"name only", "  zoneName: clustera.io\n", nil},
		{"name and ID", "  zoneName: clustera.io\n  zoneId: 0123456789abcdef0123456789abcdef\n", nil},
		{"ID only", "  zoneId: 0123456789abcdef0123456789abcdef\n",
			[]string{"environments/dev.yaml: cloudflare.zoneName: is missing; fix: set the DNS zone, e.g. clustera.io"}},
		{"neither", "  accountId: 2d45fcd3b3e68735a6ab3542fb494c19\n",
			[]string{"cloudflare.zoneName: is missing"}},
		{"bad ID", "  zoneName: clustera.io\n  zoneId: ZONE\n",
			[]string{`cloudflare.zoneId: "ZONE" is not valid; fix: use the 32 lowercase hex characters of the zone ID, or remove the key to look the zone up by cloudflare.zoneName`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Settings{Name: "dev", Kind: Shared, File: "environments/dev.yaml"}
			root := t.TempDir()
			writeEnv(t, root, "dev", "cloudflare:\n"+tc.cloudflare)
			loaded, err := Load(root, "dev")
			if err == nil {
				s = loaded
			} else if len(tc.want) == 0 {
				t.Fatal(err)
			}
			var list problems.List
			if err != nil {
				list.Merge(err)
			} else {
				s.Require(&list, NeedCloudflareZone)
			}
			got := ""
			if e := list.Err(); e != nil {
				got = e.Error()
			}
			if len(tc.want) == 0 && got != "" {
				t.Fatalf("problems: %s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems %q\ndo not contain %q", got, w)
				}
			}
		})
	}
}

// TestArtifacts checks the artifact store settings: the bucket is required
// by the Workers, the endpoint defaults to the account's R2 endpoint,
// malformed values name the key, and a personal environment inherits them.
func TestArtifacts(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", valid+"artifacts:\n  bucket: clustera-worker-artifacts\n")
	writeEnv(t, root, "juan1", "extends: dev\n")
	for _, name := range []string{"dev", "juan1"} {
		s, err := Load(root, name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Artifacts.Bucket != "clustera-worker-artifacts" || s.ArtifactsEndpoint() != "https://2d45fcd3b3e68735a6ab3542fb494c19.r2.cloudflarestorage.com" {
			t.Errorf("%s: bucket %q endpoint %q", name, s.Artifacts.Bucket, s.ArtifactsEndpoint())
		}
		var list problems.List
		s.Require(&list, NeedArtifacts)
		if list.Len() != 0 {
			t.Errorf("%s: %v", name, list.Err())
		}
	}

	writeEnv(t, root, "testing", valid+"artifacts:\n  bucket: store\n  endpoint: https://objects.example.com\n")
	s, err := Load(root, "testing")
	if err != nil || s.ArtifactsEndpoint() != "https://objects.example.com" {
		t.Fatalf("endpoint %q, err %v", s.ArtifactsEndpoint(), err)
	}

	writeEnv(t, root, "staging", valid+"artifacts:\n  bucket: Bad_Bucket\n  endpoint: http://objects.example.com/x\n")
	_, err = Load(root, "staging")
	for _, w := range []string{"environments/staging.yaml: artifacts.bucket: \"Bad_Bucket\" is not valid", "artifacts.endpoint: \"http://objects.example.com/x\" is not valid"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want %q", err, w)
		}
	}

	writeEnv(t, root, "prod", "cloudflare:\n  zoneName: clustera.io\n")
	s, err = Load(root, "prod")
	if err != nil {
		t.Fatal(err)
	}
	var list problems.List
	s.Require(&list, NeedArtifacts)
	err = list.Err()
	for _, w := range []string{"environments/prod.yaml: artifacts.bucket: is missing; fix: set the R2 bucket", "artifacts.endpoint: is missing, and no cloudflare.accountId derives it"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want %q", err, w)
		}
	}
}

func TestUnknownKeyNamesFileAndLine(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", valid+"colour: red\n")
	_, err := Load(root, "dev")
	if err == nil || !strings.Contains(err.Error(), "environments/dev.yaml:") || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", valid)
	_, err := Load(root, "juan1")
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "env:new") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(root, "Bad-Name"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("err = %v", err)
	}
}

func TestExtends(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "dev", valid+"policy:\n  level: advisory\n")
	writeEnv(t, root, "juan1", "extends: dev\ndescription: Juan's sandbox\n")
	s, err := Load(root, "juan1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != Personal || s.Aiven.KafkaService != "kafka-clustera" || s.Description != "Juan's sandbox" {
		t.Fatalf("%+v", s)
	}
	writeEnv(t, root, "loop1", "extends: loop2\n")
	writeEnv(t, root, "loop2", "extends: loop1\n")
	if _, err := Load(root, "loop1"); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v", err)
	}
}

func TestProdMustBeMandatory(t *testing.T) {
	root := t.TempDir()
	writeEnv(t, root, "prod", valid+"policy:\n  level: advisory\n")
	if _, err := Load(root, "prod"); err == nil || !strings.Contains(err.Error(), "policy.level") {
		t.Fatalf("err = %v", err)
	}
}
