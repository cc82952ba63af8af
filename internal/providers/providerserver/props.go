package providerserver

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

// options are the marshaling options of the providers here: keep unknowns
// (previews send them) and secrets (so secret inputs stay secret in
// outputs), skip nulls.
var options = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

// Unmarshal decodes a property struct sent by the engine. Secrets, which
// arrive wrapped with the secret signature, become resource.Secret values;
// unknowns stay computed values; resource references become their ID (or
// URN for components), as a provider that does not accept references sees
// them.
func Unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	props, err := plugin.UnmarshalProperties(s, options)
	if err != nil {
		return nil, fmt.Errorf("unmarshal properties: %w", err)
	}
	return props, nil
}

// UnmarshalPair decodes the two property maps a request carries (olds and
// news, or properties and inputs), in that order.
func UnmarshalPair(a, b *structpb.Struct) (resource.PropertyMap, resource.PropertyMap, error) {
	x, err := Unmarshal(a)
	if err != nil {
		return nil, nil, err
	}
	y, err := Unmarshal(b)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// Marshal encodes properties for the engine, keeping secrets and unknowns.
func Marshal(props resource.PropertyMap) (*structpb.Struct, error) {
	s, err := plugin.MarshalProperties(props, options)
	if err != nil {
		return nil, fmt.Errorf("marshal properties: %w", err)
	}
	return s, nil
}

// Plain returns v without secret wrappers, at any depth.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = Plain(e)
		}
		return resource.NewArrayProperty(arr)
	case v.IsObject():
		m := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			m[k] = Plain(e)
		}
		return resource.NewObjectProperty(m)
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		if id, ok := ref.IDString(); ok {
			return resource.NewStringProperty(id)
		}
		return resource.NewStringProperty(string(ref.URN))
	}
	return v
}

// Equal reports whether a and b hold the same plain values: secret wrappers
// are ignored, and null equals absent inside objects.
func Equal(a, b resource.PropertyValue) bool {
	a, b = Plain(a), Plain(b)
	switch {
	case a.IsNull() || b.IsNull():
		return a.IsNull() && b.IsNull()
	case a.IsComputed() || b.IsComputed():
		return false
	case a.IsObject() && b.IsObject():
		am, bm := a.ObjectValue(), b.ObjectValue()
		for _, k := range unionKeys(am, bm) {
			if !Equal(am[k], bm[k]) {
				return false
			}
		}
		return true
	case a.IsArray() && b.IsArray():
		aa, ba := a.ArrayValue(), b.ArrayValue()
		if len(aa) != len(ba) {
			return false
		}
		for i := range aa {
			if !Equal(aa[i], ba[i]) {
				return false
			}
		}
		return true
	}
	return a.DeepEquals(b)
}

func unionKeys(a, b resource.PropertyMap) []resource.PropertyKey {
	seen := map[resource.PropertyKey]bool{}
	var keys []resource.PropertyKey
	for _, m := range []resource.PropertyMap{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
