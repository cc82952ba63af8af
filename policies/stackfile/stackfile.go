// Package stackfile gives the policies the configuration keys of a
// project's Pulumi.<stack>.yaml and whether each value is stored encrypted
// ({secure: ...}), read by the one stack-file reader, shared/stackconfig.
// Values are never kept.
package stackfile

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/stackconfig"
)

// Entries returns the configuration keys of the stack file at path, sorted,
// qualified with project when they have no namespace.
func Entries(path, project string) ([]rules.ConfigEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading stack configuration: %w", err)
	}
	f, err := stackconfig.Parse(filepath.Base(path), project, data)
	if err != nil {
		return nil, err
	}
	keys := f.Keys()
	out := make([]rules.ConfigEntry, len(keys))
	for i, k := range keys {
		out[i] = rules.ConfigEntry{Key: k, Secret: f.Config[k].Secure}
	}
	return out, nil
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
