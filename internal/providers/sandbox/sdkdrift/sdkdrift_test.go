package sdkdrift

import (
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// sdkType is one resource type of a generated SDK: its Args and State
// (whose ElementType is the struct of tagged inputs, respectively of every
// property), its resource struct (the tagged outputs) and its constructor
// (whose source lists the required inputs and the type token).
type sdkType struct {
	args        pulumi.Input
	state       pulumi.Input
	resource    any
	constructor any
}

var sdkTypes = map[string]sdkType{
	sandbox.D1DatabaseType:                {cloudflare.D1DatabaseArgs{}, cloudflare.D1DatabaseState{}, cloudflare.D1Database{}, cloudflare.NewD1Database},
	sandbox.R2BucketType:                  {cloudflare.R2BucketArgs{}, cloudflare.R2BucketState{}, cloudflare.R2Bucket{}, cloudflare.NewR2Bucket},
	sandbox.QueueType:                     {cloudflare.QueueArgs{}, cloudflare.QueueState{}, cloudflare.Queue{}, cloudflare.NewQueue},
	sandbox.QueueConsumerType:             {cloudflare.QueueConsumerArgs{}, cloudflare.QueueConsumerState{}, cloudflare.QueueConsumer{}, cloudflare.NewQueueConsumer},
	sandbox.R2BucketEventNotificationType: {cloudflare.R2BucketEventNotificationArgs{}, cloudflare.R2BucketEventNotificationState{}, cloudflare.R2BucketEventNotification{}, cloudflare.NewR2BucketEventNotification},
	sandbox.WorkersScriptType:             {cloudflare.WorkersScriptArgs{}, cloudflare.WorkersScriptState{}, cloudflare.WorkersScript{}, cloudflare.NewWorkersScript},
	sandbox.WorkersCronTriggerType:        {cloudflare.WorkersCronTriggerArgs{}, cloudflare.WorkersCronTriggerState{}, cloudflare.WorkersCronTrigger{}, cloudflare.NewWorkersCronTrigger},
	sandbox.DNSRecordType:                 {cloudflare.DnsRecordArgs{}, cloudflare.DnsRecordState{}, cloudflare.DnsRecord{}, cloudflare.NewDnsRecord},
	sandbox.PubSubTopicType:               {pubsub.TopicArgs{}, pubsub.TopicState{}, pubsub.Topic{}, pubsub.NewTopic},
	sandbox.PubSubSubscriptionType:        {pubsub.SubscriptionArgs{}, pubsub.SubscriptionState{}, pubsub.Subscription{}, pubsub.NewSubscription},
	sandbox.PubSubTopicIAMMemberType:      {pubsub.TopicIAMMemberArgs{}, pubsub.TopicIAMMemberState{}, pubsub.TopicIAMMember{}, pubsub.NewTopicIAMMember},
}

// TestEveryCloudflareAndGCPTypeIsCompared keeps sdkTypes complete.
func TestEveryCloudflareAndGCPTypeIsCompared(t *testing.T) {
	for _, token := range sandbox.ModeledTypes() {
		if strings.HasPrefix(token, "cloudflare:") || strings.HasPrefix(token, "gcp:") {
			if _, ok := sdkTypes[token]; !ok {
				t.Errorf("%s is modeled but not compared with its SDK type: add it to sdkTypes", token)
			}
		}
	}
}

func TestFakesMatchTheSDKs(t *testing.T) {
	tokens := make([]string, 0, len(sdkTypes))
	for token := range sdkTypes {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens)
	for _, token := range tokens {
		t.Run(token, func(t *testing.T) {
			sdk := sdkTypes[token]
			fake, ok := sandbox.SchemaOf(token)
			if !ok {
				t.Fatalf("the sandbox does not model %s", token)
			}
			src := constructorSource(t, sdk.constructor)
			if got := registeredToken(src, sdk.constructor); got != token {
				t.Fatalf("the SDK registers %q, the sandbox models %q", got, token)
			}
			argsType := sdk.args.ElementType()
			args := tagged(argsType)
			required := requiredInputs(t, src, sdk.constructor, argsType)

			for name, in := range fake.Inputs {
				sdkField, has := args[name]
				switch {
				case !has:
					t.Errorf("input %q: the fake accepts it, the SDK has no such input", name)
					continue
				case in.Required && !required[name]:
					t.Errorf("input %q: the fake requires it, the SDK marks it optional", name)
				}
				checkNested(t, name, in.Nested, sdkField.Type)
			}
			for _, name := range sortedKeys(args) {
				in, has := fake.Inputs[name]
				switch {
				case !has && required[name]:
					t.Errorf("input %q: the SDK requires it, the fake lacks it", name)
				case !has:
					t.Errorf("input %q: the SDK has it, the fake rejects it as unknown", name)
				case required[name] && !in.Required:
					t.Errorf("input %q: the SDK requires it, the fake does not", name)
				}
			}

			outputs := tagged(reflect.TypeOf(sdk.resource))
			if st := tagged(sdk.state.ElementType()); !reflect.DeepEqual(sortedKeys(st), sortedKeys(outputs)) {
				t.Errorf("the SDK's State has %v, its resource %v: the test misreads the SDK", sortedKeys(st), sortedKeys(outputs))
			}
			fakeOut := map[string]bool{}
			for name := range fake.Inputs {
				fakeOut[name] = true
			}
			for _, name := range fake.Outputs {
				fakeOut[name] = true
				if _, has := outputs[name]; !has {
					t.Errorf("output %q: the fake returns it, the SDK has no such output", name)
				}
			}
			for _, name := range sortedKeys(outputs) {
				if !fakeOut[name] {
					t.Errorf("output %q: the SDK has it, the fake never returns it", name)
				}
			}
		})
	}
}

// checkNested compares the nested required properties of one input: the
// SDK marks a nested property required by a non-pointer scalar or struct
// field (slices and maps say nothing).
func checkNested(t *testing.T, input string, fakeNested []string, sdkType reflect.Type) {
	t.Helper()
	sdkReq := map[string]bool{}
	sdkOpt := map[string]bool{}
	walk(sdkType, "", sdkReq, sdkOpt)
	have := map[string]bool{}
	for _, p := range fakeNested {
		have[p] = true
		switch {
		case sdkReq[p]:
		case sdkOpt[p]:
			t.Errorf("input %q: the fake requires %s.%s, the SDK marks it optional", input, input, p)
		case !exists(sdkType, p):
			t.Errorf("input %q: the fake requires %s.%s, the SDK has no such property", input, input, p)
		}
	}
	for _, p := range sortedKeys(sdkReq) {
		if !have[p] {
			t.Errorf("input %q: the SDK requires %s.%s (when its parent is set), the fake does not check it", input, input, p)
		}
	}
}

// walk collects the nested property paths of a type in the fake's
// notation ("enabled", "logs.enabled", "[].name"): required (non-pointer
// scalars and structs) and optional (pointers).
func walk(t reflect.Type, prefix string, req, opt map[string]bool) {
	switch t.Kind() {
	case reflect.Pointer:
		walk(t.Elem(), prefix, req, opt)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct || t.Elem().Kind() == reflect.Pointer {
			walk(t.Elem(), prefix+"[]", req, opt)
		}
	case reflect.Struct:
		for name, f := range tagged(t) {
			p := name
			switch {
			case prefix == "":
			case prefix == "[]":
				p = "[]." + name
			default:
				p = prefix + "." + name
			}
			ft := f.Type
			switch ft.Kind() {
			case reflect.String, reflect.Bool, reflect.Float64, reflect.Int:
				req[p] = true
			case reflect.Struct:
				req[p] = true
				walk(ft, p, req, opt)
			case reflect.Pointer:
				opt[p] = true
				walk(ft, p, req, opt)
			case reflect.Slice:
				walk(ft, p, req, opt)
			}
		}
	}
}

// exists reports whether a nested path names a property of the type.
func exists(t reflect.Type, path string) bool {
	all := map[string]bool{}
	collectAll(t, "", all)
	return all[path]
}

func collectAll(t reflect.Type, prefix string, all map[string]bool) {
	switch t.Kind() {
	case reflect.Pointer:
		collectAll(t.Elem(), prefix, all)
	case reflect.Slice:
		collectAll(t.Elem(), prefix+"[]", all)
	case reflect.Struct:
		for name, f := range tagged(t) {
			p := name
			if prefix == "[]" {
				p = "[]." + name
			} else if prefix != "" {
				p = prefix + "." + name
			}
			all[p] = true
			collectAll(f.Type, p, all)
		}
	}
}

// tagged returns the fields of a struct by their pulumi tag.
func tagged(t reflect.Type) map[string]reflect.StructField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("pulumi"), ","); tag != "" && !f.Anonymous {
			out[tag] = f
		}
	}
	return out
}

// constructorSource returns the source file of an SDK constructor (the
// module cache keeps it; the binary names it).
func constructorSource(t *testing.T, fn any) string {
	t.Helper()
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	file, _ := f.FileLine(f.Entry())
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading the source of %s (%s): %v; the test needs the SDK's sources in the module cache", f.Name(), file, err)
	}
	return string(src)
}

// constructorBody returns the body of New<Type> in the source.
func constructorBody(src string, fn any) string {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	name = name[strings.LastIndex(name, ".")+1:]
	i := strings.Index(src, "func "+name+"(")
	if i < 0 {
		return ""
	}
	body := src[i:]
	if j := strings.Index(body, "\n}\n"); j >= 0 {
		body = body[:j]
	}
	return body
}

var (
	requiredCheck = regexp.MustCompile(`if args\.(\w+) == nil \{`)
	registerCall  = regexp.MustCompile(`ctx\.RegisterResource\("([^"]+)"`)
)

func registeredToken(src string, fn any) string {
	m := registerCall.FindStringSubmatch(constructorBody(src, fn))
	if m == nil {
		return ""
	}
	return m[1]
}

// requiredInputs returns the inputs the constructor refuses to be nil
// (the SDK's "invalid value for required argument"), by pulumi tag. Every
// non-pointer scalar of the Args struct must be among them.
func requiredInputs(t *testing.T, src string, fn any, argsType reflect.Type) map[string]bool {
	t.Helper()
	byGoName := map[string]string{}
	for tag, f := range tagged(argsType) {
		byGoName[f.Name] = tag
	}
	out := map[string]bool{}
	for _, m := range requiredCheck.FindAllStringSubmatch(constructorBody(src, fn), -1) {
		tag, ok := byGoName[m[1]]
		if !ok {
			t.Fatalf("the SDK requires %s, which its Args struct does not tag", m[1])
		}
		out[tag] = true
	}
	for tag, f := range tagged(argsType) {
		switch f.Type.Kind() {
		case reflect.String, reflect.Bool, reflect.Float64, reflect.Int:
			if !out[tag] {
				t.Errorf("the SDK's Args type %s is a %s but its constructor does not require it: the test misreads the SDK", tag, f.Type)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
