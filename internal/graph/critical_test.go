package graph

import (
	"reflect"
	"testing"
	"time"
)

func TestCriticalPath(t *testing.T) {
	costs := map[string]time.Duration{
		"cloudflare-storage": 2 * time.Minute,
		"cloudflare-workers": 3 * time.Minute,
		"dns":                10 * time.Second,
		"kafka-data-plane":   time.Minute,
		"kafka-integrations": time.Minute,
		"gcp-gmail":          30 * time.Second,
	}
	byMap := func(m map[string]time.Duration) func(string) time.Duration {
		return func(n string) time.Duration { return m[n] }
	}
	tests := []struct {
		name     string
		deps     map[string][]string
		cost     func(string) time.Duration
		wantPath []string
		wantCost time.Duration
	}{
		{"projects by cost", projects, byMap(costs), []string{"cloudflare-storage", "cloudflare-workers"}, 5 * time.Minute},
		{"projects by count", projects, nil, []string{"kafka-data-plane", "kafka-integrations", "gcp-gmail"}, 3},
		{"diamond takes the slow side", diamond, byMap(map[string]time.Duration{"a": 1, "b": 1, "c": 5, "d": 1}), []string{"a", "c", "d"}, 7},
		{"diamond tie takes the first", diamond, byMap(map[string]time.Duration{"a": 1, "b": 2, "c": 2, "d": 1}), []string{"a", "b", "d"}, 4},
		{"single slow node beats a chain", map[string][]string{"a": nil, "b": {"a"}, "z": nil}, byMap(map[string]time.Duration{"a": 1, "b": 1, "z": 3}), []string{"z"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, total := mustGraph(t, tt.deps).CriticalPath(tt.cost)
			if !reflect.DeepEqual(path, tt.wantPath) || total != tt.wantCost {
				t.Fatalf("CriticalPath = %v, %v; want %v, %v", path, total, tt.wantPath, tt.wantCost)
			}
		})
	}
}
