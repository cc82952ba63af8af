// Package program declares the storage of the Cloudflare platform: the D1
// databases, the R2 buckets with the event notification of new objects, the
// Vectorize index and the Queues. Its outputs are the CloudflareStorage
// contract that cloudflare-workers reads.
package program

import (
	"fmt"

	"github.com/clustera/infra/projects/cloudflare-storage/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Component type tokens.
const (
	DatabasesType = "clustera:cloudflare:Databases"
	BucketsType   = "clustera:cloudflare:Buckets"
	VectorizeType = "clustera:cloudflare:Vectorize"
	QueuesType    = "clustera:cloudflare:Queues"
)

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy validates the configuration, declares every resource and returns
// the contract. Nothing is registered when the configuration is invalid.
func Deploy(ctx *pulumi.Context) (contracts.CloudflareStorage, error) {
	var zero contracts.CloudflareStorage
	cfg, err := config.Load(ctx)
	if err != nil {
		return zero, err
	}
	dbs, err := declareDatabases(ctx, cfg)
	if err != nil {
		return zero, fmt.Errorf("d1 databases: %w", err)
	}
	queues, err := declareQueues(ctx, cfg)
	if err != nil {
		return zero, fmt.Errorf("queues: %w", err)
	}
	buckets, err := declareBuckets(ctx, cfg, queues)
	if err != nil {
		return zero, fmt.Errorf("r2 buckets: %w", err)
	}
	index, err := declareVectorize(ctx, cfg)
	if err != nil {
		return zero, fmt.Errorf("vectorize: %w", err)
	}
	return contracts.CloudflareStorage{
		AccountID:          pulumi.String(cfg.AccountID).ToStringOutput(),
		D1DatabaseIDs:      dbs.ids.ToStringMapOutput(),
		D1DatabaseNames:    dbs.names.ToStringMapOutput(),
		BucketNames:        buckets.names.ToStringMapOutput(),
		QueueIDs:           queues.ids.ToStringMapOutput(),
		QueueNames:         queues.names.ToStringMapOutput(),
		VectorizeIndexName: index.Name,
	}, nil
}

// dataOptions are the options of a data-bearing resource: in prod it is
// protected and retained on delete, and adopted when an import ID is set.
func dataOptions(cfg *config.Config, logical string, parent pulumi.Resource) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent)}
	if cfg.Protect {
		opts = append(opts, pulumi.Protect(true), pulumi.RetainOnDelete(true))
	}
	if id := cfg.ImportID(logical); id != "" {
		opts = append(opts, pulumi.Import(pulumi.ID(id)))
	}
	return opts
}

// group is a component resource holding one kind of object.
type group struct {
	pulumi.ResourceState
	ids   pulumi.StringMap
	names pulumi.StringMap
}

func newGroup(ctx *pulumi.Context, typ, name string) (*group, error) {
	g := &group{ids: pulumi.StringMap{}, names: pulumi.StringMap{}}
	if err := ctx.RegisterComponentResource(typ, name, g); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *group) done(ctx *pulumi.Context) error {
	return ctx.RegisterResourceOutputs(g, pulumi.Map{"ids": g.ids, "names": g.names})
}
