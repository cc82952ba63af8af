package program

import (
	"fmt"

	"github.com/clustera/infra/projects/cloudflare-storage/config"
	"github.com/clustera/infra/shared/vectorize"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ObjectCreated lists the R2 actions that create an object: a notification
// on them reports every new object, however it was uploaded.
var ObjectCreated = []string{"PutObject", "CopyObject", "CompleteMultipartUpload"}

// IndexDescription describes the dome-notes index, as in the design.
const IndexDescription = "Vector storage for notes"

// declareDatabases declares the D1 databases. The contract uses the
// resource ID, which is the database UUID.
func declareDatabases(ctx *pulumi.Context, cfg *config.Config) (*group, error) {
	g, err := newGroup(ctx, DatabasesType, "d1")
	if err != nil {
		return nil, err
	}
	for _, logical := range config.Databases {
		db, err := cloudflare.NewD1Database(ctx, logical, &cloudflare.D1DatabaseArgs{
			AccountId: pulumi.String(cfg.AccountID),
			Name:      pulumi.String(cfg.Name(logical)),
		}, dataOptions(cfg, logical, g)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", logical, err)
		}
		g.ids[logical] = db.ID().ToStringOutput()
		g.names[logical] = db.Name
	}
	return g, g.done(ctx)
}

// declareQueues declares the queues. The contract uses the resource ID,
// which is the queue ID that consumers and notifications refer to.
func declareQueues(ctx *pulumi.Context, cfg *config.Config) (*group, error) {
	g, err := newGroup(ctx, QueuesType, "queues")
	if err != nil {
		return nil, err
	}
	for _, logical := range config.Queues {
		q, err := cloudflare.NewQueue(ctx, logical, &cloudflare.QueueArgs{
			AccountId: pulumi.String(cfg.AccountID),
			QueueName: pulumi.String(cfg.Name(logical)),
		}, dataOptions(cfg, logical, g)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", logical, err)
		}
		g.ids[logical] = q.ID().ToStringOutput()
		g.names[logical] = q.QueueName
	}
	return g, g.done(ctx)
}

// declareBuckets declares the R2 buckets and the notification that sends
// the creation of every object in the configured bucket to content-events.
func declareBuckets(ctx *pulumi.Context, cfg *config.Config, queues *group) (*group, error) {
	g, err := newGroup(ctx, BucketsType, "r2")
	if err != nil {
		return nil, err
	}
	for _, logical := range config.Buckets {
		b, err := cloudflare.NewR2Bucket(ctx, logical, &cloudflare.R2BucketArgs{
			AccountId: pulumi.String(cfg.AccountID),
			Name:      pulumi.String(cfg.Name(logical)),
		}, dataOptions(cfg, logical, g)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", logical, err)
		}
		g.ids[logical] = b.ID().ToStringOutput()
		g.names[logical] = b.Name
	}
	n := cfg.Notification
	rule := &cloudflare.R2BucketEventNotificationRuleArgs{
		Actions:     pulumi.ToStringArray(ObjectCreated),
		Description: pulumi.String(fmt.Sprintf("New objects in %s go to %s", n.Bucket, config.NotificationQueue)),
	}
	if n.Prefix != "" {
		rule.Prefix = pulumi.String(n.Prefix)
	}
	if n.Suffix != "" {
		rule.Suffix = pulumi.String(n.Suffix)
	}
	_, err = cloudflare.NewR2BucketEventNotification(ctx, n.Bucket+"-to-"+config.NotificationQueue, &cloudflare.R2BucketEventNotificationArgs{
		AccountId:  pulumi.String(cfg.AccountID),
		BucketName: g.names[n.Bucket],
		QueueId:    queues.ids[config.NotificationQueue],
		Rules:      cloudflare.R2BucketEventNotificationRuleArray{rule},
	}, pulumi.Parent(g))
	if err != nil {
		return nil, fmt.Errorf("event notification: %w", err)
	}
	return g, g.done(ctx)
}

// declareVectorize declares the dome-notes index through the in-repo
// Vectorize provider.
func declareVectorize(ctx *pulumi.Context, cfg *config.Config) (*vectorize.Index, error) {
	comp := &group{}
	if err := ctx.RegisterComponentResource(VectorizeType, "vectorize", comp); err != nil {
		return nil, err
	}
	index, err := vectorize.NewIndex(ctx, config.DomeNotes, &vectorize.IndexArgs{
		AccountID:   pulumi.String(cfg.AccountID),
		Name:        pulumi.String(cfg.Name(config.DomeNotes)),
		Dimensions:  pulumi.Int(cfg.Vectorize.Dimensions),
		Metric:      pulumi.String(cfg.Vectorize.Metric),
		Description: pulumi.String(IndexDescription),
	}, dataOptions(cfg, config.DomeNotes, comp)...)
	if err != nil {
		return nil, err
	}
	return index, ctx.RegisterResourceOutputs(comp, pulumi.Map{"name": index.Name})
}
