package topics

import (
	"bytes"
	"errors"
	"testing"

	"github.com/clustera/infra/shared/naming"
)

// fuzzSeparator splits one fuzz input into two files, so duplicate names
// across files are fuzzed too.
var fuzzSeparator = []byte("\n---8<---\n")

var fuzzLimits = Limits{MaxPartitions: 16, Brokers: 3, File: "environments/fz.yaml"}

// FuzzLoad feeds arbitrary bytes to Load. It must never panic; an error is
// always an *Error whose issues name their file; an accepted file yields
// topics that satisfy every rule. The seed corpus is in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("topics:\n  - name: \"{stack}-a\"\n    partitions: 3\n"))
	f.Add([]byte("topics:\n  - name: \"{stack}-a\"\n---8<---\ntopics:\n  - name: \"{stack}-a\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var srcs []Source
		for i, part := range bytes.SplitN(data, fuzzSeparator, 2) {
			srcs = append(srcs, Source{File: []string{"a.yaml", "b.yaml"}[i], Data: part})
		}
		ts, err := Load(srcs, Options{Stack: "fz", Defaults: Integrations, Limits: fuzzLimits})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if len(e.Issues) == 0 {
				t.Fatal("*Error without issues")
			}
			for _, i := range e.Issues {
				if (i.File != "a.yaml" && i.File != "b.yaml") || i.Msg == "" || i.Line < 0 {
					t.Fatalf("issue without file or message: %+v", i)
				}
			}
			if e.Error() == "" || e.Problems() == nil {
				t.Fatal("empty message")
			}
			return
		}
		if len(ts) == 0 {
			t.Fatal("accepted input without topics")
		}
		seen := map[string]bool{}
		for _, tp := range ts {
			if tp.Name != "fz-"+tp.Logical {
				t.Fatalf("name %q for logical %q", tp.Name, tp.Logical)
			}
			if err := naming.Validate(naming.KafkaTopic, tp.Name); err != nil {
				t.Fatalf("accepted invalid name: %v", err)
			}
			if seen[tp.Logical] {
				t.Fatalf("duplicate %q accepted", tp.Logical)
			}
			seen[tp.Logical] = true
			if tp.Partitions < 1 || tp.Partitions > fuzzLimits.MaxPartitions {
				t.Fatalf("partitions %d accepted", tp.Partitions)
			}
			if tp.Replication < MinReplication || tp.Replication > fuzzLimits.Brokers {
				t.Fatalf("replication %d accepted", tp.Replication)
			}
			if tp.Config.RetentionMs == "" {
				t.Fatal("retentionMs lost its default")
			}
			for _, v := range []string{tp.Config.RetentionMs, tp.Config.RetentionBytes} {
				if v == "" {
					continue
				}
				if n, ok := parseInteger(v); !ok || (n != -1 && n < 1) {
					t.Fatalf("retention %q accepted", v)
				}
			}
			if tp.Config.MinInsyncReplicas != "" {
				if n, ok := parseInteger(tp.Config.MinInsyncReplicas); !ok || n < 1 || n >= int64(tp.Replication) {
					t.Fatalf("minInsyncReplicas %q accepted with replication %d", tp.Config.MinInsyncReplicas, tp.Replication)
				}
			}
			if !contains(compressionTypes, tp.Config.CompressionType) {
				t.Fatalf("compression %q accepted", tp.Config.CompressionType)
			}
			if tp.Config.CleanupPolicy != "" && !contains(cleanupPolicies, tp.Config.CleanupPolicy) {
				t.Fatalf("cleanup policy %q accepted", tp.Config.CleanupPolicy)
			}
		}
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
