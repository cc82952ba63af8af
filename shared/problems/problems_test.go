package problems

import (
	"errors"
	"strings"
	"testing"
)

func TestEmptyListIsNil(t *testing.T) {
	var l List
	if err := l.Err(); err != nil {
		t.Fatalf("Err() = %v, want nil", err)
	}
}

func TestOneProblemIsOneLine(t *testing.T) {
	var l List
	l.Add("projects/dns/Pulumi.staging.yaml", "dns:nodes[0].ips", "is empty", "list at least one IPv4 address")
	err := l.Err()
	want := "invalid configuration: projects/dns/Pulumi.staging.yaml: dns:nodes[0].ips: is empty; fix: list at least one IPv4 address"
	if err == nil || err.Error() != want {
		t.Fatalf("Err() = %v\nwant %s", err, want)
	}
}

func TestAllProblemsReportedSorted(t *testing.T) {
	var l List
	l.Add("b.yaml", "k2", "missing", "")
	l.Addf("a.yaml", "k1", "set it", "bad value %d", 3)
	l.Add("b.yaml", "k1", "missing", "")
	err := l.Err()
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 3 {
		t.Fatalf("Err() = %#v", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid configuration (3 problems):") {
		t.Fatalf("unexpected header: %s", msg)
	}
	ia, ib1, ib2 := strings.Index(msg, "a.yaml: k1"), strings.Index(msg, "b.yaml: k1"), strings.Index(msg, "b.yaml: k2")
	if !(ia >= 0 && ia < ib1 && ib1 < ib2) {
		t.Fatalf("problems not sorted by file then key:\n%s", msg)
	}
	if !strings.Contains(msg, "bad value 3; fix: set it") {
		t.Fatalf("formatted message missing:\n%s", msg)
	}
}

func TestMerge(t *testing.T) {
	var a, b List
	a.Add("x", "y", "z", "")
	var l List
	if !l.Merge(a.Err()) || l.Len() != 1 {
		t.Fatal("Merge of *Error failed")
	}
	if l.Merge(errors.New("other")) || l.Merge(b.Err()) {
		t.Fatal("Merge accepted a non-*Error")
	}
}

func TestProblemsAtALineNameFileLineColumn(t *testing.T) {
	var l List
	l.AddAt("t.yaml", 10, 5, "topics[3].partitions", "is 0", "use at least 1")
	l.AddAt("t.yaml", 3, 17, "topics[0].partitions", "is 100", "")
	l.AddAt("t.yaml", 3, 5, "topics[0].retentionMs", "unknown key", "did you mean retention_ms?")
	l.AddAt("t.yaml", 12, 0, "name", "not an integration topic", "")
	l.Add("t.yaml", "topics", "whole file", "")
	l.Add("Pulumi.dev.yaml", "p:names", "bad", "")
	msg := l.Err().Error()
	want := `invalid configuration (6 problems):
  - Pulumi.dev.yaml: p:names: bad
  - t.yaml: topics: whole file
  - t.yaml:3:5: topics[0].retentionMs: unknown key; fix: did you mean retention_ms?
  - t.yaml:3:17: topics[0].partitions: is 100
  - t.yaml:10:5: topics[3].partitions: is 0; fix: use at least 1
  - t.yaml:12: name: not an integration topic`
	if msg != want {
		t.Fatalf("got\n%s\nwant\n%s", msg, want)
	}
	var e *Error
	if !errors.As(l.Err(), &e) || e.Problems[2].Line != 3 || e.Problems[2].Column != 5 || e.Problems[2].File != "t.yaml" {
		t.Fatalf("positions not kept: %+v", e)
	}
}

func TestMergeKeepsPositions(t *testing.T) {
	var a List
	a.AddAt("a.yaml", 2, 3, "k", "m", "")
	var l List
	l.Add("b.yaml", "x", "y", "")
	if !l.Merge(a.Err()) {
		t.Fatal("Merge failed")
	}
	if got := l.Err().Error(); !strings.Contains(got, "  - a.yaml:2:3: k: m\n  - b.yaml: x: y") {
		t.Fatalf("merged = %s", got)
	}
}
