package graph

import (
	"strings"
	"testing"
)

func TestMermaid(t *testing.T) {
	want := `graph LR
  cloudflare_storage["cloudflare-storage"]
  cloudflare_workers["cloudflare-workers"]
  dns["dns"]
  gcp_gmail["gcp-gmail"]
  kafka_data_plane["kafka-data-plane"]
  kafka_integrations["kafka-integrations"]
  cloudflare_storage --> cloudflare_workers
  kafka_data_plane --> kafka_integrations
  kafka_integrations --> gcp_gmail
`
	g := mustGraph(t, projects)
	if got := g.Mermaid(); got != want {
		t.Fatalf("Mermaid:\n%s\nwant:\n%s", got, want)
	}
	// Rebuilding from the same map (iterated in another order) draws the
	// same text.
	for range 20 {
		if again := mustGraph(t, projects).Mermaid(); again != want {
			t.Fatalf("Mermaid is not stable:\n%s", again)
		}
	}
}

func TestMermaidIDsAreDistinctAndSafe(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a-b": nil, "a_b": {"a-b"}, "end": {"a_b"}, `q"x`: nil})
	want := `graph LR
  a_b["a-b"]
  a_b_2["a_b"]
  end_2["end"]
  q_x["q#quot;x"]
  a_b --> a_b_2
  a_b_2 --> end_2
`
	if got := g.Mermaid(); got != want {
		t.Fatalf("Mermaid:\n%s\nwant:\n%s", got, want)
	}
}

func TestDOT(t *testing.T) {
	want := `digraph {
  rankdir=LR;
  "a";
  "b";
  "c";
  "d";
  "a" -> "b";
  "a" -> "c";
  "b" -> "d";
  "c" -> "d";
}
`
	if got := mustGraph(t, diamond).DOT(); got != want {
		t.Fatalf("DOT:\n%s\nwant:\n%s", got, want)
	}
	odd := mustGraph(t, map[string][]string{`a"b\c`: nil}).DOT()
	if !strings.Contains(odd, `  "a\"b\\c";`) {
		t.Fatalf("DOT does not escape: %s", odd)
	}
}
