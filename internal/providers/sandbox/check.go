package sandbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// checker carries one Check call.
type checker struct {
	k        *kind
	news     resource.PropertyMap
	olds     resource.PropertyMap
	cfg      providerserver.Config
	name     string // logical name (URN)
	seed     []byte
	failures []*pulumirpc.CheckFailure
}

func (c *checker) fail(prop, format string, args ...any) {
	c.failures = append(c.failures, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
}

// known returns the plain value of key when it is set and known.
func known(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() || v.ContainsUnknowns() {
		return resource.PropertyValue{}, false
	}
	return providerserver.Plain(v), true
}

func pstr(m resource.PropertyMap, key string) (string, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func pnum(m resource.PropertyMap, key string) (float64, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsNumber() {
		return 0, false
	}
	return v.NumberValue(), true
}

func pbool(m resource.PropertyMap, key string) (bool, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsBool() {
		return false, false
	}
	return v.BoolValue(), true
}

func pobj(m resource.PropertyMap, key string) (resource.PropertyMap, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

func parr(m resource.PropertyMap, key string) ([]resource.PropertyValue, bool) {
	v, ok := known(m, key)
	if !ok || !v.IsArray() {
		return nil, false
	}
	return v.ArrayValue(), true
}

// present reports whether key is set (known or not).
func present(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && !v.IsNull()
}

// oneOf checks that the string at key, if set, is one of allowed.
func (c *checker) oneOf(m resource.PropertyMap, key, prop string, allowed ...string) {
	s, ok := pstr(m, key)
	if !ok {
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	c.fail(prop, "expected %s to be one of [%s], got %q", prop, strings.Join(quoteAll(allowed), ", "), s)
}

// oneOfFold is oneOf ignoring case, as the Terraform plugin framework's
// stringvalidator.OneOfCaseInsensitive.
func (c *checker) oneOfFold(m resource.PropertyMap, key, prop string, allowed ...string) {
	s, ok := pstr(m, key)
	if !ok {
		return
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return
		}
	}
	c.fail(prop, "expected %s to be one of [%s] (any case), got %q", prop, strings.Join(quoteAll(allowed), ", "), s)
}

// between checks that the number at key, if set, is within [lo, hi].
func (c *checker) between(m resource.PropertyMap, key, prop string, lo, hi float64) {
	n, ok := pnum(m, key)
	if !ok {
		return
	}
	if n < lo || n > hi || n != float64(int64(n)) {
		c.fail(prop, "expected %s to be an integer in the range (%v - %v), got %v", prop, lo, hi, n)
	}
}

// length checks that the string at key, if set, is lo to hi bytes long
// (the plugin framework's stringvalidator.LengthBetween counts bytes; its
// UTF8LengthBetween would count characters).
func (c *checker) length(m resource.PropertyMap, key, prop string, lo, hi int) {
	s, ok := pstr(m, key)
	if !ok {
		return
	}
	if n := len(s); n < lo || n > hi {
		c.fail(prop, "%s must be %d to %d characters long, got %d", prop, lo, hi, n)
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// runCheck validates the inputs generically (unknown properties, required
// properties, types, required nested properties), then by the kind's
// rules.
func (k *kind) runCheck(c *checker) {
	keys := make([]string, 0, len(c.news))
	for key := range c.news {
		keys = append(keys, string(key))
	}
	sort.Strings(keys)
	for _, key := range keys {
		f, ok := k.fields[key]
		if !ok {
			c.fail(key, "unknown property %q: %s has no such input (sandbox models %s)", key, k.token, strings.Join(k.fieldNames(), ", "))
			continue
		}
		v, ok := known(c.news, key)
		if !ok {
			continue
		}
		if !hasType(v, f.typ) {
			c.fail(key, "%s must be a %s, got %s", key, f.typ, v.TypeString())
		}
	}
	if k.check != nil {
		k.check(c)
	}
	for _, name := range k.fieldNames() {
		f := k.fields[name]
		if f.required && !present(c.news, name) {
			c.fail(name, "Missing required argument. The argument %q is required, but no definition was found.", name)
		}
		if v, ok := c.news[resource.PropertyKey(name)]; ok {
			for _, path := range f.nested {
				c.nestedRequired(name, v, strings.Split(path, "."))
			}
		}
	}
}

// nestedRequired fails for each missing property at path (a split nested
// path of a field) under v, the value at prop. Unknown values are skipped:
// they are checked once known.
func (c *checker) nestedRequired(prop string, v resource.PropertyValue, path []string) {
	if v.IsNull() || v.ContainsUnknowns() && !v.IsObject() && !v.IsArray() {
		return
	}
	v = providerserver.Plain(v)
	seg := path[0]
	if seg == "[]" {
		if !v.IsArray() {
			return
		}
		for i, e := range v.ArrayValue() {
			p := fmt.Sprintf("%s[%d]", prop, i)
			if len(path) == 1 {
				if e.IsNull() {
					c.fail(p, "Missing required argument. The argument %q is required, but no definition was found.", p)
				}
				continue
			}
			c.nestedRequired(p, e, path[1:])
		}
		return
	}
	list := strings.HasSuffix(seg, "[]")
	key := strings.TrimSuffix(seg, "[]")
	if !v.IsObject() {
		return
	}
	m := v.ObjectValue()
	p := prop + "." + key
	if len(path) == 1 && !list {
		if !present(m, key) {
			c.fail(p, "Missing required argument. The argument %q is required, but no definition was found.", p)
		}
		return
	}
	e, ok := m[resource.PropertyKey(key)]
	if !ok {
		return
	}
	rest := path[1:]
	if list {
		rest = append([]string{"[]"}, rest...)
	}
	if len(rest) == 0 {
		return
	}
	c.nestedRequired(p, e, rest)
}

// validate runs the checks on JSON properties (for Cloud.Put).
func (k *kind) validate(props map[string]any, cfg *providerserver.Config) []*pulumirpc.CheckFailure {
	c := &checker{k: k, news: resource.NewPropertyMapFromMap(props), olds: resource.PropertyMap{}}
	if cfg != nil {
		c.cfg = *cfg
	}
	k.runCheck(c)
	for key, v := range c.news {
		if !v.IsNull() && !v.ContainsUnknowns() {
			if j, err := valueToJSON(v); err == nil {
				props[string(key)] = j
			}
		}
	}
	return c.failures
}

func hasType(v resource.PropertyValue, t valueType) bool {
	switch t {
	case tString:
		return v.IsString()
	case tNumber:
		return v.IsNumber()
	case tBool:
		return v.IsBool()
	case tObject:
		return v.IsObject()
	case tArray:
		return v.IsArray()
	case tStringMap:
		if !v.IsObject() {
			return false
		}
		for _, e := range v.ObjectValue() {
			if e = providerserver.Plain(e); !e.IsString() && !e.IsComputed() {
				return false
			}
		}
		return true
	}
	return false
}
