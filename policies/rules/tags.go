package rules

import (
	"regexp"
	"strings"

	"github.com/clustera/infra/shared/tags"
)

// RequiredTags is the policy name of the tag rule.
const RequiredTags = "required-tags"

// tagReader reads the tags or labels of one resource type into a map. It
// reports false when they are not all known yet.
type tagReader struct {
	prop string
	fix  string
	read func(v Value) (map[string]string, bool)
}

var tagReaders = map[string]tagReader{
	TypeKafkaTopic:         {"tags", "add tags [{key: env}, {key: project}, {key: managed-by}] from shared/tags (Set.Map)", keyValueList},
	TypePubSubTopic:        {"labels", "set labels to tags.For(ctx).GCPLabels()", labelMap},
	TypePubSubSubscription: {"labels", "set labels to tags.For(ctx).GCPLabels()", labelMap},
	TypeDNSRecord:          {"tags", "set tags to tags.For(ctx).Cloudflare() (\"env:<stack>\", \"project:<project>\", \"managed-by:pulumi\")", colonList},
}

// keyValueList reads Aiven tags: [{key, value}].
func keyValueList(v Value) (map[string]string, bool) {
	elems, ok := v.Elems()
	if !ok {
		return nil, !v.Unknown
	}
	out := map[string]string{}
	for _, e := range elems {
		k, kok := e.Get("key").Str()
		val := e.Get("value")
		s, vok := val.Str()
		if !kok || val.Unknown {
			return nil, false
		}
		if vok {
			out[k] = s
		} else {
			out[k] = ""
		}
	}
	return out, true
}

// labelMap reads GCP labels: {key: value}.
func labelMap(v Value) (map[string]string, bool) {
	if v.Unknown {
		return nil, false
	}
	out := map[string]string{}
	if !v.Known() || !v.V.IsObject() {
		return out, true
	}
	for k := range v.V.ObjectValue() {
		e := v.Get(string(k))
		if e.Unknown {
			return nil, false
		}
		s, _ := e.Str()
		out[string(k)] = s
	}
	return out, true
}

// colonList reads Cloudflare tags: ["key:value"].
func colonList(v Value) (map[string]string, bool) {
	elems, ok := v.Elems()
	if !ok {
		return nil, !v.Unknown
	}
	out := map[string]string{}
	for _, e := range elems {
		if e.Unknown {
			return nil, false
		}
		s, ok := e.Str()
		if !ok {
			continue
		}
		k, val, _ := strings.Cut(s, ":")
		out[k] = val
	}
	return out, true
}

var labelInvalid = regexp.MustCompile(`[^a-z0-9_-]`)

// gcpLabel is the form shared/tags gives values in GCP labels.
func gcpLabel(v string) string {
	v = labelInvalid.ReplaceAllString(strings.ToLower(v), "_")
	if len(v) > 63 {
		v = v[:63]
	}
	return v
}

func requiredTags() Policy {
	return Policy{
		Name:        RequiredTags,
		Description: "Resources that support tags or labels carry env, project and managed-by.",
		Types:       []string{TypeKafkaTopic, TypePubSubTopic, TypePubSubSubscription, TypeDNSRecord},
		Resource: func(r Resource, _ Config) []Violation {
			tr, ok := tagReaders[r.Type]
			if !ok {
				return nil
			}
			got, ok := tr.read(r.Get(tr.prop))
			if !ok {
				return nil
			}
			var vs []Violation
			if missing := tags.Missing(got); len(missing) > 0 {
				vs = append(vs, violation(RequiredTags, r, tr.fix, "%s lack %s", tr.prop, strings.Join(missing, ", ")))
			}
			want := map[string]string{tags.KeyEnv: r.Stack, tags.KeyProject: r.Project, tags.KeyManagedBy: tags.ManagedBy}
			for _, k := range tags.Keys {
				have, w := got[k], want[k]
				if have == "" || w == "" {
					continue
				}
				if tr.prop == "labels" {
					w = gcpLabel(w)
				}
				if have != w {
					vs = append(vs, violation(RequiredTags, r, tr.fix, "%s %s is %q, expected %q", tr.prop, k, have, w))
				}
			}
			return vs
		},
	}
}
