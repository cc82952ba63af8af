// Package stackfile reads the configuration keys of a project's
// Pulumi.<stack>.yaml and whether each value is stored encrypted
// ({secure: ...}). Values are never kept.
package stackfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/policies/rules"
	"github.com/goccy/go-yaml"
)

// Entries returns the configuration keys of the stack file at path, sorted,
// qualified with project when they have no namespace.
func Entries(path, project string) ([]rules.ConfigEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading stack configuration: %w", err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	out := make([]rules.ConfigEntry, 0, len(file.Config))
	for k, v := range file.Config {
		if !strings.Contains(k, ":") {
			k = project + ":" + k
		}
		out = append(out, rules.ConfigEntry{Key: k, Secret: isSecure(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// isSecure reports whether a stack file value is an encrypted one.
func isSecure(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m["secure"]
	return ok
}

// Keys returns just the keys of Entries; a missing or unreadable file gives
// none.
func Keys(path, project string) []string {
	es, err := Entries(path, project)
	if err != nil {
		return nil
	}
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.Key
	}
	return keys
}
