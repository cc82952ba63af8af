// Package program declares the Workers of package topology with their
// bindings, queue consumers and cron triggers, on top of the storage that
// cloudflare-storage exports. Its outputs are the CloudflareWorkers
// contract.
package program

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/projects/cloudflare-workers/config"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WorkerType is the component type of one Worker with its consumers and
// cron trigger.
const WorkerType = "clustera:cloudflare:Worker"

// ConsumerType is the type of a queue consumer: a consumer Worker, not an
// HTTP pull consumer.
const ConsumerType = "worker"

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy validates the wiring and the configuration, fetches and verifies
// the pinned Worker bundles, reads the storage contract, declares every
// Worker and returns the contract. Nothing is registered when the
// configuration is invalid or a bundle cannot be fetched or verified.
func Deploy(ctx *pulumi.Context) (contracts.CloudflareWorkers, error) {
	var zero contracts.CloudflareWorkers
	if err := topology.Validate(topology.Workers, topology.Queues, topology.Storage); err != nil {
		return zero, err
	}
	cfg, err := config.Load(ctx)
	if err != nil {
		return zero, err
	}
	if err := cfg.FetchBundles(ctx); err != nil {
		return zero, err
	}
	storage, err := contracts.Read[contracts.CloudflareStorage](ctx, cfg.Env.Pulumi.Org)
	if err != nil {
		return zero, err
	}
	up := upstream{storage}
	scripts := map[string]*cloudflare.WorkersScript{}
	names := pulumi.StringMap{}
	crons := pulumi.StringMap{}
	for _, w := range topology.Workers {
		comp := &pulumi.ResourceState{}
		if err := ctx.RegisterComponentResource(WorkerType, w.Name, comp); err != nil {
			return zero, fmt.Errorf("worker %s: %w", w.Name, err)
		}
		script, err := declareScript(ctx, cfg, up, w, scripts, comp)
		if err != nil {
			return zero, fmt.Errorf("worker %s: %w", w.Name, err)
		}
		scripts[w.Name] = script
		names[w.Name] = script.ScriptName
		for _, c := range cfg.ConsumersOf(w.Name) {
			if err := declareConsumer(ctx, cfg, up, c, script, comp); err != nil {
				return zero, fmt.Errorf("worker %s: consumer of %s: %w", w.Name, c.Queue, err)
			}
		}
		if schedules := cfg.Crons[w.Name]; len(schedules) > 0 {
			if err := declareCron(ctx, cfg, w.Name, schedules, script, comp); err != nil {
				return zero, fmt.Errorf("worker %s: cron trigger: %w", w.Name, err)
			}
			crons[w.Name] = pulumi.String(strings.Join(schedules, ","))
		}
		if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{"scriptName": script.ScriptName}); err != nil {
			return zero, err
		}
	}
	return contracts.CloudflareWorkers{
		ScriptNames:   names.ToStringMapOutput(),
		CronSchedules: crons.ToStringMapOutput(),
	}, nil
}

// upstream looks up entries of the storage contract.
type upstream struct {
	contracts.CloudflareStorage
}

// entry returns m[key], failing the update with a message naming the
// output and key when the storage stack does not export it.
func entry(m pulumi.StringMapOutput, output, key string) pulumi.StringOutput {
	return m.ApplyT(func(v map[string]string) (string, error) {
		s, ok := v[key]
		if !ok || s == "" {
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return "", fmt.Errorf("cloudflare-storage output %q has no entry %q (it has %v); deploy cloudflare-storage again so it exports the current contract", output, key, keys)
		}
		return s, nil
	}).(pulumi.StringOutput)
}

func (u upstream) databaseID(name string) pulumi.StringOutput {
	return entry(u.D1DatabaseIDs, "d1DatabaseIds", name)
}
func (u upstream) bucketName(name string) pulumi.StringOutput {
	return entry(u.BucketNames, "bucketNames", name)
}
func (u upstream) queueID(name string) pulumi.StringOutput {
	return entry(u.QueueIDs, "queueIds", name)
}
func (u upstream) queueName(name string) pulumi.StringOutput {
	return entry(u.QueueNames, "queueNames", name)
}

// binding translates one binding of the topology into a script binding.
func binding(b topology.Binding, up upstream, scripts map[string]*cloudflare.WorkersScript) (*cloudflare.WorkersScriptBindingArgs, error) {
	args := &cloudflare.WorkersScriptBindingArgs{Name: pulumi.String(b.Name), Type: pulumi.String(string(b.Kind))}
	switch b.Kind {
	case topology.D1:
		args.Id = up.databaseID(b.Target)
	case topology.R2:
		args.BucketName = up.bucketName(b.Target)
	case topology.Vectorize:
		args.IndexName = up.VectorizeIndexName
	case topology.AI:
	case topology.Queue:
		args.QueueName = up.queueName(b.Target)
	case topology.Service:
		target, ok := scripts[b.Target]
		if !ok {
			return nil, fmt.Errorf("binding %s: Worker %s is not declared yet", b.Name, b.Target)
		}
		args.Service = target.ScriptName
	default:
		return nil, fmt.Errorf("binding %s: unknown kind %q", b.Name, b.Kind)
	}
	return args, nil
}

func declareScript(ctx *pulumi.Context, cfg *config.Config, up upstream, w topology.Worker, scripts map[string]*cloudflare.WorkersScript, parent pulumi.Resource) (*cloudflare.WorkersScript, error) {
	var bindings cloudflare.WorkersScriptBindingArray
	for _, b := range w.Bindings {
		args, err := binding(b, up, scripts)
		if err != nil {
			return nil, err
		}
		bindings = append(bindings, args)
	}
	bundle := cfg.Bundles[w.Name]
	return cloudflare.NewWorkersScript(ctx, w.Name, &cloudflare.WorkersScriptArgs{
		AccountId:          pulumi.String(cfg.AccountID),
		ScriptName:         pulumi.String(cfg.Name(w.Name)),
		MainModule:         pulumi.String(bundle.MainModule),
		Content:            content(bundle),
		CompatibilityDate:  pulumi.String(cfg.CompatibilityDate),
		CompatibilityFlags: pulumi.ToStringArray(cfg.CompatibilityFlags),
		Bindings:           bindings,
		Observability: &cloudflare.WorkersScriptObservabilityArgs{
			Enabled:          pulumi.Bool(cfg.Observability.Enabled),
			HeadSamplingRate: pulumi.Float64(cfg.Observability.HeadSamplingRate),
		},
	}, pulumi.Parent(parent))
}

// content is the bundle's code: the verified module text, or, under the
// offline checks that fetch nothing (config.FetchBundles), an unknown value.
func content(b config.Bundle) pulumi.StringInput {
	if b.Known {
		return pulumi.String(b.Content)
	}
	return pulumi.UnsafeUnknownOutput(nil).ApplyT(func(any) string { return "" }).(pulumi.StringOutput)
}

func declareConsumer(ctx *pulumi.Context, cfg *config.Config, up upstream, c config.Consumer, script *cloudflare.WorkersScript, parent pulumi.Resource) error {
	settings := &cloudflare.QueueConsumerSettingsArgs{
		BatchSize:     pulumi.Float64(float64(c.BatchSize)),
		MaxWaitTimeMs: pulumi.Float64(float64(c.MaxWaitTimeMs)),
		MaxRetries:    pulumi.Float64(float64(c.MaxRetries)),
		RetryDelay:    pulumi.Float64(float64(c.RetryDelay)),
	}
	if c.MaxConcurrency != nil {
		settings.MaxConcurrency = pulumi.Float64(float64(*c.MaxConcurrency))
	}
	args := &cloudflare.QueueConsumerArgs{
		AccountId:  pulumi.String(cfg.AccountID),
		QueueId:    up.queueID(c.Queue),
		ScriptName: script.ScriptName,
		Type:       pulumi.String(ConsumerType),
		Settings:   settings,
	}
	if c.DeadLetterQueue != "" {
		args.DeadLetterQueue = up.queueName(c.DeadLetterQueue)
	}
	_, err := cloudflare.NewQueueConsumer(ctx, c.Queue+"-consumer", args, pulumi.Parent(parent))
	return err
}

func declareCron(ctx *pulumi.Context, cfg *config.Config, worker string, schedules []string, script *cloudflare.WorkersScript, parent pulumi.Resource) error {
	var s cloudflare.WorkersCronTriggerScheduleArray
	for _, spec := range schedules {
		s = append(s, &cloudflare.WorkersCronTriggerScheduleArgs{Cron: pulumi.String(spec)})
	}
	_, err := cloudflare.NewWorkersCronTrigger(ctx, worker+"-cron", &cloudflare.WorkersCronTriggerArgs{
		AccountId:  pulumi.String(cfg.AccountID),
		ScriptName: script.ScriptName,
		Schedules:  s,
	}, pulumi.Parent(parent))
	return err
}
