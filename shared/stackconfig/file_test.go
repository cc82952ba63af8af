package stackconfig

import (
	"os"
	"path/filepath"
	"reflect"
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
