package mocktest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StackReferenceType is the type token of a StackReference.
const StackReferenceType = "pulumi:pulumi:StackReference"

// Resource is one resource the program registered.
type Resource struct {
	Type string
	Name string
	// ID is the ID the mocks assign: the import ID, else "<name>-id".
	ID        string
	Inputs    resource.PropertyMap
	Outputs   resource.PropertyMap
	Custom    bool
	Protect   bool
	Retain    bool
	ImportID  string
	Parent    string
	Provider  string
	DependsOn []string
}

// Get returns the input at a property path such as "settings.batchSize" or
// "bindings[0].name", or a null value when absent.
func (r Resource) Get(path string) resource.PropertyValue {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		panic(fmt.Sprintf("mocktest: bad property path %q: %v", path, err))
	}
	v, ok := p.Get(resource.NewObjectProperty(r.Inputs))
	if !ok {
		return resource.NewNullProperty()
	}
	return v
}

// String returns the string input at path, or "" when absent.
func (r Resource) String(path string) string {
	v := r.Get(path)
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// Number returns the number input at path, or 0 when absent.
func (r Resource) Number(path string) float64 {
	v := r.Get(path)
	if v.IsNumber() {
		return v.NumberValue()
	}
	return 0
}

// Bool returns the bool input at path, or false when absent.
func (r Resource) Bool(path string) bool {
	v := r.Get(path)
	return v.IsBool() && v.BoolValue()
}

// Options tune a run.
type Options struct {
	// Config overrides or adds config keys ("<namespace>:<key>" → value,
	// objects as JSON) on top of the project's Pulumi.<stack>.yaml.
	Config map[string]string
	// NoStackFile skips reading Pulumi.<stack>.yaml.
	NoStackFile bool
	// SecretKeys lists config keys to treat as secrets.
	SecretKeys []string
	// Upstreams gives the outputs of upstream stacks, keyed by project name.
	// A StackReference to a project without an entry fails like a missing
	// stack does in the engine.
	Upstreams map[string]map[string]any
	// Computed adds provider-computed outputs to a resource, as a provider
	// would (for example a queue's queueId).
	Computed func(r Resource) resource.PropertyMap
	// DryRun runs the program as a preview.
	DryRun bool
	// Call answers the program's invokes (data sources such as
	// cloudflare.LookupZone), with args.Token naming the function. Without
	// it every invoke fails.
	Call func(args pulumi.MockCallArgs) (resource.PropertyMap, error)
}

// Result holds what a run recorded.
type Result struct {
	mu        sync.Mutex
	Resources []Resource
	// StackRefs lists the names of every StackReference read.
	StackRefs []string
	// Exports holds the resolved contract outputs when the run used RunContract.
	Exports map[string]any
}

// OfType returns the resources of a type token, sorted by name.
func (r *Result) OfType(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Find returns the resource with the type token and logical name.
func (r *Result) Find(typ, name string) (Resource, bool) {
	for _, res := range r.Resources {
		if res.Type == typ && res.Name == name {
			return res, true
		}
	}
	return Resource{}, false
}

// Count returns the number of custom resources per type token.
func (r *Result) Count() map[string]int {
	out := map[string]int{}
	for _, res := range r.Resources {
		if res.Custom {
			out[res.Type]++
		}
	}
	return out
}

type monitor struct {
	project, stack string
	opts           Options
	res            *Result
}

func (m *monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken == StackReferenceType {
		name := args.Name
		m.res.mu.Lock()
		m.res.StackRefs = append(m.res.StackRefs, name)
		m.res.mu.Unlock()
		parts := strings.Split(name, "/")
		var outs map[string]any
		ok := false
		if len(parts) == 3 && parts[2] == m.stack {
			outs, ok = m.opts.Upstreams[parts[1]]
		}
		if !ok {
			return "", nil, fmt.Errorf("unknown stack %q", name)
		}
		return name, resource.PropertyMap{
			"name":              resource.NewStringProperty(name),
			"outputs":           resource.NewObjectProperty(resource.NewPropertyMapFromMap(outs)),
			"secretOutputNames": resource.NewArrayProperty(nil),
		}, nil
	}
	r := Resource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs, Custom: args.Custom, Provider: args.Provider}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Protect = rpc.GetProtect()
		r.Retain = rpc.GetRetainOnDelete()
		r.ImportID = rpc.GetImportId()
		r.Parent = rpc.GetParent()
		r.DependsOn = rpc.GetDependencies()
	}
	r.ID = args.ID
	if r.ID == "" {
		r.ID = args.Name + "-id"
	}
	outs := args.Inputs.Copy()
	if m.opts.Computed != nil {
		for k, v := range m.opts.Computed(r) {
			outs[k] = v
		}
	}
	r.Outputs = outs
	m.res.mu.Lock()
	m.res.Resources = append(m.res.Resources, r)
	m.res.mu.Unlock()
	return r.ID, outs, nil
}

func (m *monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if m.opts.Call != nil {
		return m.opts.Call(args)
	}
	return nil, fmt.Errorf("mocktest: unexpected call to %s; give the run an Options.Call that answers it", args.Token)
}

// Run runs program for project/stack under mocks.
func Run(project, stack string, program pulumi.RunFunc, opts Options) (*Result, error) {
	cfg := map[string]string{}
	secrets := append([]string(nil), opts.SecretKeys...)
	if !opts.NoStackFile {
		c, s, err := stackFile(project, stack)
		if err != nil {
			return nil, err
		}
		cfg, secrets = c, append(secrets, s...)
	}
	for k, v := range opts.Config {
		cfg[k] = v
	}
	res := &Result{}
	mon := &monitor{project: project, stack: stack, opts: opts, res: res}
	err := pulumi.RunErr(program, pulumi.WithMocks(project, stack, mon), func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.ConfigSecretKeys = secrets
		info.DryRun = opts.DryRun
	})
	return res, err
}

// RunContract runs deploy, a function that declares a project's resources
// and returns its contract, and resolves the contract into Result.Exports.
func RunContract[T contracts.Contract](project, stack string, deploy func(*pulumi.Context) (T, error), opts Options) (*Result, error) {
	var res *Result
	exports := map[string]any{}
	var mu sync.Mutex
	program := func(ctx *pulumi.Context) error {
		c, err := deploy(ctx)
		if err != nil {
			return err
		}
		v := reflect.ValueOf(c)
		for _, f := range contracts.Fields(c) {
			key := f.Key
			fv := v.FieldByName(f.Go)
			if fv.FieldByName("OutputState").IsNil() {
				return fmt.Errorf("contract field %s is not set", f.Go)
			}
			// An output built from plain values (pulumi.String(...)) is
			// not tracked by the context, so an apply on it alone may run
			// after the program returns. Joining it with a context-tracked
			// output makes the run wait for the apply.
			anchor, resolve, _ := ctx.NewOutput()
			resolve(nil)
			pulumi.All(anchor, fv.Interface().(pulumi.Output)).ApplyT(func(xs []any) any {
				mu.Lock()
				exports[key] = plain(xs[1])
				mu.Unlock()
				return xs[1]
			})
		}
		return contracts.Export(ctx, c)
	}
	res, err := Run(project, stack, program, opts)
	if res != nil {
		res.Exports = exports
	}
	return res, err
}

// plain converts typed Go values into the JSON-like shapes a StackReference
// returns (map[string]any, []any, float64).
func plain(x any) any {
	b, err := json.Marshal(x)
	if err != nil {
		return x
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return x
	}
	return out
}

// StackConfig reads projects/<project>/Pulumi.<stack>.yaml into the flat
// "<namespace>:<key>" map the engine passes to programs; structured values
// are JSON-encoded (see stackconfig.ReadFile).
func StackConfig(project, stack string) (map[string]string, error) {
	values, _, err := stackFile(project, stack)
	return values, err
}

func stackFile(project, stack string) (map[string]string, []string, error) {
	root, err := layout.Root()
	if err != nil {
		return nil, nil, err
	}
	return stackconfig.ReadFile(root, project, stack)
}
