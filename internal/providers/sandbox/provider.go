package sandbox

import (
	"context"
	"fmt"
	"sort"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Versions the sandbox reports: the versions the SDKs pin, so the engine
// prints no version warnings.
const (
	CloudflareVersion = "6.18.0"
	AivenVersion      = "6.58.0"
	GCPVersion        = "7.38.0"
)

// provider is the fake provider of one package.
type provider struct {
	*providerserver.Base
	cloud *Cloud
	kinds map[string]*kind
}

func newProvider(pkg, version string, cloud *Cloud) *provider {
	p := &provider{
		Base:  &providerserver.Base{Package: pkg, Version: version},
		cloud: cloud,
		kinds: map[string]*kind{},
	}
	for token, k := range kinds {
		if pkgOf(token) == pkg {
			p.kinds[token] = k
		}
	}
	return p
}

func (p *provider) kind(typ, urn string) (*kind, string) {
	if typ == "" {
		typ = string(resource.URN(urn).Type())
	}
	return p.kinds[typ], typ
}

// request resolves the kind of a request, refusing a type the sandbox does
// not model, and decodes the request's two property maps (UnmarshalPair).
func (p *provider) request(typ, urn string, a, b *structpb.Struct) (*kind, string, resource.PropertyMap, resource.PropertyMap, error) {
	k, typ := p.kind(typ, urn)
	if k == nil {
		return nil, typ, nil, nil, p.unknownType(typ)
	}
	x, y, err := providerserver.UnmarshalPair(a, b)
	return k, typ, x, y, err
}

func (p *provider) unknownType(typ string) error {
	return fmt.Errorf("sandbox does not model %s (the local sandbox models only the resource types this repository uses; see docs/local-environment.md)", typ)
}

func urnName(urn string) string {
	if urn == "" {
		return ""
	}
	return resource.URN(urn).Name()
}

// Check validates inputs as the real provider and API do.
func (p *provider) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, typ := p.kind(req.GetType(), req.GetUrn())
	if k == nil {
		return &pulumirpc.CheckResponse{
			Inputs:   req.GetNews(),
			Failures: []*pulumirpc.CheckFailure{{Reason: p.unknownType(typ).Error()}},
		}, nil
	}
	news, olds, err := providerserver.UnmarshalPair(req.GetNews(), req.GetOlds())
	if err != nil {
		return nil, err
	}
	c := &checker{k: k, news: news, olds: olds, cfg: p.Config(ctx), name: urnName(req.GetUrn()), seed: req.GetRandomSeed()}
	k.runCheck(c)
	inputs, err := providerserver.Marshal(c.news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: c.failures}, nil
}

// Diff compares the new inputs with the resource's state, property by
// property, and replaces when a property that the real provider cannot
// update changes.
func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, _, olds, news, err := p.request(req.GetType(), req.GetUrn(), req.GetOlds(), req.GetNews())
	if err != nil {
		return nil, err
	}
	return k.computeDiff(olds, news, req.GetIgnoreChanges())
}

func (k *kind) computeDiff(olds, news resource.PropertyMap, ignore []string) (*pulumirpc.DiffResponse, error) {
	ignored := map[string]bool{}
	for _, i := range ignore {
		ignored[i] = true
	}
	resp := &pulumirpc.DiffResponse{DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	for _, name := range k.fieldNames() {
		if ignored[name] {
			continue
		}
		f := k.fields[name]
		key := resource.PropertyKey(name)
		n, o := news[key], olds[key]
		var kindOf pulumirpc.PropertyDiff_Kind
		switch {
		case n.IsNull() && (f.computed || o.IsNull()):
			continue
		case f.sticky && !o.IsNull():
			continue // the provider plans the state's value
		case n.IsNull():
			kindOf = pulumirpc.PropertyDiff_DELETE
		case o.IsNull():
			kindOf = pulumirpc.PropertyDiff_ADD
		case n.ContainsUnknowns() || !providerserver.Equal(o, n):
			kindOf = pulumirpc.PropertyDiff_UPDATE
		default:
			continue
		}
		if f.replace {
			kindOf++ // each *_REPLACE kind follows its plain kind
			resp.Replaces = append(resp.Replaces, name)
		}
		resp.Diffs = append(resp.Diffs, name)
		resp.DetailedDiff[name] = &pulumirpc.PropertyDiff{Kind: kindOf, InputDiff: true}
	}
	if k.diff != nil {
		if err := k.diff(olds, news); err != nil {
			return nil, err
		}
	}
	sort.Strings(resp.Diffs)
	if len(resp.Diffs) == 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_NONE
	} else {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp, nil
}

// preview returns what Create or Update would return, without side
// effects: the inputs, with the computed outputs unknown.
func (k *kind) preview(base, news resource.PropertyMap) (*structpb.Struct, error) {
	out := resource.PropertyMap{}
	for key, v := range base {
		out[key] = v
	}
	for name, f := range k.fields {
		key := resource.PropertyKey(name)
		if !present(news, name) && !f.computed {
			delete(out, key)
		}
	}
	for key, v := range news {
		if f, ok := k.fields[string(key)]; ok && f.sticky && present(base, string(key)) {
			continue
		}
		out[key] = v
	}
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	for _, name := range k.outputs {
		if _, ok := out[resource.PropertyKey(name)]; !ok {
			out[resource.PropertyKey(name)] = unknown
		}
	}
	for name, f := range k.fields {
		if _, ok := out[resource.PropertyKey(name)]; !ok && f.computed {
			out[resource.PropertyKey(name)] = unknown
		}
	}
	return providerserver.Marshal(out)
}

// Create creates the object in the fake cloud.
func (p *provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, typ := p.kind(req.GetType(), req.GetUrn())
	if k == nil {
		return nil, p.unknownType(typ)
	}
	news, err := providerserver.Unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	obj, out, err := p.write(ctx, "create", k, typ, req.GetUrn(), nil, news, req.GetPreview(), func(st *state, props map[string]any) (*Object, error) {
		obj := &Object{Type: typ, Props: props, URN: req.GetUrn()}
		prev, err := k.createObject(st, obj)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			// The real API's create is a PUT: it overwrites the object of
			// that name, whoever made it. Record the take-over.
			obj.TakenOver = &TakeOver{By: req.GetUrn(), From: prev.URN, At: now()}
		}
		return obj, nil
	})
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return &pulumirpc.CreateResponse{Properties: out}, nil // a preview
	}
	return &pulumirpc.CreateResponse{Id: obj.ID, Properties: out}, nil
}

// write is the skeleton of Create and Update (op "create" or "update"). A
// preview returns what the operation would, without side effects (no
// object). Otherwise the new inputs become the object's properties, the
// injected delay applies, and, inside one transaction of the cloud, change
// makes the object from them, the injected fault applies and the object is
// stored; the outputs are its properties with the inputs' secrets kept.
func (p *provider) write(ctx context.Context, op string, k *kind, typ, urn string, olds, news resource.PropertyMap, preview bool,
	change func(st *state, props map[string]any) (*Object, error)) (*Object, *structpb.Struct, error) {
	if preview {
		props, err := k.preview(olds, news)
		return nil, props, err
	}
	props, err := toJSON(news, k.opaque)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: %s: %w", typ, err)
	}
	delayFault(ctx, p.cloud.dir, op, typ, urnName(urn))
	var obj *Object
	err = p.cloud.transact(true, func(st *state) error {
		o, err := change(st, props)
		if err != nil {
			return err
		}
		if err := checkFault(p.cloud.dir, op, typ, urnName(urn), o.Name); err != nil {
			return err
		}
		st.put(o)
		obj = o
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out, err := providerserver.Marshal(fromJSON(obj.Props, collectKnown(news, olds)))
	if err != nil {
		return nil, nil, err
	}
	return obj, out, nil
}

func toJSONLenient(props resource.PropertyMap, opaque map[string]bool) (map[string]any, error) {
	known := resource.PropertyMap{}
	for key, v := range props {
		if !v.ContainsUnknowns() {
			known[key] = v
		}
	}
	return toJSON(known, opaque)
}

// Read returns the live object, for refresh and import. A missing object
// returns no ID: the engine then drops the resource from the state.
func (p *provider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	k, _, props, inputs, err := p.request(req.GetType(), req.GetUrn(), req.GetProperties(), req.GetInputs())
	if err != nil {
		return nil, err
	}
	var obj *Object
	err = p.cloud.transact(false, func(st *state) error {
		j, _ := toJSONLenient(props, k.opaque)
		o, err := k.lookup(st, req.GetId(), j, p.Config(ctx))
		if err != nil || o == nil {
			return err
		}
		obj = o.clone()
		if k.decorate != nil {
			k.decorate(st, obj)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return &pulumirpc.ReadResponse{}, nil
	}
	outputs := fromJSON(obj.Props, collectKnown(props, inputs))
	newInputs := resource.PropertyMap{}
	for name, f := range k.fields {
		key := resource.PropertyKey(name)
		v, ok := outputs[key]
		if !ok {
			continue
		}
		if len(inputs) > 0 && f.computed && !present(inputs, name) {
			continue // refresh: keep the input set the program had
		}
		newInputs[key] = v
	}
	po, err := providerserver.Marshal(outputs)
	if err != nil {
		return nil, err
	}
	pi, err := providerserver.Marshal(newInputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: obj.ID, Properties: po, Inputs: pi}, nil
}

// Update changes the object in place.
func (p *provider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, typ, olds, news, err := p.request(req.GetType(), req.GetUrn(), req.GetOlds(), req.GetNews())
	if err != nil {
		return nil, err
	}
	_, out, err := p.write(ctx, "update", k, typ, req.GetUrn(), olds, news, req.GetPreview(), func(st *state, newProps map[string]any) (*Object, error) {
		j, _ := toJSONLenient(olds, k.opaque)
		old, err := k.lookup(st, req.GetId(), j, p.Config(ctx))
		if err != nil {
			return nil, err
		}
		if old == nil {
			return nil, fmt.Errorf("%s %s not found: it was deleted outside Pulumi (run `pulumi refresh`)", k.label, req.GetId())
		}
		o := old.clone()
		for name, f := range k.fields {
			if _, set := newProps[name]; (set || !f.computed) && !(f.sticky && old.Props[name] != nil) {
				delete(o.Props, name)
			}
		}
		for key, v := range newProps {
			if f := k.fields[key]; f.sticky && old.Props[key] != nil {
				continue // the provider keeps the state's value
			}
			o.Props[key] = v
		}
		if err := k.update(st, old, o); err != nil {
			return nil, err
		}
		// o replaces the object of its key; when the update addressed
		// another object (the key moved), old stays as it is in the cloud.
		o.URN = req.GetUrn()
		return o, nil
	})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

// Delete removes the object; an object already gone is not an error.
func (p *provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	k, typ := p.kind(req.GetType(), req.GetUrn())
	if k == nil {
		return nil, p.unknownType(typ)
	}
	props, err := providerserver.Unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	delayFault(ctx, p.cloud.dir, "delete", typ, urnName(req.GetUrn()))
	err = p.cloud.transact(true, func(st *state) error {
		j, _ := toJSONLenient(props, k.opaque)
		o, err := k.lookup(st, req.GetId(), j, p.Config(ctx))
		if err != nil || o == nil {
			return err
		}
		if err := checkFault(p.cloud.dir, "delete", typ, urnName(req.GetUrn()), o.Name); err != nil {
			return err
		}
		if k.beforeDelete != nil {
			if err := k.beforeDelete(st, o); err != nil {
				return err
			}
		}
		st.remove(o)
		if k.afterDelete != nil {
			k.afterDelete(st, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
