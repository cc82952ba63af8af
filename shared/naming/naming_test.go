package naming

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := map[Kind][]string{
		D1Database:         {"staging-dome-meta", "silo", "a_b-1"},
		R2Bucket:           {"staging-dome-raw", "abc"},
		Queue:              {"staging-embed-dead-letter", "q"},
		WorkerScript:       {"staging-dome-api", "dome_cron"},
		VectorizeIndex:     {"staging-dome-notes"},
		KafkaTopic:         {"staging-runtime", "prod.raw_records"},
		PubSubTopic:        {"staging-integration-gmail-webhook"},
		PubSubSubscription: {"staging-integration-gmail-webhook-sub"},
		Hostname:           {"1.clustera.io", "staging-1.clustera.io"},
	}
	for kind, names := range ok {
		for _, name := range names {
			if err := Validate(kind, name); err != nil {
				t.Errorf("Validate(%s, %q) = %v", kind, name, err)
			}
		}
	}
	bad := map[Kind][]string{
		D1Database:         {"", "Dome", "-x", strings.Repeat("a", 65)},
		R2Bucket:           {"ab", "Bucket", "a_b", "x-", strings.Repeat("a", 64)},
		Queue:              {"Q", "a_b", strings.Repeat("a", 64)},
		WorkerScript:       {"Dome", "a.b", strings.Repeat("a", 64)},
		VectorizeIndex:     {"1abc", "UP", strings.Repeat("a", 33)},
		KafkaTopic:         {"", "a b", "..", strings.Repeat("a", 250)},
		PubSubTopic:        {"ab", "1abc", "google-topic", "a b c"},
		PubSubSubscription: {"goog-sub"},
		Hostname:           {"-a.io", "a..io", "UP.io"},
	}
	for kind, names := range bad {
		for _, name := range names {
			if err := Validate(kind, name); err == nil {
				t.Errorf("Validate(%s, %q) accepted an invalid name", kind, name)
			}
		}
	}
}

func TestNamerPrefixesEveryEnvironment(t *testing.T) {
	n, err := New("staging", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Name(D1Database, "dome-meta")
	if err != nil || got != "staging-dome-meta" {
		t.Fatalf("Name = %q, %v", got, err)
	}
	if _, err := n.Name(R2Bucket, "UPPER"); err == nil {
		t.Fatal("invalid name accepted")
	}
}

func TestProdKeepsExistingNames(t *testing.T) {
	n, err := New("prod", true, map[string]string{"dome-meta": "dome-meta"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := n.Name(D1Database, "dome-meta"); got != "dome-meta" {
		t.Fatalf("override ignored: %q", got)
	}
	if got, _ := n.Name(D1Database, "silo"); got != "prod-silo" {
		t.Fatalf("default prod name = %q", got)
	}
	if !n.Overridden("dome-meta") || n.Overridden("silo") {
		t.Fatal("Overridden wrong")
	}
	if u := n.UnusedOverrides([]string{"silo"}); len(u) != 1 || u[0] != "dome-meta" {
		t.Fatalf("UnusedOverrides = %v", u)
	}
}

func TestOverrideOutsideProdMustCarryEnv(t *testing.T) {
	if _, err := New("staging", false, map[string]string{"dome-meta": "dome-meta"}); err == nil {
		t.Fatal("override without env accepted outside prod")
	}
	if _, err := New("staging", false, map[string]string{"dome-meta": "dome-meta-staging"}); err != nil {
		t.Fatal(err)
	}
}
