package envnew_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/ci/workflow"
	"github.com/clustera/infra/internal/envnew"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/internal/offline/projects"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// copyRepo copies environments/ and the non-Go files of projects/ (stack
// files, topic files, placeholder bundles) into a temporary root.
func copyRepo(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	src, err := layout.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, dir := range []string{"environments", "projects"} {
		err := filepath.WalkDir(filepath.Join(src, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			if strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".sum") || strings.HasSuffix(p, ".mod") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestCreate(t *testing.T) {
	root := copyRepo(t)
	files, err := envnew.Create(envnew.Options{Root: root, Name: "juan1", Description: "Juan's sandbox"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"environments/juan1.yaml"}
	for _, p := range contracts.Projects {
		want = append(want, "projects/"+p+"/Pulumi.juan1.yaml")
	}
	if got := envnew.Rel(root, files); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}

	// The environment is personal, extends dev and inherits its settings.
	s, err := environment.Load(root, "juan1")
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := environment.Load(root, "dev")
	if s.Kind != environment.Personal || s.Extends != "dev" || s.Aiven != dev.Aiven || s.GCP != dev.GCP ||
		s.Cloudflare != dev.Cloudflare || s.Description != "Juan's sandbox" || s.PolicyLevel() != "advisory" {
		t.Fatalf("settings %+v", s)
	}

	for _, p := range contracts.Projects {
		data, err := os.ReadFile(layout.StackConfigFile(root, p, "juan1"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.Contains(text, "dev-") || strings.Contains(text, "encryptionsalt") {
			t.Errorf("%s: still names dev or carries dev's salt:\n%s", p, text)
		}
		devCfg, err := mocktestConfig(root, p, "dev")
		if err != nil {
			t.Fatal(err)
		}
		newCfg, err := mocktestConfig(root, p, "juan1")
		if err != nil {
			t.Fatal(err)
		}
		if len(devCfg) != len(newCfg) {
			t.Errorf("%s: keys %v, dev has %v", p, keys(newCfg), keys(devCfg))
		}
		for k, v := range devCfg {
			if strings.ReplaceAll(v, "dev-", "juan1-") != newCfg[k] {
				t.Errorf("%s: %s = %s, dev has %s", p, k, newCfg[k], v)
			}
		}
	}
	dns, _ := os.ReadFile(layout.StackConfigFile(root, "dns", "juan1"))
	if !strings.Contains(string(dns), "domain: juan1-1.clustera.io") || !strings.Contains(string(dns), "name: juan1-1") {
		t.Fatalf("dns nodes not renamed:\n%s", dns)
	}

	// The branch maps to the new stack without any workflow change.
	g, _ := graph.Projects()
	r, err := workflow.Resolve(context.Background(), root, g, "juan1", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Stack != "juan1" || !r.Deploy || r.Environment != "development" || len(r.Projects) != g.Len() {
		t.Fatalf("resolve juan1: %+v", r)
	}
}

func mocktestConfig(root, project, stack string) (map[string]string, error) {
	old, had := os.LookupEnv(layout.EnvRoot)
	os.Setenv(layout.EnvRoot, root)
	defer func() {
		if had {
			os.Setenv(layout.EnvRoot, old)
		} else {
			os.Unsetenv(layout.EnvRoot)
		}
	}()
	return mocktest.StackConfig(project, stack)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The programs accept the new stack files: names carry the new
// environment.
func TestProgramsRunOnTheNewEnvironment(t *testing.T) {
	root := copyRepo(t)
	if _, err := envnew.Create(envnew.Options{Root: root, Name: "juan1"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(layout.EnvRoot, root)

	p, _ := projects.Get(contracts.KafkaDataPlaneProject)
	res, err := mocktest.Run(p.Name, "juan1", p.Program, mocktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	topics := res.OfType("aiven:index/kafkaTopic:KafkaTopic")
	if len(topics) == 0 {
		t.Fatal("no topics")
	}
	for _, r := range topics {
		if name := r.String("topicName"); !strings.HasPrefix(name, "juan1-") {
			t.Errorf("topic %s is not named for juan1", name)
		}
	}

	p, _ = projects.Get(contracts.CloudflareStorageProject)
	res, err = mocktest.Run(p.Name, "juan1", p.Program, mocktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d1 := res.OfType("cloudflare:index/d1Database:D1Database")
	if len(d1) != 2 || d1[0].String("name") != "juan1-dome-meta" {
		t.Fatalf("D1 databases %+v", d1)
	}

	// dns looks the zone of dev's cloudflare.zoneName up, here as the
	// sandbox answers it.
	p, _ = projects.Get(contracts.DNSProject)
	zones := sandbox.EnvironmentZones(root)
	res, err = mocktest.Run(p.Name, "juan1", p.Program, mocktest.Options{Call: func(a pulumi.MockCallArgs) (resource.PropertyMap, error) {
		return sandbox.LookupZone(zones, a.Args)
	}})
	if err != nil {
		t.Fatalf("dns in juan1: %v", err)
	}
	dev, _ := environment.Load(root, "dev")
	for _, r := range res.OfType(sandbox.DNSRecordType) {
		if r.String("zoneId") != sandbox.ZoneID(dev.Cloudflare.AccountID, "clustera.io") || !strings.HasPrefix(r.String("name"), "juan1-") {
			t.Errorf("record %s: zone %s, name %s", r.Name, r.String("zoneId"), r.String("name"))
		}
	}
}

func TestCreateRefusesToOverwrite(t *testing.T) {
	root := copyRepo(t)
	// One stack file exists already: nothing at all is written.
	half := layout.StackConfigFile(root, "dns", "juan2")
	if err := os.WriteFile(half, []byte("config: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := envnew.Create(envnew.Options{Root: root, Name: "juan2"})
	if err == nil || !strings.Contains(err.Error(), "projects/dns/Pulumi.juan2.yaml") || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(layout.EnvironmentFile(root, "juan2")); err == nil {
		t.Fatal("environments/juan2.yaml was written despite the refusal")
	}
	if data, _ := os.ReadFile(half); string(data) != "config: {}\n" {
		t.Fatal("the existing stack file was changed")
	}

	// An existing environment (steve1) is refused as a whole.
	_, err = envnew.Create(envnew.Options{Root: root, Name: "steve1"})
	if err == nil || !strings.Contains(err.Error(), "environments/steve1.yaml") {
		t.Fatalf("steve1: %v", err)
	}
}

func TestCreateRejectsNames(t *testing.T) {
	root := copyRepo(t)
	for _, name := range []string{"dev", "prod", "local", "staging", "Juan1", "j", "juan-1", "1juan", "averyveryverylongname1"} {
		_, err := envnew.Create(envnew.Options{Root: root, Name: name})
		if err == nil {
			t.Errorf("%q was accepted", name)
		}
	}
	if _, err := envnew.Create(envnew.Options{Root: root, Name: "juan3", Description: "two\nlines"}); err == nil {
		t.Error("a two-line description was accepted")
	}
	entries, _ := os.ReadDir(filepath.Join(root, "environments"))
	if len(entries) != 6 {
		t.Fatalf("rejected names wrote files: %d environment files", len(entries))
	}
}

func TestDerive(t *testing.T) {
	in := `# dns in the dev environment.
# More about dev.
config:
  # Nodes of dev.
  dns:nodes:
    - name: dev-1
      ips: ["198.51.100.1"]
      domain: "dev-1.clustera.io"
    - name: other
      domain: x.clustera.io
  p:list: [dev-a, 'dev-b']
  p:keep: devices
encryptionsalt: v1:abc
`
	out, err := envnew.Derive("dns", "ana2", "projects/dns/Pulumi.dev.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"# dns in the personal environment ana2", "- name: ana2-1", `domain: "ana2-1.clustera.io"`,
		"p:list: [ana2-a, 'ana2-b']", "p:keep: devices", "  # Nodes of dev.", "- name: other"} {
		if !strings.Contains(s, want) {
			t.Errorf("derived file lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "encryptionsalt") || strings.Contains(s, "More about dev") {
		t.Errorf("salt or old header kept:\n%s", s)
	}

	_, err = envnew.Derive("x", "ana2", "projects/x/Pulumi.dev.yaml", []byte("config:\n  x:token:\n    secure: v1:abcdef\n"))
	if err == nil || !strings.Contains(err.Error(), "projects/x/Pulumi.dev.yaml") || !strings.Contains(err.Error(), "x:token") || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("secret: %v", err)
	}
	_, err = envnew.Derive("x", "ana2", "f.yaml", []byte("config:\n  x:url: https://api.dev.clustera.io\n"))
	if err == nil || !strings.Contains(err.Error(), "x:url") {
		t.Fatalf("a value still naming dev: %v", err)
	}
	_, err = envnew.Derive("x", "ana2", "f.yaml", []byte("config: [\n"))
	if err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Fatalf("bad YAML: %v", err)
	}
}
