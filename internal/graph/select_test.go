package graph

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{Alone, WithUpstreams, WithDependents} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	_, err := ParseMode("downstream")
	if err == nil || !strings.Contains(err.Error(), `"downstream"`) || !strings.Contains(err.Error(), "alone, upstreams, dependents") {
		t.Errorf("ParseMode(downstream) error = %v", err)
	}
	if s := Mode(7).String(); s != "Mode(7)" {
		t.Errorf("Mode(7).String() = %q", s)
	}
}

func TestSelect(t *testing.T) {
	g := mustGraph(t, projects)
	tests := []struct {
		names []string
		mode  Mode
		want  []string
	}{
		{[]string{"kafka-integrations"}, Alone, []string{"kafka-integrations"}},
		{[]string{"kafka-integrations"}, WithUpstreams, []string{"kafka-data-plane", "kafka-integrations"}},
		{[]string{"kafka-integrations"}, WithDependents, []string{"kafka-integrations", "gcp-gmail"}},
		{[]string{"gcp-gmail", "cloudflare-workers"}, WithUpstreams, []string{"cloudflare-storage", "cloudflare-workers", "kafka-data-plane", "kafka-integrations", "gcp-gmail"}},
		{[]string{"gcp-gmail", "dns", "gcp-gmail"}, Alone, []string{"dns", "gcp-gmail"}},
		{[]string{"kafka-data-plane", "kafka-integrations"}, WithDependents, []string{"kafka-data-plane", "kafka-integrations", "gcp-gmail"}},
		{nil, WithDependents, nil},
	}
	for _, tt := range tests {
		got, err := g.Select(tt.names, tt.mode)
		if err != nil {
			t.Fatalf("Select(%v, %v): %v", tt.names, tt.mode, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Select(%v, %v) = %v, want %v", tt.names, tt.mode, got, tt.want)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	g := mustGraph(t, projects)
	_, err := g.Select([]string{"dns", "kafka", "gmail"}, Alone)
	want := `unknown projects "kafka", "gmail": valid names are cloudflare-storage, cloudflare-workers, dns, gcp-gmail, kafka-data-plane, kafka-integrations`
	if err == nil || err.Error() != want {
		t.Errorf("Select unknown = %v, want %q", err, want)
	}
	_, err = g.Select([]string{"dns"}, Mode(9))
	if err == nil || !strings.Contains(err.Error(), "Mode(9)") {
		t.Errorf("Select bad mode = %v", err)
	}
}
