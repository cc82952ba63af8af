// Package envnew creates a personal environment (`infra env-new -name
// juan1`): environments/<name>.yaml, which extends dev, and a
// Pulumi.<name>.yaml for every project, derived from the project's
// Pulumi.dev.yaml. It replaces the four manual steps of the old repository
// (docs/runbooks/personal-environment.md,
// docs/decisions/0072-personal-environments-from-dev.md).
//
// Deriving from the dev stack files keeps a personal environment in step
// with dev (same settings, same keys) without a template to maintain. The
// derivation is textual, so comments and layout survive:
//
//   - the file's leading comment is replaced by one naming the new
//     environment;
//   - every value that starts with the environment prefix "dev-" (a name of
//     the dev environment, e.g. a DNS node dev-1.clustera.io) gets the new
//     prefix instead;
//   - the encryptionsalt line is dropped: the engine creates one for the new
//     stack on its first run;
//   - a secret (secure: value) cannot be carried over, since it is encrypted
//     for the dev stack, and stops the command naming the file and key.
//
// The result is checked: every file must parse, and no value may still
// name the dev environment. Nothing is overwritten: when any target file
// exists, nothing is written.
package envnew

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/stackconfig"
)

// Base is the environment a personal environment starts from.
const Base = environment.NameDev

// Options of Create.
type Options struct {
	Root string
	// Name of the new environment, e.g. juan1 (environment.ValidPersonalName).
	Name string
	// Description goes into environments/<name>.yaml; default
	// "Personal environment <name>".
	Description string
	// Projects are the projects that get a stack file; default every
	// project (contracts.Projects).
	Projects []string
}

// File is one file Create writes.
type File struct {
	Path string // absolute
	Data []byte
}

// Plan computes the files of the new environment without writing them. It
// fails when the name is not a valid personal name, when a file already
// exists (naming every one), or when a dev stack file cannot be derived.
func Plan(o Options) ([]File, error) {
	if err := environment.ValidPersonalName(o.Name); err != nil {
		return nil, fmt.Errorf("env-new: %w", err)
	}
	if o.Description == "" {
		o.Description = "Personal environment " + o.Name
	}
	if strings.ContainsAny(o.Description, "\r\n") {
		return nil, errors.New("env-new: the description must be one line")
	}
	projects := o.Projects
	if len(projects) == 0 {
		projects = contracts.Projects
	}
	if _, err := os.Stat(layout.EnvironmentFile(o.Root, Base)); err != nil {
		return nil, fmt.Errorf("env-new: the base environment is missing: %w", err)
	}

	files := []File{{Path: layout.EnvironmentFile(o.Root, o.Name), Data: environmentFile(o.Name, o.Description)}}
	var problems []string
	for _, p := range projects {
		src := layout.StackConfigFile(o.Root, p, Base)
		data, err := os.ReadFile(src)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			data = []byte("config: {}\n")
		case err != nil:
			return nil, fmt.Errorf("env-new: %w", err)
		}
		out, err := Derive(p, o.Name, layout.Rel(o.Root, src), data)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		files = append(files, File{Path: layout.StackConfigFile(o.Root, p, o.Name), Data: out})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("env-new: cannot derive the stack files of %s:\n  %s", o.Name, strings.Join(problems, "\n  "))
	}
	var exist []string
	for _, f := range files {
		if _, err := os.Lstat(f.Path); err == nil {
			exist = append(exist, layout.Rel(o.Root, f.Path))
		}
	}
	if len(exist) > 0 {
		return nil, fmt.Errorf("env-new: environment %s already exists or is half-created; refusing to overwrite %s (remove them first to start over)",
			o.Name, strings.Join(exist, ", "))
	}
	return files, nil
}

// Create plans the files and writes them, each created exclusively. If a
// write fails, the files written so far are removed again.
func Create(o Options) ([]File, error) {
	files, err := Plan(o)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		if err := writeNew(f.Path, f.Data); err != nil {
			for _, w := range written {
				_ = os.Remove(w)
			}
			return nil, fmt.Errorf("env-new: %w", err)
		}
		written = append(written, f.Path)
	}
	return files, nil
}

func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		_ = os.Remove(path)
		return err
	}
	return f.Close()
}

func environmentFile(name, description string) []byte {
	return fmt.Appendf(nil, `# Personal environment %[1]s (branch %[1]q). It starts from dev and changes
# only what it must: every setting not written here comes from
# environments/dev.yaml, and every physical name is prefixed "%[1]s-".
# Created by `+"`go run mage.go env:new name=%[1]s`"+`; see
# docs/runbooks/personal-environment.md.
extends: %[2]s
description: %[3]s
`, name, Base, yamlString(description))
}

// yamlString quotes s unless it is a plain YAML scalar that reads back as
// the same string.
func yamlString(s string) string {
	if plainScalar.MatchString(s) {
		return s
	}
	return fmt.Sprintf("%q", s)
}

var (
	plainScalar = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ,'()/_.-]*[A-Za-z0-9).]$`)
	// basePrefix finds the dev prefix at the start of a value: after ": ",
	// "- ", "[" or ", ", optionally inside quotes.
	basePrefix = regexp.MustCompile(`((?::|-|\[|,)\s+|\[)(["']?)` + regexp.QuoteMeta(Base) + `-`)
	// stillBase finds a value that still names the dev environment.
	stillBase = regexp.MustCompile(`(^|[^a-z0-9])` + regexp.QuoteMeta(Base) + `($|[-.])`)
)

// Derive turns the dev stack file of project (data, read from display)
// into the stack file of the personal environment name.
func Derive(project, name, display string, data []byte) ([]byte, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var body []string
	lines := strings.Split(text, "\n")
	i := 0
	for i < len(lines) && (strings.HasPrefix(strings.TrimSpace(lines[i]), "#") || strings.TrimSpace(lines[i]) == "") {
		i++
	}
	for _, l := range lines[i:] {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			body = append(body, l)
			continue
		}
		body = append(body, basePrefix.ReplaceAllString(l, "${1}${2}"+name+"-"))
	}
	out := string(stackconfig.WithEncryptionSalt([]byte(strings.Join(body, "\n")), ""))
	out = strings.TrimRight(out, "\n") + "\n"
	header := fmt.Sprintf(`# %[1]s in the personal environment %[2]s (extends dev). Derived from
# Pulumi.dev.yaml by `+"`go run mage.go env:new name=%[2]s`"+`: the same settings,
# with the names of the dev environment renamed "%[2]s-<name>". Settings
# shared by every project come from environments/%[2]s.yaml; keys are
# documented in docs/.
`, project, name)
	result := []byte(header + out)

	f, err := stackconfig.Parse(display, project, result)
	if err != nil {
		var se *stackconfig.SyntaxError
		if errors.As(err, &se) {
			err = se.Err
		}
		return nil, fmt.Errorf("%s: the derived file does not parse: %v", display, err)
	}
	var problems []string
	check := func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["secure"]; ok {
				problems = append(problems, fmt.Sprintf("%s: key %s holds a secret, encrypted for the dev stack: set it for the new stack with `pulumi config set --secret` instead (remove it from the dev file first, or create the file by hand)", display, key))
			}
		case string:
			if stillBase.MatchString(x) {
				problems = append(problems, fmt.Sprintf("%s: key %s = %q still names the dev environment: rename it by hand in the new file", display, key, x))
			}
		}
	}
	for _, k := range f.Keys() {
		walk(k, f.Config[k].Raw, check)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "\n  "))
	}
	return result, nil
}

// walk calls fn for every value under v with its dotted key.
func walk(key string, v any, fn func(string, any)) {
	fn(key, v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := k
			if key != "" {
				sub = key + "." + k
			}
			walk(sub, x[k], fn)
		}
	case []any:
		for i, e := range x {
			walk(fmt.Sprintf("%s[%d]", key, i), e, fn)
		}
	}
}

// Rel returns the paths of files relative to root, for messages.
func Rel(root string, files []File) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, filepath.ToSlash(layout.Rel(root, f.Path)))
	}
	return out
}
