package enginecheck

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/policies/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// envCLI names the Pulumi CLI binary to run (as in internal/engine/pulumicli).
const envCLI = "INFRA_PULUMI"

var (
	packOnce sync.Once
	packPath string
	packErr  error
)

// buildPack compiles the pack binary once per test run.
func buildPack(t *testing.T, dir string) string {
	t.Helper()
	packOnce.Do(func() {
		moduleDir, err := filepath.Abs("..")
		if err != nil {
			packErr = err
			return
		}
		packPath = filepath.Join(dir, "policy-pack")
		cmd := exec.Command("go", "build", "-o", packPath, ".")
		cmd.Dir = moduleDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			packErr = fmt.Errorf("go build the pack: %v\n%s", err, out)
		}
	})
	if packErr != nil {
		t.Fatal(packErr)
	}
	return packPath
}

var packDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "policy-pack-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	packDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// engine is one isolated project workspace: its own file backend, work
// directory, fake provider and policy-config file.
type engine struct {
	t        *testing.T
	provider *fakeProvider
	stack    auto.Stack
	pack     string
	config   string
}

// newEngine prepares stack (named like an environment) of project
// "policytest" whose program is prog, with the policy config of the
// environment and overrides, on a backend of its own.
func newEngine(t *testing.T, stackName string, overrides map[string]string, prog pulumi.RunFunc) *engine {
	t.Helper()
	return newProjectEngine(t, "policytest", stackName, "", overrides, prog)
}

// newProjectEngine is newEngine for any project, on backend (a directory;
// empty for a new one).
func newProjectEngine(t *testing.T, project, stackName, backend string, overrides map[string]string, prog pulumi.RunFunc) *engine {
	t.Helper()
	cli := os.Getenv(envCLI)
	if cli == "" {
		t.Skipf("%s is not set: set it to a Pulumi CLI >= v3.259.0 (e.g. %s=/work/main/bin/pulumi) to run the policy pack through the real engine", envCLI, envCLI)
	}
	// NewPulumiCommand runs <Root>/bin/pulumi.
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(root, "bin", "pulumi")); err != nil {
		t.Fatal(err)
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
	if err != nil {
		t.Fatalf("Pulumi CLI %s: %v", cli, err)
	}

	e := &engine{t: t, provider: &fakeProvider{}, pack: buildPack(t, packDir)}
	port := e.provider.serve(t)

	data, err := enforcement.Config(stackName, "", overrides)
	if err != nil {
		t.Fatal(err)
	}
	e.config = filepath.Join(t.TempDir(), "policy-config.json")
	if err := os.WriteFile(e.config, data, 0o600); err != nil {
		t.Fatal(err)
	}

	if backend == "" {
		backend = t.TempDir()
	}
	work := t.TempDir()
	ctx := context.Background()
	e.stack, err = auto.NewStackInlineSource(ctx, stackName, project, prog,
		auto.Pulumi(cmd),
		auto.WorkDir(work),
		auto.PulumiHome(t.TempDir()),
		auto.Project(workspace.Project{
			Name:    tokens.PackageName(project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + backend},
		}),
		auto.EnvVars(map[string]string{
			"PULUMI_BACKEND_URL":       "file://" + backend,
			"PULUMI_CONFIG_PASSPHRASE": "policy-test",
			"PULUMI_SKIP_UPDATE_CHECK": "true",
			"PULUMI_DEBUG_PROVIDERS":   fmt.Sprintf("aiven:%d,cloudflare:%d", port, port),
		}),
	)
	if err != nil {
		t.Fatalf("creating stack %s: %v", stackName, err)
	}
	return e
}

// up runs `pulumi up` with the pack and returns the combined output.
func (e *engine) up() (string, error) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := e.stack.Up(ctx, optup.PolicyPacks(e.pack), optup.PolicyPackConfigs(e.config),
		optup.ProgressStreams(&out), optup.ErrorProgressStreams(&out))
	e.t.Logf("pulumi up:\n%s", out.String())
	return combined(out.String(), err), err
}

// preview runs `pulumi preview` with the pack and returns the output.
func (e *engine) preview() (string, error) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := e.stack.Preview(ctx, optpreview.PolicyPacks(e.pack), optpreview.PolicyPackConfigs(e.config),
		optpreview.ProgressStreams(&out), optpreview.ErrorProgressStreams(&out))
	e.t.Logf("pulumi preview:\n%s", out.String())
	return combined(out.String(), err), err
}

func combined(out string, err error) string {
	if err != nil {
		return out + "\nerror: " + err.Error()
	}
	return out
}

type custom struct {
	pulumi.CustomResourceState
	ComputedNumber pulumi.IntOutput `pulumi:"computedNumber"`
}

// topic registers a Kafka topic that satisfies every policy outside prod,
// except for the replication given.
func topic(ctx *pulumi.Context, name string, replication pulumi.IntInput) error {
	stack := ctx.Stack()
	var t custom
	return ctx.RegisterResource(rules.TypeKafkaTopic, name, pulumi.Map{
		"project":     pulumi.String("clustera-creators"),
		"serviceName": pulumi.String("kafka-clustera"),
		"topicName":   pulumi.String(stack + "-" + name),
		"partitions":  pulumi.Int(1),
		"replication": replication,
		"config": pulumi.Map{
			"retentionMs":     pulumi.String("604800000"),
			"maxMessageBytes": pulumi.String("26214400"),
			"compressionType": pulumi.String("snappy"),
		},
		"terminationProtection": pulumi.Bool(true),
		"tags": pulumi.Array{
			pulumi.Map{"key": pulumi.String("env"), "value": pulumi.String(stack)},
			pulumi.Map{"key": pulumi.String("project"), "value": pulumi.String(ctx.Project())},
			pulumi.Map{"key": pulumi.String("managed-by"), "value": pulumi.String("pulumi")},
		},
	}, &t)
}

func topicProgram(replication int) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error { return topic(ctx, "runtime", pulumi.Int(replication)) }
}

func mustContain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
}

func mustNotContain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(out, p) {
			t.Errorf("output contains %q:\n%s", p, out)
		}
	}
}

const replicationMsg = `aiven:index/kafkaTopic:KafkaTopic "runtime": replication is 1; topics need at least 2 replicas outside prod. Fix: set replication to at least 2.`

// TestCompliantStack: a compliant program passes a mandatory pack with no
// violation at all (no false positive on the provider or stack resources).
func TestCompliantStack(t *testing.T) {
	e := newEngine(t, "staging", nil, topicProgram(3))
	out, err := e.up()
	if err != nil {
		t.Fatalf("up failed:\n%s", out)
	}
	mustNotContain(t, out, "mandatory", "advisory")
	if n := e.provider.createdOfType(rules.TypeKafkaTopic); n != 1 {
		t.Errorf("created %d topics, want 1", n)
	}
}

// TestMandatoryBlocksUp: in staging the policies are mandatory, and a
// violation stops `up` before the resource is created.
func TestMandatoryBlocksUp(t *testing.T) {
	e := newEngine(t, "staging", nil, topicProgram(1))
	out, err := e.up()
	if err == nil {
		t.Fatalf("up succeeded despite a mandatory violation:\n%s", out)
	}
	mustContain(t, out, "[mandatory]", rules.KafkaTopicReplication, replicationMsg)
	if n := e.provider.createdOfType(rules.TypeKafkaTopic); n != 0 {
		t.Errorf("created %d topics despite the violation", n)
	}
}

// TestAdvisoryWarns: in dev the same violation only warns.
func TestAdvisoryWarns(t *testing.T) {
	e := newEngine(t, "dev", nil, topicProgram(1))
	out, err := e.up()
	if err != nil {
		t.Fatalf("up failed on an advisory violation:\n%s", out)
	}
	mustContain(t, out, "[advisory]", rules.KafkaTopicReplication, replicationMsg)
	mustNotContain(t, out, "[mandatory]")
	if n := e.provider.createdOfType(rules.TypeKafkaTopic); n != 1 {
		t.Errorf("created %d topics, want 1", n)
	}
}

// TestOverride: an environment override lowers one policy to advisory.
func TestOverride(t *testing.T) {
	e := newEngine(t, "staging", map[string]string{rules.KafkaTopicReplication: enforcement.Advisory}, topicProgram(1))
	out, err := e.up()
	if err != nil {
		t.Fatalf("up failed although the policy was overridden to advisory:\n%s", out)
	}
	mustContain(t, out, "[advisory]", replicationMsg)
}

// TestUnknownSkipped: a replication that comes from another resource's
// output is unknown during preview and not reported; once the output is
// known during `up`, the mandatory policy stops the topic.
func TestUnknownSkipped(t *testing.T) {
	prog := func(ctx *pulumi.Context) error {
		var q custom
		err := ctx.RegisterResource(rules.TypeQueue, "source", pulumi.Map{
			"accountId": pulumi.String("acc"),
			"queueName": pulumi.String(ctx.Stack() + "-source"),
		}, &q)
		if err != nil {
			return err
		}
		return topic(ctx, "runtime", q.ComputedNumber)
	}
	e := newEngine(t, "staging", nil, prog)
	out, err := e.preview()
	if err != nil {
		t.Fatalf("preview failed on an unknown value:\n%s", out)
	}
	mustNotContain(t, out, rules.KafkaTopicReplication)

	out, err = e.up()
	if err == nil {
		t.Fatalf("up succeeded although the resolved replication (1) violates the policy:\n%s", out)
	}
	mustContain(t, out, "[mandatory]", replicationMsg)
	if n := e.provider.createdOfType(rules.TypeKafkaTopic); n != 0 {
		t.Errorf("created %d topics despite the violation", n)
	}
	if n := e.provider.createdOfType(rules.TypeQueue); n != 1 {
		t.Errorf("created %d queues, want 1", n)
	}
}

// TestStackPolicies: stack policies see every resource (consumers linked
// to their queue through property dependencies while the queue ID is still
// unknown) and the stack outputs; the stack configuration is visible to the
// no-plaintext-secret-config policy.
func TestStackPolicies(t *testing.T) {
	prog := func(ctx *pulumi.Context) error {
		var q custom
		err := ctx.RegisterResource(rules.TypeQueue, "new-content", pulumi.Map{
			"accountId": pulumi.String("acc"),
			"queueName": pulumi.String(ctx.Stack() + "-new-content-constellation"),
		}, &q)
		if err != nil {
			return err
		}
		for _, name := range []string{"constellation", "silo"} {
			var c custom
			err := ctx.RegisterResource(rules.TypeQueueConsumer, name, pulumi.Map{
				"accountId":  pulumi.String("acc"),
				"queueId":    q.ID(),
				"scriptName": pulumi.String(ctx.Stack() + "-" + name),
				"type":       pulumi.String("worker"),
			}, &c)
			if err != nil {
				return err
			}
		}
		ctx.Export("apiToken", pulumi.String("plaintext-token"))
		ctx.Export("zoneName", pulumi.String("clustera.test"))
		return nil
	}
	e := newEngine(t, "staging", nil, prog)
	ctx := context.Background()
	if err := e.stack.SetConfig(ctx, "dbPassword", auto.ConfigValue{Value: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if err := e.stack.SetConfig(ctx, "webhookSecret", auto.ConfigValue{Value: "s", Secret: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.stack.SetConfig(ctx, "cloudflare:apiToken", auto.ConfigValue{Value: "plain-provider-token"}); err != nil {
		t.Fatal(err)
	}
	out, err := e.preview()
	if err == nil {
		t.Fatalf("preview succeeded despite mandatory stack violations:\n%s", out)
	}
	mustContain(t, out,
		rules.QueueSingleConsumer, `cloudflare:index/queue:Queue "new-content": the queue has 2 consumers`,
		rules.QueueConsumerDLQ, `the consumer of queue "staging-new-content-constellation" has no dead-letter queue`,
		rules.NoPlaintextSecretConfig, `configuration key "policytest:dbPassword" looks like a secret`,
		rules.SecretOutputs, "outputs apiToken look like credentials but are not secrets",
		`configuration key "cloudflare:apiToken" looks like a secret`,
		rules.NoPlaintextSecretInputs, `pulumi:providers:cloudflare "default": input apiToken looks like a secret but is stored in plaintext`,
	)
	mustNotContain(t, out, "policytest:webhookSecret", "hunter2", "plain-provider-token")
}

// TestQueuesOfAnotherStack: the Workers consume queues that
// cloudflare-storage declares. The engine does not show the StackReference
// to stack policies, so consumers are grouped by queue ID and the embedding
// consumer is known by its logical name ("<queue>-consumer").
func TestQueuesOfAnotherStack(t *testing.T) {
	backend := t.TempDir()
	storage := newProjectEngine(t, "cloudflare-storage", "staging", backend, nil, func(ctx *pulumi.Context) error {
		ctx.Export("queueIds", pulumi.StringMap{"new-content-constellation": pulumi.String("q-embed")})
		ctx.Export("queueNames", pulumi.StringMap{"new-content-constellation": pulumi.String("staging-new-content-constellation")})
		return nil
	})
	if out, err := storage.up(); err != nil {
		t.Fatalf("up of cloudflare-storage failed:\n%s", out)
	}
	workers := newProjectEngine(t, "cloudflare-workers", "staging", backend, nil, func(ctx *pulumi.Context) error {
		ref, err := pulumi.NewStackReference(ctx, "organization/cloudflare-storage/staging", nil)
		if err != nil {
			return err
		}
		ids := ref.GetOutput(pulumi.String("queueIds")).ApplyT(func(v any) string {
			return v.(map[string]any)["new-content-constellation"].(string)
		}).(pulumi.StringOutput)
		for _, name := range []string{"new-content-constellation-consumer", "silo"} {
			var c custom
			err := ctx.RegisterResource(rules.TypeQueueConsumer, name, pulumi.Map{
				"accountId":  pulumi.String("acc"),
				"queueId":    ids,
				"scriptName": pulumi.String(ctx.Stack() + "-" + name),
				"type":       pulumi.String("worker"),
			}, &c)
			if err != nil {
				return err
			}
		}
		return nil
	})
	out, err := workers.preview()
	if err == nil {
		t.Fatalf("preview succeeded despite mandatory stack violations:\n%s", out)
	}
	mustContain(t, out,
		rules.QueueSingleConsumer, `queue "q-embed": the queue has 2 consumers: cloudflare:index/queueConsumer:QueueConsumer "new-content-constellation-consumer", cloudflare:index/queueConsumer:QueueConsumer "silo"`,
		rules.QueueConsumerDLQ, `QueueConsumer "new-content-constellation-consumer": the consumer of queue "new-content-constellation" has no dead-letter queue`,
	)
}
