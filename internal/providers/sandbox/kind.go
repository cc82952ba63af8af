package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// valueType is the type of an input property.
type valueType int

const (
	tString valueType = iota
	tNumber
	tBool
	tObject
	tArray
	tStringMap
)

func (t valueType) String() string {
	return [...]string{"string", "number", "boolean", "object", "array", "map of strings"}[t]
}

// field describes one input property of a resource type.
type field struct {
	typ      valueType
	required bool
	// replace: changing the property replaces the resource (the real
	// provider's ForceNew/RequiresReplace).
	replace bool
	// computed: optional and computed; when the input is absent the cloud's
	// value stands and is not a difference.
	computed bool
}

// kind is one modeled resource type.
type kind struct {
	token string
	label string // "D1 database", for messages
	// fields are the input properties; any other input fails Check.
	fields map[string]field
	// opaque are top-level inputs stored as hashes (script contents).
	opaque map[string]bool
	// outputs are the computed outputs (unknown during preview).
	outputs []string
	// check validates known inputs and fills defaults.
	check func(c *checker)
	// create validates the object against the cloud (unique names,
	// references), fills computed properties and sets Key, ID and Name.
	create func(st *state, o *Object) error
	// update validates the changed object o (a copy of old with the new
	// inputs) against the cloud; nil keeps old's computed properties.
	update func(st *state, old, o *Object) error
	// diff adds rules to the generic diff; an error fails the preview.
	diff func(olds, news resource.PropertyMap) error
	// lookup finds the object of a Pulumi ID. props is the resource's
	// state, empty when importing (then id is an import ID).
	lookup func(st *state, id string, props map[string]any, cfg providerserver.Config) (*Object, error)
	// decorate refreshes properties derived from other objects on read.
	decorate func(st *state, o *Object)
	// beforeDelete may refuse a deletion; afterDelete applies cascades.
	beforeDelete func(st *state, o *Object) error
	afterDelete  func(st *state, o *Object)
}

// kinds are all modeled types, by token.
var kinds = map[string]*kind{}

func register(k *kind) {
	if k.lookup == nil {
		k.lookup = lookupByID(k.token)
	}
	kinds[k.token] = k
}

// pkgOf returns the package of a type token ("cloudflare").
func pkgOf(token string) string {
	pkg, _, _ := strings.Cut(token, ":")
	return pkg
}

// lookupByID finds objects by Pulumi ID, which is also the import ID.
func lookupByID(typ string) func(st *state, id string, _ map[string]any, _ providerserver.Config) (*Object, error) {
	return func(st *state, id string, _ map[string]any, _ providerserver.Config) (*Object, error) {
		return st.find(typ, func(o *Object) bool { return o.ID == id }), nil
	}
}

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

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// runCheck validates the inputs generically (unknown properties, required
// properties, types), then by the kind's rules.
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
		if k.fields[name].required && !present(c.news, name) {
			c.fail(name, "Missing required argument. The argument %q is required, but no definition was found.", name)
		}
	}
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

func (k *kind) fieldNames() []string {
	out := make([]string, 0, len(k.fields))
	for n := range k.fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
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

// Helpers over stored (JSON) properties.

func str(p map[string]any, key string) string {
	s, _ := p[key].(string)
	return s
}

func num(p map[string]any, key string) float64 {
	n, _ := p[key].(float64)
	return n
}

func boolean(p map[string]any, key string) bool {
	b, _ := p[key].(bool)
	return b
}

func setDefault(p map[string]any, key string, v any) {
	if _, ok := p[key]; !ok {
		p[key] = v
	}
}

// now is the time stamp format of the APIs.
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }

// hexID returns n random bytes as lowercase hex (Cloudflare IDs are 16).
func hexID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// uuid4 returns a random RFC 4122 version 4 UUID.
func uuid4() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
