package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Values are stored in cloud.json as plain JSON. Two kinds of value are not
// stored as they are:
//   - secrets are stored as {"$secret": "<sha256>"}: the fake cloud never
//     writes a secret in plaintext (like the real APIs, which never return
//     secret bindings);
//   - opaque values (a Worker's script content) are stored as
//     {"$sha256": "<sha256>", "$bytes": n} to keep the file small.
//
// Reading an object back restores such values from the values the engine
// sent (the resource's state and inputs) when their hash matches; otherwise
// the value is unreadable, as it is from the real API, and reads as a
// placeholder string.
const (
	secretMarker = "$secret"
	opaqueMarker = "$sha256"
)

func hashOf(v resource.PropertyValue) string {
	b, _ := json.Marshal(providerserver.Plain(v).Mappable())
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// toJSON converts a property map to storable JSON values; opaque names the
// top-level keys stored as hashes.
func toJSON(props resource.PropertyMap, opaque map[string]bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range props {
		if v.IsNull() {
			continue
		}
		if opaque[string(k)] && !v.IsSecret() && v.IsString() {
			out[string(k)] = map[string]any{opaqueMarker: hashOf(v), "$bytes": float64(len(v.StringValue()))}
			continue
		}
		j, err := valueToJSON(v)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
		out[string(k)] = j
	}
	return out, nil
}

func valueToJSON(v resource.PropertyValue) (any, error) {
	switch {
	case v.IsNull():
		return nil, nil
	case v.IsSecret():
		return map[string]any{secretMarker: hashOf(v.SecretValue().Element)}, nil
	case v.IsComputed() || v.IsOutput():
		return nil, fmt.Errorf("value is unknown")
	case v.IsBool():
		return v.BoolValue(), nil
	case v.IsNumber():
		return v.NumberValue(), nil
	case v.IsString():
		return v.StringValue(), nil
	case v.IsArray():
		arr := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			j, err := valueToJSON(e)
			if err != nil {
				return nil, err
			}
			arr = append(arr, j)
		}
		return arr, nil
	case v.IsObject():
		m := map[string]any{}
		for k, e := range v.ObjectValue() {
			if e.IsNull() {
				continue
			}
			j, err := valueToJSON(e)
			if err != nil {
				return nil, err
			}
			m[string(k)] = j
		}
		return m, nil
	case v.IsResourceReference():
		return valueToJSON(providerserver.Plain(v))
	}
	return nil, fmt.Errorf("sandbox does not store %s values", v.TypeString())
}

// knownValues indexes, by hash, the secret and string values found in the
// given property maps, so hashed values can be restored on read.
type knownValues map[string]resource.PropertyValue

func collectKnown(maps ...resource.PropertyMap) knownValues {
	kv := knownValues{}
	var walk func(v resource.PropertyValue)
	walk = func(v resource.PropertyValue) {
		switch {
		case v.IsSecret():
			kv[hashOf(v.SecretValue().Element)] = v.SecretValue().Element
			walk(v.SecretValue().Element)
		case v.IsString():
			kv[hashOf(v)] = v
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e)
			}
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e)
			}
		}
	}
	for _, m := range maps {
		for _, v := range m {
			walk(v)
		}
	}
	return kv
}

// fromJSON converts stored values back to properties.
func fromJSON(props map[string]any, known knownValues) resource.PropertyMap {
	out := resource.PropertyMap{}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[resource.PropertyKey(k)] = valueFromJSON(props[k], known)
	}
	return out
}

func valueFromJSON(x any, known knownValues) resource.PropertyValue {
	switch t := x.(type) {
	case nil:
		return resource.NewNullProperty()
	case bool:
		return resource.NewBoolProperty(t)
	case float64:
		return resource.NewNumberProperty(t)
	case int:
		return resource.NewNumberProperty(float64(t))
	case string:
		return resource.NewStringProperty(t)
	case []any:
		arr := make([]resource.PropertyValue, len(t))
		for i, e := range t {
			arr[i] = valueFromJSON(e, known)
		}
		return resource.NewArrayProperty(arr)
	case map[string]any:
		if h, ok := t[secretMarker].(string); ok && len(t) == 1 {
			if v, ok := known[h]; ok {
				return resource.MakeSecret(v)
			}
			return resource.MakeSecret(resource.NewStringProperty("<secret not readable from the API>"))
		}
		if h, ok := t[opaqueMarker].(string); ok {
			if v, ok := known[h]; ok {
				return v
			}
			return resource.NewStringProperty("<content not readable from the API; sha256 " + h + ">")
		}
		return resource.NewObjectProperty(fromJSON(t, known))
	}
	return resource.NewStringProperty(fmt.Sprint(x))
}
