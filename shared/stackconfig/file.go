package stackconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/layout"
	"github.com/goccy/go-yaml"
)

// File is a project's Pulumi.<stack>.yaml as read by the one reader of
// stack files (docs/decisions/0012-one-stack-file-reader-one-queue-rule.md):
// the engine, the config checks, the policy pack, the offline checks,
// import-check and env-new all read stack files through Parse or Load.
type File struct {
	// Path names the file in messages, as given to Parse.
	Path string
	// Config holds the values of the file's config: map, keyed
	// "<namespace>:<key>"; a key written without a namespace gets the
	// project's, as the engine reads it.
	Config map[string]Value
}

// Value is one value of a stack file's config: map.
type Value struct {
	// Raw is the value as decoded from YAML (string, bool, number, []any,
	// map[string]any). A secure value keeps its {secure: <ciphertext>} map:
	// it stays encrypted, good for presence checks, never for use.
	Raw any
	// Secure reports a value stored encrypted ({secure: ...}).
	Secure bool
}

// String returns the value as the engine passes it to programs: a string
// as is, a secure value its ciphertext, any other value JSON-encoded.
func (v Value) String() string {
	switch x := v.Raw.(type) {
	case string:
		return x
	case map[string]any:
		if v.Secure {
			return fmt.Sprint(x["secure"])
		}
	}
	b, _ := json.Marshal(v.Raw)
	return string(b)
}

// SyntaxError is a stack file that is not YAML, or whose config: is not a
// map.
type SyntaxError struct {
	Path string // as given to Parse
	Err  error  // the YAML decoder's error
}

func (e *SyntaxError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse parses data, the content of a stack file of project; path names
// the file in File.Path and in a *SyntaxError.
func Parse(path, project string, data []byte) (*File, error) {
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &SyntaxError{Path: path, Err: err}
	}
	f := &File{Path: path, Config: make(map[string]Value, len(doc.Config))}
	for k, v := range doc.Config {
		if !strings.Contains(k, ":") {
			k = project + ":" + k
		}
		f.Config[k] = Value{Raw: v, Secure: isSecure(v)}
	}
	return f, nil
}

// isSecure reports whether a decoded value is an encrypted one: a map with
// the single key secure.
func isSecure(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m["secure"]
	return ok
}

// Load reads projects/<project>/Pulumi.<stack>.yaml under root, named
// relative to root in messages. The error of a missing file is the one of
// os.ReadFile (errors.Is(err, fs.ErrNotExist)).
func Load(root, project, stack string) (*File, error) {
	path := layout.StackConfigFile(root, project, stack)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(layout.Rel(root, path), project, data)
}

// Keys returns the file's keys, sorted.
func (f *File) Keys() []string {
	keys := make([]string, 0, len(f.Config))
	for k := range f.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Secrets returns the keys of the secure values, sorted.
func (f *File) Secrets() []string {
	var out []string
	for k, v := range f.Config {
		if v.Secure {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Values returns the flat "<namespace>:<key>" map the engine passes to
// programs (Value.String of every value).
func (f *File) Values() map[string]string {
	out := make(map[string]string, len(f.Config))
	for k, v := range f.Config {
		out[k] = v.String()
	}
	return out
}

// ReadFile reads projects/<project>/Pulumi.<stack>.yaml under root (Load)
// into the flat "<namespace>:<key>" map the engine passes to programs
// (structured values JSON-encoded), and lists the keys stored as secrets.
// Secret values stay encrypted: they are good for presence checks, never
// for use.
func ReadFile(root, project, stack string) (map[string]string, []string, error) {
	f, err := Load(root, project, stack)
	if err != nil {
		return nil, nil, err
	}
	return f.Values(), f.Secrets(), nil
}
