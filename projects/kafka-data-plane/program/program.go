// Package program declares the Kafka topics of the data plane in the Aiven
// project and Kafka service of the environment.
package program

import (
	"fmt"

	"github.com/clustera/infra/projects/kafka-data-plane/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/tags"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the type token of the component that holds the topics.
const ComponentType = "clustera:kafka:DataPlane"

// Component groups the data plane topics.
type Component struct {
	pulumi.ResourceState
}

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy declares the topics and returns the project's contract.
func Deploy(ctx *pulumi.Context) (contracts.KafkaDataPlane, error) {
	var none contracts.KafkaDataPlane
	cfg, err := config.Load(ctx)
	if err != nil {
		return none, err
	}
	comp := &Component{}
	if err := ctx.RegisterComponentResource(ComponentType, "data-plane", comp); err != nil {
		return none, fmt.Errorf("data plane component: %w", err)
	}
	project, service := pulumi.String(cfg.AivenProject), pulumi.String(cfg.KafkaService)
	declared, err := topics.Declare(ctx, cfg.Topics, topics.DeclareArgs{
		Project: project,
		Service: service,
		Tags:    tags.For(ctx).Map(),
		Protect: cfg.Protect,
		Import:  cfg.Import,
		Parent:  comp,
	})
	if err != nil {
		return none, err
	}
	names := topics.Names(declared)
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{"topicNames": names}); err != nil {
		return none, fmt.Errorf("data plane component outputs: %w", err)
	}
	return contracts.KafkaDataPlane{
		AivenProject: project.ToStringOutput(),
		KafkaService: service.ToStringOutput(),
		TopicNames:   names,
	}, nil
}
