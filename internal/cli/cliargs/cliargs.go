// Package cliargs checks the command line of the mage targets before mage
// parses it, and holds the checks both front doors share (magefile.go and
// bin/infra): a bad argument is one error naming the argument, what is wrong
// and the fix, instead of mage's "not enough arguments for target" or
// "can't convert option".
//
// Mage takes the required arguments of a target by position and optional
// ones as -name=value flags after them. Normalize accepts what people type
// (env=staging or staging, key=value options in any order), checks it
// against the targets, and returns the arguments in mage's order. The
// targets are read from magefile.go itself (FromMagefile): a target's plain
// string parameters are its required arguments, its pointer parameters its
// options, so a new target or parameter needs no change here.
//
// The package uses the standard library only: magefile.go imports it, and
// mage compiles it on every run.
package cliargs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/clustera/infra/shared/problems"
)

// Kind is the type of an argument's value.
type Kind int

// The kinds of values.
const (
	String Kind = iota
	Int
	Bool
)

// Key describes one argument key.
type Key struct {
	Name    string
	Kind    Kind
	Hint    string // placeholder in messages, e.g. "<git ref>"
	Example string // a valid value for examples
}

// Keys are every argument key of every target, by name.
var Keys = map[string]Key{
	"env":      {Name: "env", Hint: "<environment>", Example: "staging"},
	"project":  {Name: "project", Hint: "<project>", Example: "dns"},
	"base":     {Name: "base", Hint: "<git ref>", Example: "origin/main"},
	"name":     {Name: "name", Hint: "<personal environment>", Example: "juan1"},
	"with":     {Name: "with", Hint: "<alone|upstreams|dependents>", Example: "upstreams"},
	"parallel": {Name: "parallel", Kind: Int, Hint: "<projects at once>", Example: "2"},
	"confirm":  {Name: "confirm", Hint: "prod", Example: "prod"},
	"json":     {Name: "json", Kind: Bool, Hint: "true", Example: "true"},
	"format":   {Name: "format", Hint: "<mermaid|dot>", Example: "dot"},
	"check":    {Name: "check", Kind: Bool, Hint: "true", Example: "true"},
}

// Target is one mage target: its required arguments, in the order of the
// function's parameters, and its optional ones (pointer parameters) with
// the kind of their values.
type Target struct {
	Name     string // as typed: "deploy:all", "affected"
	Required []string
	Options  []string
	Kinds    map[string]Kind // of the options; String when absent
}

func (t Target) kind(key string) Kind {
	if k, ok := t.Kinds[key]; ok {
		return k
	}
	return keyOf(key).Kind
}

// find returns the target named name (mage compares names without case).
func find(targets []Target, name string) (Target, bool) {
	for _, t := range targets {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Target{}, false
}

func (t Target) takes(key string) bool { return contains(t.Required, key) || contains(t.Options, key) }

// Example returns a valid command line of the target, with the values of
// given where set and example values for the other required arguments.
func (t Target) Example(given map[string]string) string {
	parts := []string{"go run mage.go", t.Name}
	for _, k := range t.Required {
		v := given[k]
		if v == "" {
			v = keyOf(k).Example
		}
		parts = append(parts, k+"="+v)
	}
	for _, k := range t.Options {
		if v, ok := given[k]; ok && v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// Error is a bad command line.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

var (
	keyValue = regexp.MustCompile(`^-{0,2}([A-Za-z][A-Za-z0-9_-]*)=(.*)$`)
	bareFlag = regexp.MustCompile(`^-{1,2}([A-Za-z][A-Za-z0-9_-]*)$`)
)

// Normalize checks the arguments of a mage command line (the compiled
// magefile's os.Args[1:]: mage's own flags, then targets each followed by
// its arguments) against the targets (FromMagefile) and returns them the way
// mage parses them: each target's required values by position, in order,
// then its options as -key=value. Listing (-l) and help (-h) are returned
// unchanged.
func Normalize(targets []Target, args []string) ([]string, error) {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		name, _, _ := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch name {
		case "l", "h":
			return args, nil
		case "t":
			if !strings.Contains(args[i], "=") {
				i++ // the duration
			}
		}
		i++
	}
	out := append([]string(nil), args[:min(i, len(args))]...)
	for i < len(args) {
		t, ok := find(targets, args[i])
		if !ok {
			return nil, unknownTarget(targets, args[i])
		}
		out = append(out, args[i])
		i++
		var own []string
		for i < len(args) {
			if _, next := find(targets, args[i]); next {
				break
			}
			own = append(own, args[i])
			i++
		}
		norm, err := t.normalize(targets, own)
		if err != nil {
			return nil, err
		}
		out = append(out, norm...)
	}
	return out, nil
}

func (t Target) normalize(targets []Target, args []string) ([]string, error) {
	given := map[string]string{}
	var bare []string
	for _, a := range args {
		key, val, ok := "", "", false
		if m := keyValue.FindStringSubmatch(a); m != nil {
			key, val, ok = strings.ToLower(m[1]), m[2], true
		} else if m := bareFlag.FindStringSubmatch(a); m != nil {
			key, ok = strings.ToLower(m[1]), true
			if t.takes(key) && t.kind(key) != Bool {
				return nil, errorf("%s=: needs a value; fix: %s", key, t.Example(mergeKey(given, key)))
			}
			val = "true"
		}
		if !ok {
			bare = append(bare, a)
			continue
		}
		if !t.takes(key) {
			return nil, t.unknownKey(targets, key, val, given)
		}
		if prev, dup := given[key]; dup {
			return nil, errorf("%s: %s= is given twice (%s=%s and %s=%s); fix: keep one", t.Name, key, key, prev, key, val)
		}
		given[key] = val
	}
	// Bare values fill the required arguments not given as key=value, in
	// order: `deploy:all staging` is `deploy:all env=staging`.
	for _, k := range t.Required {
		if _, ok := given[k]; !ok && len(bare) > 0 {
			given[k], bare = bare[0], bare[1:]
		}
	}
	if len(bare) > 0 {
		return nil, t.extra(targets, bare[0], given)
	}
	var missing []string
	for _, k := range t.Required {
		if given[k] == "" {
			missing = append(missing, k+"="+keyOf(k).Hint)
		}
	}
	if len(missing) > 0 {
		return nil, errorf("%s needs %s: %s", t.Name, joinAnd(missing), t.Example(given))
	}
	for _, k := range t.Options {
		v, ok := given[k]
		if !ok {
			continue
		}
		if err := check(t.kind(k), k, k+"=", v); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, k := range t.Required {
		out = append(out, given[k])
	}
	for _, k := range t.Options {
		if v, ok := given[k]; ok {
			out = append(out, "-"+k+"="+v)
		}
	}
	return out, nil
}

// keyOf returns the description of a key; a parameter added to magefile.go
// without an entry in Keys is a string shown as <name>.
func keyOf(name string) Key {
	if k, ok := Keys[name]; ok {
		return k
	}
	return Key{Name: name, Hint: "<" + name + ">", Example: "<" + name + ">"}
}

// Check checks the value of an option; arg is how the caller spells the
// argument in messages ("parallel=" for mage, "-parallel=" for bin/infra).
func Check(key, arg, v string) error { return check(keyOf(key).Kind, key, arg, v) }

func check(kind Kind, key, arg, v string) error {
	switch kind {
	case Int:
		if key == "parallel" {
			_, err := Parallel(arg, v)
			return err
		}
		if _, err := strconv.Atoi(v); err != nil {
			return errorf("%s%s: is not a whole number; fix: write a whole number, e.g. %s%s", arg, v, arg, keyOf(key).Example)
		}
	case Bool:
		if _, err := strconv.ParseBool(v); err != nil {
			return errorf("%s%s: is not true or false; fix: write %strue, or leave it out", arg, v, arg)
		}
	default:
		if v == "" {
			return errorf("%s: is empty; fix: write %s%s, or leave it out", arg, arg, keyOf(key).Example)
		}
	}
	return nil
}

// Parallel parses the value of the parallel option: how many projects run
// at once, at least 1. arg is how the caller spells it ("parallel=" or
// "-parallel=").
func Parallel(arg, v string) (int, error) {
	const fix = "give how many projects may run at once, at least 1, e.g. %s2; leave it out to run as many as the graph allows"
	n, err := strconv.Atoi(strings.TrimSpace(v))
	switch {
	case err != nil:
		return 0, errorf("%s%s: is not a whole number; fix: "+fix, arg, v, arg)
	case n < 1:
		return 0, errorf("%s%s: must be at least 1; fix: "+fix, arg, v, arg)
	}
	return n, nil
}

func (t Target) unknownKey(targets []Target, key, val string, given map[string]string) error {
	msg := fmt.Sprintf("%s does not take %s=", t.Name, key)
	if s := Suggest(key, append(append([]string(nil), t.Required...), t.Options...)); s != "" {
		return errorf("%s; fix: did you mean %s=? %s", msg, s, t.Example(given))
	}
	// Another target of the namespace may take it: deploy:all project=dns
	// is deploy:project.
	ns, _, _ := strings.Cut(t.Name, ":")
	for _, o := range targets {
		if ons, _, _ := strings.Cut(o.Name, ":"); ons == ns && o.Name != t.Name && o.takes(key) && strings.Contains(o.Name, ":") {
			with := mergeKey(given, key)
			if val != "" && val != "true" {
				with[key] = val
			}
			return errorf("%s; fix: %s takes %s=: %s", msg, o.Name, key, o.Example(with))
		}
	}
	return errorf("%s; fix: %s", msg, t.takesText(given))
}

func (t Target) extra(targets []Target, v string, given map[string]string) error {
	if s := Suggest(v, names(targets)); s != "" {
		return errorf("%s: %q is not an argument of %s; fix: did you mean the target %s? (go run mage.go -l lists the targets)", t.Name, v, t.Name, s)
	}
	return errorf("%s: %q is not an argument of %s; fix: %s", t.Name, v, t.Name, t.takesText(given))
}

// takesText says which arguments the target takes, with an example.
func (t Target) takesText(given map[string]string) string {
	keys := append(append([]string(nil), t.Required...), t.Options...)
	if len(keys) == 0 {
		return t.Name + " takes no arguments: " + t.Example(nil)
	}
	for i, k := range keys {
		keys[i] = k + "="
	}
	return fmt.Sprintf("%s takes %s: %s", t.Name, joinAnd(keys), t.Example(given))
}

func unknownTarget(targets []Target, name string) error {
	if k, _, isKV := strings.Cut(strings.TrimLeft(name, "-"), "="); isKV {
		if _, ok := Keys[strings.ToLower(k)]; ok {
			return errorf("%q comes before any target; fix: name the target first, e.g. go run mage.go deploy:all %s", name, name)
		}
	}
	if s := Suggest(name, names(targets)); s != "" {
		return errorf("unknown target %q; fix: did you mean %s? (go run mage.go -l lists the targets)", name, s)
	}
	return errorf("unknown target %q; fix: go run mage.go -l lists the targets", name)
}

func names(targets []Target) []string {
	var out []string
	for _, t := range targets {
		out = append(out, t.Name)
	}
	return out
}

// Suggest returns the candidate a misspelt word most likely meant, or "":
// the one equal to it once case, '-', '_' and ':' are ignored, else the
// single closest within two edits.
func Suggest(word string, candidates []string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "", ":", "", ".", "").Replace(s))
	}
	for _, c := range candidates {
		if norm(c) == norm(word) && c != word {
			return c
		}
	}
	best, bestD, ties := "", 3, 0
	for _, c := range candidates {
		d := problems.EditDistance(norm(word), norm(c))
		switch {
		case d < bestD:
			best, bestD, ties = c, d, 1
		case d == bestD:
			ties++
		}
	}
	if ties != 1 || len(norm(word)) <= bestD {
		return ""
	}
	return best
}

func mergeKey(given map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range given {
		out[k] = v
	}
	if _, ok := out[key]; !ok {
		out[key] = keyOf(key).Example
	}
	return out
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
