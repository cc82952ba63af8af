package tags

import (
	"reflect"
	"testing"
)

func TestMap(t *testing.T) {
	s := Set{Env: "staging", Project: "dns"}
	want := map[string]string{"env": "staging", "project": "dns", "managed-by": "pulumi"}
	if got := s.Map(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Map() = %v", got)
	}
	if m := Missing(s.Map()); len(m) != 0 {
		t.Fatalf("Missing = %v", m)
	}
	if m := Missing(map[string]string{"env": "x"}); !reflect.DeepEqual(m, []string{"project", "managed-by"}) {
		t.Fatalf("Missing = %v", m)
	}
}

func TestCloudflare(t *testing.T) {
	got := Set{Env: "prod", Project: "dns"}.Cloudflare()
	want := []string{"env:prod", "managed-by:pulumi", "project:dns"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Cloudflare() = %v", got)
	}
}

func TestLabelSanitises(t *testing.T) {
	if got := Label("Juan.1"); got != "juan_1" {
		t.Fatalf("label = %q", got)
	}
	long := Label("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop")
	if len(long) != 63 {
		t.Fatalf("len = %d", len(long))
	}
	if n := len(Set{Env: "e", Project: "p"}.GCPLabels()); n != 3 {
		t.Fatalf("GCPLabels has %d entries", n)
	}
}

func TestLabelCases(t *testing.T) {
	for in, want := range map[string]string{
		"dev-integrations-worker-gmail": "dev-integrations-worker-gmail",
		"Prod.Topic_X":                  "prod_topic_x",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
