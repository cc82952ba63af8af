package environment

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/yamlfile"
)

// readSettingsFile decodes an environment file strictly. A mistake in it is one
// *problems.Error at the file, line and column, naming the key (as a dotted
// path such as aiven.brokers) and the fix: an unknown key gets the known key
// it most likely meant, or the keys of its section.
func readSettingsFile(path, display string, out *Settings) error {
	data, err := os.ReadFile(path)
	if err != nil {
		var list problems.List
		list.Add(display, "(file)", "cannot be read: "+err.Error(), "check the file's permissions")
		return list.Err()
	}
	err = yamlfile.Decode(display, data, out)
	if err == nil {
		return nil
	}
	var list problems.List
	list.AddProblem(decodeProblem(display, data, err))
	return list.Err()
}

var (
	unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)
	duplicateKey = regexp.MustCompile(`mapping key "([^"]*)" already defined at \[(\d+):\d+\]`)
	notWhole     = regexp.MustCompile(`cannot unmarshal .* into Go .* of type u?int\d*$`)
	notString    = regexp.MustCompile(`cannot unmarshal .* into Go .* of type string$`)
	notSection   = regexp.MustCompile(`cannot unmarshal .* into Go .* of type (environment\.\w+|map\[string\]string)$|was used where mapping is expected`)
)

const syntaxFix = "check the YAML at this line: key: value, two spaces of indentation per level, no tabs (environments/dev.yaml is an example)"

func decodeProblem(file string, data []byte, err error) problems.Problem {
	if errors.Is(err, yamlfile.ErrEmpty) {
		return problems.Problem{File: file, Key: "(file)", Msg: "is empty",
			Fix: "write the environment's settings (environments/dev.yaml is an example), or delete the file"}
	}
	var ye *yamlfile.Error
	if !errors.As(err, &ye) {
		return problems.Problem{File: file, Key: "(file)", Msg: err.Error(), Fix: syntaxFix}
	}
	p := problems.Problem{File: file, Line: ye.Line, Column: ye.Column, Msg: ye.Msg, Fix: syntaxFix}
	path, value := keyAt(data, ye.Line)
	p.Key = path
	switch {
	case unknownField.MatchString(ye.Msg):
		m := unknownField.FindStringSubmatch(ye.Msg)
		parent := ""
		if i := strings.LastIndex(path, "."); i >= 0 && strings.HasSuffix(path, "."+m[1]) {
			parent = path[:i]
		}
		p.Key = joinKey(parent, m[1])
		p.Msg, p.Fix = "unknown key", unknownKeyFix(parent, m[1])
	case duplicateKey.MatchString(ye.Msg):
		m := duplicateKey.FindStringSubmatch(ye.Msg)
		p.Msg, p.Fix = "is set twice (first at line "+m[2]+")", "keep one of the two"
	case notWhole.MatchString(ye.Msg):
		p.Msg, p.Fix = fmt.Sprintf("%s is not a whole number", quoteValue(value)), "write a whole number such as 3"
	case notString.MatchString(ye.Msg):
		p.Msg, p.Fix = "must be a single value, not a list or mapping", "write one value after the colon"
	case notSection.MatchString(ye.Msg):
		p.Msg = "must be a section of keys, not " + quoteValue(value)
		p.Fix = "indent its keys below it: " + strings.Join(sectionKeys(path), ", ")
	}
	if p.Key == "" {
		p.Key = "(yaml)"
	}
	return p
}

// keyAt returns the dotted path of the key written on a line of an
// environment file, found by indentation (so it works on files that do not
// parse), and the value written after it.
func keyAt(data []byte, line int) (path, value string) {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	for i, l := range strings.Split(string(data), "\n") {
		if i >= line {
			break
		}
		m := keyLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		indent := len(m[1])
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, level{indent, m[2]})
		if i == line-1 {
			value = strings.TrimSpace(m[3])
		}
	}
	keys := make([]string, len(stack))
	for i, s := range stack {
		keys[i] = s.key
	}
	return strings.Join(keys, "."), value
}

var keyLine = regexp.MustCompile(`^(\s*)([A-Za-z0-9_.-]+)\s*:(?:\s+|$)([^#]*)`)

func quoteValue(v string) string {
	if v == "" {
		return "the value"
	}
	return fmt.Sprintf("%q", strings.Trim(v, `"'`))
}

func joinKey(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// unknownKeyFix names the key a misspelt one most likely meant (the known
// key of the file it matches once case, '_' and '-' are ignored, or within
// two letters), else the keys of its section.
func unknownKeyFix(parent, key string) string {
	known := sectionKeys(parent)
	if s := suggestKey(key, known); s != "" {
		return "did you mean " + joinKey(parent, s) + "?"
	}
	if parent == "" {
		// A key of a section written at the top: gcp.region as region.
		for _, section := range sectionKeys("") {
			if s := suggestKey(key, sectionKeys(section)); s != "" {
				return fmt.Sprintf("did you mean %s.%s? (indent it under %s:)", section, s, section)
			}
		}
		return "use the sections " + strings.Join(known, ", ") + ", or remove the key"
	}
	if len(known) == 0 {
		return "remove the key"
	}
	full := make([]string, len(known))
	for i, k := range known {
		full[i] = parent + "." + k
	}
	return "use one of " + strings.Join(full, ", ") + ", or remove the key"
}

func suggestKey(key string, known []string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
	}
	best, bestD, ties := "", 3, 0
	for _, k := range known {
		switch d := problems.EditDistance(norm(key), norm(k)); {
		case d < bestD:
			best, bestD, ties = k, d, 1
		case d == bestD:
			ties++
		}
	}
	if ties != 1 || len(key) <= bestD+1 {
		return ""
	}
	return best
}

// sectionKeys returns the keys an environment file accepts under a dotted
// path ("" for the top level), from the yaml tags of Settings, so that a
// new setting needs no change here.
func sectionKeys(path string) []string {
	t := reflect.TypeOf(Settings{})
	if path != "" {
		for _, part := range strings.Split(path, ".") {
			f, ok := fieldByTag(t, part)
			if !ok || f.Type.Kind() != reflect.Struct {
				return nil
			}
			t = f.Type
		}
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag := yamlName(t.Field(i)); tag != "" {
			out = append(out, tag)
		}
	}
	if path == "" {
		return out
	}
	sort.Strings(out)
	return out
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if yamlName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}
