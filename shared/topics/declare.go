package topics

import (
	"fmt"

	"github.com/clustera/infra/shared/aiven"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DeclareArgs say where and how topics are declared.
type DeclareArgs struct {
	// Project and Service name the Aiven project and Kafka service.
	Project pulumi.StringInput
	Service pulumi.StringInput
	// Tags are set on every topic (env, project, managed-by).
	Tags map[string]string
	// Protect marks production: every topic gets terminationProtection and
	// pulumi.Protect, so neither the provider nor Pulumi deletes it.
	Protect bool
	// Import lists the logical names of topics that already exist and are
	// adopted with their import ID "<project>/<service>/<topic>".
	Import map[string]bool
	// Parent is the component the topics belong to.
	Parent pulumi.Resource
}

// Declare registers one aiven.KafkaTopic per topic, named by its logical
// name, and returns them keyed by logical name.
func Declare(ctx *pulumi.Context, topics []Topic, args DeclareArgs) (map[string]*aiven.KafkaTopic, error) {
	out := make(map[string]*aiven.KafkaTopic, len(topics))
	for _, t := range topics {
		in := &aiven.KafkaTopicArgs{
			Project:               args.Project,
			ServiceName:           args.Service,
			TopicName:             pulumi.String(t.Name),
			Partitions:            pulumi.Int(t.Partitions),
			Replication:           pulumi.Int(t.Replication),
			Config:                configArgs(t.Config),
			Tags:                  aiven.Tags(args.Tags),
			TerminationProtection: pulumi.Bool(args.Protect),
		}
		if t.Description != "" {
			in.TopicDescription = pulumi.String(t.Description)
		}
		var opts []pulumi.ResourceOption
		if args.Parent != nil {
			opts = append(opts, pulumi.Parent(args.Parent))
		}
		if args.Protect {
			opts = append(opts, pulumi.Protect(true))
		}
		if args.Import[t.Logical] {
			opts = append(opts, pulumi.Import(aiven.ImportIDOf(args.Project, args.Service, t.Name)))
		}
		res, err := aiven.NewKafkaTopic(ctx, t.Logical, in, opts...)
		if err != nil {
			return nil, fmt.Errorf("kafka topic %s (%s:%d): %w", t.Name, t.File, t.Line, err)
		}
		out[t.Logical] = res
	}
	return out, nil
}

func configArgs(c Config) aiven.KafkaTopicConfigArgs {
	ptr := func(v string) pulumi.StringPtrInput {
		if v == "" {
			return nil
		}
		return pulumi.String(v)
	}
	return aiven.KafkaTopicConfigArgs{
		RetentionMs:          ptr(c.RetentionMs),
		RetentionBytes:       ptr(c.RetentionBytes),
		MaxMessageBytes:      ptr(c.MaxMessageBytes),
		CompressionType:      ptr(c.CompressionType),
		CleanupPolicy:        ptr(c.CleanupPolicy),
		MinInsyncReplicas:    ptr(c.MinInsyncReplicas),
		DeleteRetentionMs:    ptr(c.DeleteRetentionMs),
		MinCompactionLagMs:   ptr(c.MinCompactionLagMs),
		SegmentMs:            ptr(c.SegmentMs),
		MessageTimestampType: ptr(c.MessageTimestampType),
	}
}

// Names returns the physical names of declared topics keyed by logical
// name. Each value resolves once its topic exists.
func Names(declared map[string]*aiven.KafkaTopic) pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for logical, t := range declared {
		m[logical] = t.TopicName
	}
	return m.ToStringMapOutput()
}
