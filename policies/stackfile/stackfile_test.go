package stackfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/policies/rules"
)

func TestEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.prod.yaml")
	data := "encryptionsalt: v1:abc\nconfig:\n  cloudflare:apiToken: plain\n  apiKey:\n    secure: v1:xyz\n  names:\n    dome-meta: dome-meta\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Entries(path, "dns")
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.ConfigEntry{{Key: "cloudflare:apiToken"}, {Key: "dns:apiKey", Secret: true}, {Key: "dns:names"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Entries = %+v, want %+v", got, want)
	}
	if k := Keys(path, "dns"); strings.Join(k, " ") != "cloudflare:apiToken dns:apiKey dns:names" {
		t.Errorf("Keys = %v", k)
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	if _, err := Entries(path, "dns"); err == nil {
		t.Error("Entries of a missing file: no error")
	}
	if k := Keys(path, "dns"); k != nil {
		t.Errorf("Keys of a missing file = %v", k)
	}
}
