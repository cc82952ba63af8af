package topics

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
)

// fuzzSeparator splits one fuzz input into two files, so duplicate names
// across files are fuzzed too.
var fuzzSeparator = []byte("\n---8<---\n")

var fuzzLimits = Limits{MaxPartitions: 16, Brokers: 3, File: "environments/fz.yaml"}

// FuzzLoad feeds arbitrary bytes to Load. It must never panic; an error is
// always a *problems.Error whose problems name their file (and line and
// column, when they have one); an accepted file yields topics that satisfy
// every rule. The seed corpus is in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("topics:\n  - name: \"{stack}-a\"\n    partitions: 3\n"))
	f.Add([]byte("topics:\n  - name: \"{stack}-integrations-worker-a\"\n    partitions: 1\n    retention_ms: \"259200000\"\n    retention_bytes: \"629145600\"\n"))
	f.Add([]byte("topics:\n  - name: \"{stack}-a\"\n---8<---\ntopics:\n  - name: \"{stack}-a\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var srcs []Source
		for i, part := range bytes.SplitN(data, fuzzSeparator, 2) {
			srcs = append(srcs, Source{File: []string{"a.yaml", "b.yaml"}[i], Data: part})
		}
		ts, err := Load(srcs, Options{Stack: "fz", Defaults: Integrations, Limits: fuzzLimits})
		if err != nil {
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *problems.Error: %v", err, err)
			}
			if len(e.Problems) == 0 {
				t.Fatal("*problems.Error without problems")
			}
			for _, p := range e.Problems {
				if (p.File != "a.yaml" && p.File != "b.yaml") || p.Msg == "" || p.Line < 0 || p.Column < 0 || (p.Line > 0) != (p.Column > 0) {
					t.Fatalf("problem without file, message or position: %+v", p)
				}
				if p.Line > 0 && !strings.Contains(e.Error(), fmt.Sprintf("%s:%d:%d: ", p.File, p.Line, p.Column)) {
					t.Fatalf("message does not name %s: %v", p.Where(), e)
				}
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
				t.Fatal("retention_ms lost its default")
			}
			for _, v := range []string{tp.Config.RetentionMs, tp.Config.RetentionBytes} {
				if v == "" {
					continue
				}
				if n, ok := parseInteger(v); !ok || (n != -1 && n < 1) {
					t.Fatalf("retention %q accepted", v)
				}
			}
			for _, v := range []struct {
				value string
				min   int64
			}{{tp.Config.MaxMessageBytes, 1}, {tp.Config.SegmentMs, 1}, {tp.Config.DeleteRetentionMs, 0}, {tp.Config.MinCompactionLagMs, 0}} {
				if v.value == "" {
					continue
				}
				if n, ok := parseInteger(v.value); !ok || n < v.min {
					t.Fatalf("setting %q accepted (minimum %d)", v.value, v.min)
				}
			}
			if tp.Config.MinInsyncReplicas != "" {
				if n, ok := parseInteger(tp.Config.MinInsyncReplicas); !ok || n < 1 || n >= int64(tp.Replication) {
					t.Fatalf("min_insync_replicas %q accepted with replication %d", tp.Config.MinInsyncReplicas, tp.Replication)
				}
			}
			if tp.Config.MessageTimestampType != "" && !contains(timestampTypes, tp.Config.MessageTimestampType) {
				t.Fatalf("timestamp type %q accepted", tp.Config.MessageTimestampType)
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
