package contracts

import (
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Field is one key of a contract.
type Field struct {
	Key  string // output key
	Go   string // Go field name
	Kind string // "string", "map", "array", "int" or "bool"
}

var (
	stringOut = reflect.TypeOf(pulumi.StringOutput{})
	mapOut    = reflect.TypeOf(pulumi.StringMapOutput{})
	arrayOut  = reflect.TypeOf(pulumi.StringArrayOutput{})
	intOut    = reflect.TypeOf(pulumi.IntOutput{})
	boolOut   = reflect.TypeOf(pulumi.BoolOutput{})
)

func kindOf(t reflect.Type) string {
	switch t {
	case stringOut:
		return "string"
	case mapOut:
		return "map"
	case arrayOut:
		return "array"
	case intOut:
		return "int"
	case boolOut:
		return "bool"
	}
	return ""
}

// Fields returns the keys of a contract, sorted by key. It panics on a
// contract type that is not a struct of supported output fields, which the
// package tests rule out for every contract.
func Fields(c Contract) []Field {
	t := reflect.TypeOf(c)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("output")
		kind := kindOf(f.Type)
		if key == "" || kind == "" {
			panic(fmt.Sprintf("contracts: %s.%s needs an `output` tag and a String, StringMap, StringArray, Int or Bool output type", t.Name(), f.Name))
		}
		out = append(out, Field{Key: key, Go: f.Name, Kind: kind})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Keys returns the output keys of a contract, sorted.
func Keys(c Contract) []string {
	var keys []string
	for _, f := range Fields(c) {
		keys = append(keys, f.Key)
	}
	return keys
}

// Export exports every field of c as a stack output. A field left unset is
// an error, so a producer cannot silently break its contract.
func Export(ctx *pulumi.Context, c Contract) error {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for _, f := range Fields(c) {
		fv := v.FieldByName(f.Go)
		if fv.FieldByName("OutputState").IsNil() {
			return fmt.Errorf("contract %T: field %s (output %q) is not set; the %s program must set every field of its contract", c, f.Go, f.Key, c.Project())
		}
		ctx.Export(f.Key, fv.Interface().(pulumi.Output))
	}
	return nil
}

// DeployAndExport runs deploy, a function that declares a project's
// resources and returns its contract, and exports the contract. Each
// project's Program is this with its own Deploy.
func DeployAndExport[T Contract](ctx *pulumi.Context, deploy func(*pulumi.Context) (T, error)) error {
	c, err := deploy(ctx)
	if err != nil {
		return err
	}
	return Export(ctx, c)
}

// placeholders records, per consumer stack, which upstreams have no stack
// yet; the orchestrator sets it for a preview of a new environment.
var placeholders = struct {
	sync.Mutex
	m map[string]map[string]bool
}{m: map[string]map[string]bool{}}

// UsePlaceholders makes Read return unknown values, instead of reading a
// StackReference, for the given upstreams of project/stack. It only works
// in previews: Read fails in an update. Call the returned function when the
// preview is done.
func UsePlaceholders(project, stack string, upstreams []string) (release func()) {
	key := project + "/" + stack
	placeholders.Lock()
	defer placeholders.Unlock()
	set := map[string]bool{}
	for _, u := range upstreams {
		set[u] = true
	}
	placeholders.m[key] = set
	return func() {
		placeholders.Lock()
		defer placeholders.Unlock()
		delete(placeholders.m, key)
	}
}

func placeholderFor(project, stack, upstream string) bool {
	placeholders.Lock()
	defer placeholders.Unlock()
	return placeholders.m[project+"/"+stack][upstream]
}

// gate, when set, is what Read waits on before it reads an upstream's
// stack; the process host (shared/stackrun) sets it when the orchestrator
// started this project while its upstreams were still deploying.
var gate struct {
	sync.Mutex
	wait func(upstream string) error
}

// AwaitUpstreams makes Read call wait(upstream) before it reads that
// upstream's outputs, and fail with its error. wait returns once the
// upstream's run has finished: nil when it succeeded. Call the returned
// function when the operation is done.
func AwaitUpstreams(wait func(upstream string) error) (release func()) {
	gate.Lock()
	defer gate.Unlock()
	gate.wait = wait
	return func() {
		gate.Lock()
		defer gate.Unlock()
		gate.wait = nil
	}
}

func awaitUpstream(upstream string) error {
	gate.Lock()
	wait := gate.wait
	gate.Unlock()
	if wait == nil {
		return nil
	}
	return wait(upstream)
}

// PlaceholderLabel prefixes the warning a program logs when it uses
// placeholder values, so tooling and people can spot it.
const PlaceholderLabel = "PLACEHOLDER OUTPUTS"

// Read reads the contract T of an upstream project, in the same stack name,
// through a StackReference named <org>/<project>/<stack>. org may be empty:
// the backend's organization is then used ("organization" on file and S3
// backends). A key missing from the upstream stack fails the program with a
// message naming the stack and the key.
func Read[T Contract](ctx *pulumi.Context, org string) (T, error) {
	var zero T
	producer := zero.Project()
	consumer := ctx.Project()
	if !Declares(consumer, producer) {
		return zero, fmt.Errorf("project %s reads the outputs of %s but does not declare it as an upstream in shared/contracts", consumer, producer)
	}
	if org == "" {
		org = ctx.Organization()
	}
	if org == "" {
		org = "organization"
	}
	name := StackName(org, producer, ctx.Stack())
	out := reflect.New(reflect.TypeOf(zero)).Elem()
	if err := awaitUpstream(producer); err != nil {
		return zero, err
	}

	if placeholderFor(consumer, ctx.Stack(), producer) {
		if !ctx.DryRun() {
			return zero, fmt.Errorf("%s: stack %s does not exist, and placeholder outputs can only be used in a preview; deploy %s first", consumer, name, producer)
		}
		_ = ctx.Log.Warn(fmt.Sprintf("%s: stack %s does not exist yet; every output of %s is an unknown placeholder in this preview and cannot be deployed", PlaceholderLabel, name, producer), nil)
		unknown := pulumi.UnsafeUnknownOutput(nil)
		for _, f := range Fields(zero) {
			out.FieldByName(f.Go).Set(reflect.ValueOf(convert(unknown, f, name)))
		}
		return out.Interface().(T), nil
	}

	ref, err := pulumi.NewStackReference(ctx, name, &pulumi.StackReferenceArgs{Name: pulumi.String(name)})
	if err != nil {
		return zero, fmt.Errorf("stack reference %s: %w", name, err)
	}
	for _, f := range Fields(zero) {
		raw := ref.GetOutput(pulumi.String(f.Key))
		out.FieldByName(f.Go).Set(reflect.ValueOf(convert(raw, f, name)))
	}
	return out.Interface().(T), nil
}

func missing(stack, key string) error {
	return fmt.Errorf("stack %s has no output %q, which its contract requires; deploy that stack again so it exports the current contract", stack, key)
}

// convert turns an untyped stack output into the typed output of f.
func convert(raw pulumi.Output, f Field, stack string) pulumi.Output {
	switch f.Kind {
	case "string":
		return raw.ApplyT(func(v any) (string, error) {
			s, ok := v.(string)
			if !ok {
				return "", typeErr(stack, f, v)
			}
			return s, nil
		}).(pulumi.StringOutput)
	case "map":
		return raw.ApplyT(func(v any) (map[string]string, error) {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, typeErr(stack, f, v)
			}
			out := make(map[string]string, len(m))
			for k, e := range m {
				s, ok := e.(string)
				if !ok {
					return nil, typeErr(stack, f, v)
				}
				out[k] = s
			}
			return out, nil
		}).(pulumi.StringMapOutput)
	case "array":
		return raw.ApplyT(func(v any) ([]string, error) {
			a, ok := v.([]any)
			if !ok {
				return nil, typeErr(stack, f, v)
			}
			out := make([]string, 0, len(a))
			for _, e := range a {
				s, ok := e.(string)
				if !ok {
					return nil, typeErr(stack, f, v)
				}
				out = append(out, s)
			}
			return out, nil
		}).(pulumi.StringArrayOutput)
	case "int":
		return raw.ApplyT(func(v any) (int, error) {
			n, ok := v.(float64)
			if !ok {
				return 0, typeErr(stack, f, v)
			}
			return int(n), nil
		}).(pulumi.IntOutput)
	case "bool":
		return raw.ApplyT(func(v any) (bool, error) {
			b, ok := v.(bool)
			if !ok {
				return false, typeErr(stack, f, v)
			}
			return b, nil
		}).(pulumi.BoolOutput)
	}
	panic("contracts: unsupported kind " + f.Kind)
}

func typeErr(stack string, f Field, v any) error {
	if v == nil {
		return missing(stack, f.Key)
	}
	return fmt.Errorf("stack %s: output %q is a %T, but its contract expects a %s", stack, f.Key, v, f.Kind)
}
