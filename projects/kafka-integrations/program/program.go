// Package program declares the Kafka topics of the integrations, one
// component per folder under integrations/, in the Aiven project and Kafka
// service that kafka-data-plane exports.
package program

import (
	"fmt"

	"github.com/clustera/infra/projects/kafka-integrations/config"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/tags"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the type token of the component of one integration.
const ComponentType = "clustera:kafka:Integration"

// Component groups the topics of one integration folder.
type Component struct {
	pulumi.ResourceState
}

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy declares the topics and returns the project's contract.
func Deploy(ctx *pulumi.Context) (contracts.KafkaIntegrations, error) {
	var none contracts.KafkaIntegrations
	cfg, err := config.Load(ctx)
	if err != nil {
		return none, err
	}
	dp, err := contracts.Read[contracts.KafkaDataPlane](ctx, cfg.Env.Pulumi.Org)
	if err != nil {
		return none, err
	}
	all := map[string]*aiven.KafkaTopic{}
	for _, in := range cfg.Integrations {
		comp := &Component{}
		if err := ctx.RegisterComponentResource(ComponentType, in.Name, comp); err != nil {
			return none, fmt.Errorf("integration %s: %w", in.Name, err)
		}
		declared, err := topics.Declare(ctx, in.Topics, topics.DeclareArgs{
			Project: dp.AivenProject,
			Service: dp.KafkaService,
			Tags:    tags.For(ctx).Map(),
			Protect: cfg.Protect,
			Import:  cfg.Import,
			Parent:  comp,
		})
		if err != nil {
			return none, fmt.Errorf("integration %s: %w", in.Name, err)
		}
		if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{"topicNames": topics.Names(declared)}); err != nil {
			return none, fmt.Errorf("integration %s outputs: %w", in.Name, err)
		}
		for k, v := range declared {
			all[k] = v
		}
	}
	gmail, ok := all[config.WorkerTopic(config.Gmail)]
	if !ok {
		// config.Load rules this out; keep the contract honest anyway.
		return none, fmt.Errorf("kafka-integrations: no topic %s", config.WorkerTopic(config.Gmail))
	}
	return contracts.KafkaIntegrations{
		TopicNames:       topics.Names(all),
		GmailWorkerTopic: gmail.TopicName,
	}, nil
}
