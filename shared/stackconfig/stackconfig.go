// Package stackconfig reads a project's Pulumi stack configuration and
// collects every problem, so a project's config package can read its one
// config struct in one place and fail with all missing or invalid keys at
// once, each naming the Pulumi.<stack>.yaml it belongs in.
package stackconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Reader reads keys of the project's namespace and records problems.
type Reader struct {
	ctx       *pulumi.Context
	cfg       *config.Config
	namespace string
	file      string
	list      *problems.List
	// unreadable holds the keys set to a value that could not be read.
	unreadable map[string]bool
}

// New returns a Reader for the project's own namespace. Problems are recorded
// into list, which may be shared with other readers (for example the
// environment settings) so that one error reports everything.
func New(ctx *pulumi.Context, list *problems.List) *Reader {
	return &Reader{
		ctx:       ctx,
		cfg:       config.New(ctx, ""),
		namespace: ctx.Project(),
		file:      "projects/" + ctx.Project() + "/Pulumi." + ctx.Stack() + ".yaml",
		list:      list,
	}
}

// File returns the stack file the keys belong in.
func (r *Reader) File() string { return r.file }

// Key returns the fully qualified key, as written in the stack file.
func (r *Reader) Key(key string) string { return r.namespace + ":" + key }

// Problem records a problem with key. "is missing" is not recorded for a
// key whose value was set but could not be read: that problem is recorded
// already, and one mistake gets one problem.
func (r *Reader) Problem(key, msg, fix string) {
	if msg == "is missing" && r.unreadable[key] {
		return
	}
	r.list.Add(r.file, r.Key(key), msg, fix)
}

// Problemf records a problem with a formatted message.
func (r *Reader) Problemf(key, fix, format string, args ...any) {
	r.list.Addf(r.file, r.Key(key), fix, format, args...)
}

// asked records, per program run, every key any Reader of the run asked
// for, so that RejectUnknown knows the project's keys.
var asked = struct {
	sync.Mutex
	keys map[*pulumi.Context]map[string]bool
}{keys: map[*pulumi.Context]map[string]bool{}}

// try reads a key of the project's namespace and records that it was asked
// for.
func (r *Reader) try(key string) (string, error) {
	asked.Lock()
	if asked.keys[r.ctx] == nil {
		asked.keys[r.ctx] = map[string]bool{}
	}
	asked.keys[r.ctx][key] = true
	asked.Unlock()
	return r.cfg.Try(key)
}

// RejectUnknown records a problem for every key of the project's namespace
// that the stack file sets but that no Reader of this run asked for: a
// misspelt optional key (ackDeadlineSecond for ackDeadlineSeconds) would
// otherwise be ignored without a word. Call it once every key was read.
// Keys of other namespaces (provider settings such as gcp:project) are
// left alone.
func (r *Reader) RejectUnknown() {
	root, err := layout.RootOf(r.ctx)
	if err != nil {
		return
	}
	f, err := Load(root, r.ctx.Project(), r.ctx.Stack())
	if err != nil {
		return // no stack file: the engine reports it
	}
	asked.Lock()
	known := make([]string, 0, len(asked.keys[r.ctx]))
	for k := range asked.keys[r.ctx] {
		known = append(known, k)
	}
	asked.Unlock()
	sort.Strings(known)
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	var unknown []string
	for k := range f.Config {
		if ns, key, _ := strings.Cut(k, ":"); ns == r.namespace && !isKnown[key] {
			unknown = append(unknown, key)
		}
	}
	sort.Strings(unknown)
	var superseded []string
	for _, k := range unknown {
		fix := "remove it"
		if s := Suggest(k, known); s != "" {
			fix = "did you mean " + r.Key(s) + "?"
			superseded = append(superseded, r.Key(s))
		} else if len(known) > 0 {
			keys := make([]string, len(known))
			for i, kk := range known {
				keys[i] = r.Key(kk)
			}
			fix = "remove it, or use one of " + strings.Join(keys, ", ")
		}
		r.Problem(k, "is not a key of this project", fix)
	}
	r.dropMissing(superseded)
}

// dropMissing removes the "is missing" problems of keys that a misspelt key
// of the stack file stands for: the typo's problem says it all, and one bad
// input gets one problem.
func (r *Reader) dropMissing(keys []string) {
	if len(keys) == 0 {
		return
	}
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	var e *problems.Error
	if !errors.As(r.list.Err(), &e) {
		return
	}
	*r.list = problems.List{}
	for _, p := range e.Problems {
		if p.File == r.file && drop[p.Key] && p.Msg == "is missing" {
			continue
		}
		r.list.AddProblem(p)
	}
}

// Suggest returns the candidate a misspelt key most likely meant, or "":
// the one it equals once case, '-' and '_' are ignored, else the single
// closest within two letters.
func Suggest(key string, candidates []string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, c := range candidates {
		if norm(c) == norm(key) && c != key {
			return c
		}
	}
	best, bestD, ties := "", 3, 0
	for _, c := range candidates {
		switch d := problems.EditDistance(norm(key), norm(c)); {
		case d < bestD:
			best, bestD, ties = c, d, 1
		case d == bestD:
			ties++
		}
	}
	if ties != 1 || len(key) <= bestD+1 {
		return ""
	}
	return best
}

// String returns the key's value, or def when it is not set.
func (r *Reader) String(key, def string) string {
	if v, err := r.try(key); err == nil {
		return v
	}
	return def
}

// RequireString returns the key's value and records a problem when unset.
func (r *Reader) RequireString(key, fix string) string {
	v, err := r.try(key)
	if err != nil || v == "" {
		r.Problem(key, "is missing", fix)
		return ""
	}
	return v
}

// Int returns the key's integer value, or def when it is not set.
func (r *Reader) Int(key string, def int) int {
	raw, err := r.try(key)
	if err != nil {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		r.markUnreadable(key)
		r.Problemf(key, "use a whole number", "%q is not an integer", raw)
		return def
	}
	return n
}

// Float returns the key's number value, or def when it is not set.
func (r *Reader) Float(key string, def float64) float64 {
	raw, err := r.try(key)
	if err != nil {
		return def
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		r.markUnreadable(key)
		r.Problemf(key, "use a number", "%q is not a number", raw)
		return def
	}
	return f
}

// Bool returns the key's boolean value, or def when it is not set.
func (r *Reader) Bool(key string, def bool) bool {
	raw, err := r.try(key)
	if err != nil {
		return def
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		r.markUnreadable(key)
		r.Problemf(key, "use true or false", "%q is not a boolean", raw)
		return def
	}
	return b
}

// Object decodes a structured key into out and reports whether it was set.
// Unknown fields are problems, so a typo in the stack file does not pass
// silently.
func (r *Reader) Object(key string, out any) bool {
	raw, err := r.try(key)
	if err != nil {
		return false
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		r.objectProblem(key, out, err)
		return false
	}
	return true
}

var unknownJSONField = regexp.MustCompile(`^json: unknown field "([^"]*)"$`)

// objectProblem records why a structured key could not be decoded: an
// unknown field with the field it most likely meant, a value of the wrong
// type with the path of the field, or the decoder's message.
func (r *Reader) objectProblem(key string, out any, err error) {
	r.markUnreadable(key)
	var te *json.UnmarshalTypeError
	switch m := unknownJSONField.FindStringSubmatch(err.Error()); {
	case m != nil:
		fields := jsonFields(reflect.TypeOf(out))
		fix := "remove the field"
		if s := Suggest(m[1], fields); s != "" {
			fix = "did you mean " + s + "?"
		} else if len(fields) > 0 {
			fix = "use the fields " + strings.Join(fields, ", ") + ", or remove it"
		}
		r.Problemf(key, fix, "cannot be read: unknown field %q", m[1])
	case errors.As(err, &te):
		what := "the value"
		if te.Field != "" {
			what = te.Field
		}
		r.Problemf(key, "write "+kindName(te.Type), "cannot be read: %s is %s, not %s", what, valueName(te.Value), kindName(te.Type))
	default:
		r.Problemf(key, "check the structure against the project's docs", "cannot be read: %v", err)
	}
}

// jsonFields returns the JSON field names of the struct a value decodes
// into, looking through pointers, slices and maps.
func jsonFields(t reflect.Type) []string {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

func (r *Reader) markUnreadable(key string) {
	if r.unreadable == nil {
		r.unreadable = map[string]bool{}
	}
	r.unreadable[key] = true
}

// valueName names a JSON value kind of a json.UnmarshalTypeError.
func valueName(v string) string {
	switch {
	case v == "object":
		return "a mapping"
	case v == "array":
		return "a list"
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return "a " + v
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping of keys"
	}
	return t.String()
}

// SecretString returns a secret key's value as a secret output. It records
// a problem when the key is set in plaintext, so that secrets never sit
// unencrypted in a stack file.
func (r *Reader) SecretString(key string) (pulumi.StringOutput, bool) {
	if _, err := r.try(key); err != nil {
		return pulumi.StringOutput{}, false
	}
	if !r.ctx.IsConfigSecret(r.Key(key)) {
		r.Problem(key, "is stored in plaintext", fmt.Sprintf("run `pulumi config set --secret %s <value>` in the project folder", r.Key(key)))
	}
	return r.cfg.GetSecret(key), true
}
