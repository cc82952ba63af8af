package stackconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "projects", "dns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := `config:
  dns:zone: example
  ttl: 300
  dns:nodes:
    - name: a
      ips: ["192.0.2.1"]
  dns:token:
    secure: v1:abc
encryptionsalt: v1:x
`
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	values, secrets, err := ReadFile(root, "dns", "dev")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"dns:zone":  "example",
		"dns:ttl":   "300",
		"dns:nodes": `[{"ips":["192.0.2.1"],"name":"a"}]`,
		"dns:token": "v1:abc",
	}
	if !reflect.DeepEqual(values, want) {
		t.Fatalf("values %v\nwant %v", values, want)
	}
	if !reflect.DeepEqual(secrets, []string{"dns:token"}) {
		t.Fatalf("secrets %v", secrets)
	}
	if _, _, err := ReadFile(root, "dns", "prod"); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestParse(t *testing.T) {
	data := "config:\n  dns:zone: example\n  on: true\n  dns:token:\n    secure: v1:abc\n  dns:obj:\n    secure: v1:x\n    other: 1\n"
	f, err := Parse("projects/dns/Pulumi.dev.yaml", "dns", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != "projects/dns/Pulumi.dev.yaml" {
		t.Errorf("Path %q", f.Path)
	}
	if got := f.Keys(); !reflect.DeepEqual(got, []string{"dns:obj", "dns:on", "dns:token", "dns:zone"}) {
		t.Errorf("Keys %v", got)
	}
	if got := f.Secrets(); !reflect.DeepEqual(got, []string{"dns:token"}) {
		t.Errorf("Secrets %v: a map with more than the secure key is no secret", got)
	}
	if v := f.Config["dns:on"]; v.Raw != true || v.String() != "true" {
		t.Errorf("dns:on = %#v", v)
	}
	if v := f.Config["dns:token"]; !v.Secure || v.String() != "v1:abc" {
		t.Errorf("dns:token = %#v", v)
	}

	_, err = Parse("f.yaml", "dns", []byte("config: [\n"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Path != "f.yaml" || !strings.HasPrefix(err.Error(), "f.yaml: ") {
		t.Fatalf("bad YAML: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(t.TempDir(), "dns", "dev"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
