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
)

// A kind is one modeled resource type, declared in its own file
// (cloudflare_dns.go, aiven_topic.go, …) with register. The kind lists its
// input fields (which the generic Check, Diff and preview use) and the
// hooks of its cloud rules; the skeleton below (create, update, lookup)
// runs them in the same order for every kind:
//
//	create: defaults → refs → identity → duplicate or take-over (upsert) → unique → written
//	update: refs → identity → moved → unique → written
//	lookup: import ID (imports) or state (stateKey) → the object of that key
//
// Every rule a hook enforces cites, in a comment, the upstream schema or
// code it was derived from (docs/decisions/0043-sandbox-fidelity.md).

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
	// sticky: once the object exists the real provider plans the state's
	// value whatever the input says (a plan modifier copies the state), so a
	// changed input is no difference and is never applied.
	sticky bool
	// nested lists the properties required inside the value when it is set
	// (the schema's nested Required attributes), relative to the value:
	// "enabled" (an object's key), "logs.enabled" (required when logs is
	// set), "[].name" (each element of a list), "items[].key".
	nested []string
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
	// check validates known inputs and fills defaults (Check).
	check func(c *checker)
	// diff adds rules to the generic diff; an error fails the preview.
	diff func(olds, news resource.PropertyMap) error

	// defaults fills the computed properties of a new object (IDs the
	// cloud assigns, defaults); it keeps values already set.
	defaults func(o *Object)
	// refs checks the objects o refers to, as the real API does on create
	// and update, and may copy what it reads from them (a queue's name).
	refs func(st *state, o *Object) error
	// identity returns the object's key (unique within the type), the
	// Pulumi ID the real provider reports, and the physical name.
	identity func(o *Object) (key, id, name string)
	// duplicate is the real API's answer to a create whose key exists.
	duplicate func(o *Object) error
	// upsert: the real API's create is a PUT that overwrites an object of
	// the same key; such a create takes the object over (Object.TakenOver).
	upsert bool
	// moved handles an update that changes the object's key (o.Key differs
	// from old.Key): the request addresses another object.
	moved func(st *state, old, o *Object) error
	// unique enforces the other uniqueness rules of the API (names that are
	// not the key); o's own key is not a conflict.
	unique func(st *state, o *Object) error
	// written fills the computed properties of every write; prev is the
	// object it replaces (the old version on update, the overwritten one on
	// a take-over), nil on a plain create.
	written func(st *state, prev, o *Object)

	// imports describes the real provider's import ID.
	imports importSpec
	// stateKey returns the key of the object of a resource from its ID and
	// state; nil means the ID is the key.
	stateKey func(id string, props map[string]any) string
	// decorate refreshes properties derived from other objects on read.
	decorate func(st *state, o *Object)
	// beforeDelete may refuse a deletion; afterDelete applies cascades.
	beforeDelete func(st *state, o *Object) error
	afterDelete  func(st *state, o *Object)
}

// importSpec describes an import ID: parts separated by sep ("/" unless
// set), n of them (0: any number, key checks), turned into the object's key.
type importSpec struct {
	// format is the import ID the real provider documents, for messages;
	// empty means the provider does not support importing the type.
	format string
	sep    string
	n      int
	// bare: an ID without a separator is a Pulumi ID (the key), as when the
	// engine reads a resource by its ID.
	bare bool
	// key builds the object's key from the parts.
	key func(parts []string, cfg providerserver.Config) (string, error)
	// match names properties that must equal a part, by index (the account
	// an ID is scoped to).
	match map[int]string
}

// kinds are all modeled types, by token.
var kinds = map[string]*kind{}

func register(k *kind) {
	if k.identity == nil {
		panic("sandbox: kind " + k.token + " has no identity")
	}
	kinds[k.token] = k
}

// pkgOf returns the package of a type token ("cloudflare").
func pkgOf(token string) string {
	pkg, _, _ := strings.Cut(token, ":")
	return pkg
}

// create creates o against the cloud by the kind's rules (the caller
// stores it); see createObject.
func (k *kind) create(st *state, o *Object) error {
	_, err := k.createObject(st, o)
	return err
}

// createObject runs the create skeleton on o and returns the object an
// upsert overwrites (nil otherwise). It does not store o.
func (k *kind) createObject(st *state, o *Object) (prev *Object, err error) {
	if k.defaults != nil {
		k.defaults(o)
	}
	if k.refs != nil {
		if err := k.refs(st, o); err != nil {
			return nil, err
		}
	}
	o.Key, o.ID, o.Name = k.identity(o)
	if prev = st.byKey(k.token, o.Key); prev != nil && !k.upsert {
		if k.duplicate != nil {
			return nil, k.duplicate(o)
		}
		return nil, fmt.Errorf("%s %q already exists", k.label, o.Name)
	}
	if k.unique != nil {
		if err := k.unique(st, o); err != nil {
			return nil, err
		}
	}
	if k.written != nil {
		k.written(st, prev, o)
	}
	return prev, nil
}

// update validates o, a copy of old with the new inputs, against the cloud
// and fills its computed properties (the caller stores it).
func (k *kind) update(st *state, old, o *Object) error {
	if k.refs != nil {
		if err := k.refs(st, o); err != nil {
			return err
		}
	}
	o.Key, o.ID, o.Name = k.identity(o)
	if o.Key != old.Key && k.moved != nil {
		if err := k.moved(st, old, o); err != nil {
			return err
		}
	}
	if k.unique != nil {
		if err := k.unique(st, o); err != nil {
			return err
		}
	}
	if k.written != nil {
		k.written(st, old, o)
	}
	return nil
}

// lookup finds the object of a Pulumi ID. props is the resource's state;
// empty when importing, and then id is an import ID.
func (k *kind) lookup(st *state, id string, props map[string]any, cfg providerserver.Config) (*Object, error) {
	if len(props) > 0 {
		key := id
		if k.stateKey != nil {
			key = k.stateKey(id, props)
		}
		return st.byKey(k.token, key), nil
	}
	spec := k.imports
	if spec.format == "" {
		return nil, fmt.Errorf("the %s provider does not support importing %s", pkgOf(k.token), k.token)
	}
	sep := spec.sep
	if sep == "" {
		sep = "/"
	}
	if spec.bare && !strings.Contains(id, sep) {
		return st.byKey(k.token, id), nil
	}
	var parts []string
	if sep == " " {
		parts = strings.Fields(id)
	} else {
		parts = strings.Split(id, sep)
	}
	if spec.n > 0 && len(parts) != spec.n {
		return nil, fmt.Errorf("invalid import ID %q: expected %s", id, spec.format)
	}
	key := id
	if spec.key != nil {
		var err error
		if key, err = spec.key(parts, cfg); err != nil {
			return nil, err
		}
	}
	o := st.byKey(k.token, key)
	for i, prop := range spec.match {
		if o != nil && str(o.Props, prop) != parts[i] {
			o = nil
		}
	}
	return o, nil
}

func (k *kind) fieldNames() []string {
	out := make([]string, 0, len(k.fields))
	for n := range k.fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
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
