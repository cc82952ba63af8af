// Package stackconfig reads a project's Pulumi stack configuration and
// collects every problem, so a project's config package can read its one
// config struct in one place and fail with all missing or invalid keys at
// once, each naming the Pulumi.<stack>.yaml it belongs in.
package stackconfig

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

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

// Problem records a problem with key.
func (r *Reader) Problem(key, msg, fix string) {
	r.list.Add(r.file, r.Key(key), msg, fix)
}

// Problemf records a problem with a formatted message.
func (r *Reader) Problemf(key, fix, format string, args ...any) {
	r.list.Addf(r.file, r.Key(key), fix, format, args...)
}

// String returns the key's value, or def when it is not set.
func (r *Reader) String(key, def string) string {
	if v, err := r.cfg.Try(key); err == nil {
		return v
	}
	return def
}

// RequireString returns the key's value and records a problem when unset.
func (r *Reader) RequireString(key, fix string) string {
	v, err := r.cfg.Try(key)
	if err != nil || v == "" {
		r.Problem(key, "is missing", fix)
		return ""
	}
	return v
}

// Int returns the key's integer value, or def when it is not set.
func (r *Reader) Int(key string, def int) int {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		r.Problemf(key, "use a whole number", "%q is not an integer", raw)
		return def
	}
	return n
}

// Float returns the key's number value, or def when it is not set.
func (r *Reader) Float(key string, def float64) float64 {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return def
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		r.Problemf(key, "use a number", "%q is not a number", raw)
		return def
	}
	return f
}

// Bool returns the key's boolean value, or def when it is not set.
func (r *Reader) Bool(key string, def bool) bool {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return def
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		r.Problemf(key, "use true or false", "%q is not a boolean", raw)
		return def
	}
	return b
}

// Object decodes a structured key into out and reports whether it was set.
// Unknown fields are problems, so a typo in the stack file does not pass
// silently.
func (r *Reader) Object(key string, out any) bool {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return false
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		r.Problemf(key, "check the structure against the project's docs", "cannot be read: %v", err)
		return false
	}
	return true
}

// SecretString returns a secret key's value as a secret output. It records
// a problem when the key is set in plaintext, so that secrets never sit
// unencrypted in a stack file.
func (r *Reader) SecretString(key string) (pulumi.StringOutput, bool) {
	if _, err := r.cfg.Try(key); err != nil {
		return pulumi.StringOutput{}, false
	}
	if !r.ctx.IsConfigSecret(r.Key(key)) {
		r.Problem(key, "is stored in plaintext", fmt.Sprintf("run `pulumi config set --secret %s <value>` in the project folder", r.Key(key)))
	}
	return r.cfg.GetSecret(key), true
}
