package aiven

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// KafkaTopicType is the type token of a Kafka topic.
const KafkaTopicType = "aiven:index/kafkaTopic:KafkaTopic"

// Version is the version of the Aiven provider plugin the resources are
// registered with.
const Version = "6.58.0"

// KafkaTopic is an Aiven for Apache Kafka topic. Changing the project, the
// service or the topic name replaces the topic (and loses its data).
type KafkaTopic struct {
	pulumi.CustomResourceState

	Project               pulumi.StringOutput       `pulumi:"project"`
	ServiceName           pulumi.StringOutput       `pulumi:"serviceName"`
	TopicName             pulumi.StringOutput       `pulumi:"topicName"`
	Partitions            pulumi.IntOutput          `pulumi:"partitions"`
	Replication           pulumi.IntOutput          `pulumi:"replication"`
	Config                KafkaTopicConfigPtrOutput `pulumi:"config"`
	Tags                  KafkaTopicTagArrayOutput  `pulumi:"tags"`
	TerminationProtection pulumi.BoolOutput         `pulumi:"terminationProtection"`
	TopicDescription      pulumi.StringPtrOutput    `pulumi:"topicDescription"`
	OwnerUserGroupID      pulumi.StringPtrOutput    `pulumi:"ownerUserGroupId"`
}

// KafkaTopicArgs are the inputs of a KafkaTopic. Project, ServiceName,
// TopicName, Partitions and Replication are required.
type KafkaTopicArgs struct {
	Project     pulumi.StringInput
	ServiceName pulumi.StringInput
	TopicName   pulumi.StringInput
	Partitions  pulumi.IntInput
	Replication pulumi.IntInput
	// Config holds the topic-level Kafka settings.
	Config KafkaTopicConfigPtrInput
	// Tags are key/value tags shown in the Aiven console.
	Tags KafkaTopicTagArrayInput
	// TerminationProtection makes the provider refuse to delete the topic.
	TerminationProtection pulumi.BoolPtrInput
	// TopicDescription is shown in the Aiven console (1 to 256 characters).
	TopicDescription pulumi.StringPtrInput
	// OwnerUserGroupID is the Aiven user group that owns the topic.
	OwnerUserGroupID pulumi.StringPtrInput
}

type kafkaTopicArgs struct {
	Project               string            `pulumi:"project"`
	ServiceName           string            `pulumi:"serviceName"`
	TopicName             string            `pulumi:"topicName"`
	Partitions            int               `pulumi:"partitions"`
	Replication           int               `pulumi:"replication"`
	Config                *KafkaTopicConfig `pulumi:"config"`
	Tags                  []KafkaTopicTag   `pulumi:"tags"`
	TerminationProtection *bool             `pulumi:"terminationProtection"`
	TopicDescription      *string           `pulumi:"topicDescription"`
	OwnerUserGroupID      *string           `pulumi:"ownerUserGroupId"`
}

// ElementType implements pulumi.Input.
func (KafkaTopicArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*kafkaTopicArgs)(nil)).Elem()
}

// ErrMissingArgs is wrapped by the error of NewKafkaTopic when a required
// input is missing.
var ErrMissingArgs = errors.New("aiven: missing required arguments")

// NewKafkaTopic registers a Kafka topic.
func NewKafkaTopic(ctx *pulumi.Context, name string, args *KafkaTopicArgs, opts ...pulumi.ResourceOption) (*KafkaTopic, error) {
	if args == nil {
		return nil, ErrMissingArgs
	}
	var missing []string
	for _, f := range []struct {
		key string
		set bool
	}{
		{"project", args.Project != nil},
		{"serviceName", args.ServiceName != nil},
		{"topicName", args.TopicName != nil},
		{"partitions", args.Partitions != nil},
		{"replication", args.Replication != nil},
	} {
		if !f.set {
			missing = append(missing, f.key)
		}
	}
	if len(missing) > 0 {
		return nil, errors.Join(ErrMissingArgs, errors.New("kafka topic "+name+": set "+strings.Join(missing, ", ")))
	}
	opts = append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
	var res KafkaTopic
	if err := ctx.RegisterResource(KafkaTopicType, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// ImportID returns the import ID of an existing topic:
// "<project>/<service>/<topic>".
func ImportID(project, service, topic string) string {
	return project + "/" + service + "/" + topic
}

// ImportIDOf returns the import ID of a topic whose project and service are
// outputs, for pulumi.Import.
func ImportIDOf(project, service pulumi.StringInput, topic string) pulumi.IDOutput {
	return pulumi.All(project, service).ApplyT(func(v []any) pulumi.ID {
		return pulumi.ID(ImportID(v[0].(string), v[1].(string), topic))
	}).(pulumi.IDOutput)
}

// KafkaTopicConfig is the topic-level Kafka configuration. Every value is a
// string on the wire, as in the provider schema; nil leaves the service
// default.
type KafkaTopicConfig struct {
	CleanupPolicy        *string `pulumi:"cleanupPolicy"`
	CompressionType      *string `pulumi:"compressionType"`
	DeleteRetentionMs    *string `pulumi:"deleteRetentionMs"`
	MaxMessageBytes      *string `pulumi:"maxMessageBytes"`
	MessageTimestampType *string `pulumi:"messageTimestampType"`
	MinCompactionLagMs   *string `pulumi:"minCompactionLagMs"`
	MinInsyncReplicas    *string `pulumi:"minInsyncReplicas"`
	RetentionBytes       *string `pulumi:"retentionBytes"`
	RetentionMs          *string `pulumi:"retentionMs"`
	SegmentMs            *string `pulumi:"segmentMs"`
}

// KafkaTopicConfigArgs are the inputs of a KafkaTopicConfig.
type KafkaTopicConfigArgs struct {
	// CleanupPolicy is delete, compact or "compact,delete".
	CleanupPolicy pulumi.StringPtrInput `pulumi:"cleanupPolicy"`
	// CompressionType is gzip, snappy, lz4, zstd, uncompressed or producer.
	CompressionType      pulumi.StringPtrInput `pulumi:"compressionType"`
	DeleteRetentionMs    pulumi.StringPtrInput `pulumi:"deleteRetentionMs"`
	MaxMessageBytes      pulumi.StringPtrInput `pulumi:"maxMessageBytes"`
	MessageTimestampType pulumi.StringPtrInput `pulumi:"messageTimestampType"`
	MinCompactionLagMs   pulumi.StringPtrInput `pulumi:"minCompactionLagMs"`
	MinInsyncReplicas    pulumi.StringPtrInput `pulumi:"minInsyncReplicas"`
	// RetentionBytes limits each partition; "-1" means unlimited.
	RetentionBytes pulumi.StringPtrInput `pulumi:"retentionBytes"`
	// RetentionMs limits the age of records; "-1" means unlimited.
	RetentionMs pulumi.StringPtrInput `pulumi:"retentionMs"`
	SegmentMs   pulumi.StringPtrInput `pulumi:"segmentMs"`
}

// KafkaTopicConfigPtrInput accepts KafkaTopicConfigArgs and
// KafkaTopicConfigPtrOutput values.
type KafkaTopicConfigPtrInput interface {
	pulumi.Input
	ToKafkaTopicConfigPtrOutput() KafkaTopicConfigPtrOutput
	ToKafkaTopicConfigPtrOutputWithContext(context.Context) KafkaTopicConfigPtrOutput
}

// ElementType implements pulumi.Input.
func (KafkaTopicConfigArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*KafkaTopicConfig)(nil)).Elem()
}

// ToKafkaTopicConfigOutput converts the args to an output.
func (i KafkaTopicConfigArgs) ToKafkaTopicConfigOutput() KafkaTopicConfigOutput {
	return i.ToKafkaTopicConfigOutputWithContext(context.Background())
}

// ToKafkaTopicConfigOutputWithContext converts the args to an output.
func (i KafkaTopicConfigArgs) ToKafkaTopicConfigOutputWithContext(ctx context.Context) KafkaTopicConfigOutput {
	return pulumi.ToOutputWithContext(ctx, i).(KafkaTopicConfigOutput)
}

// ToKafkaTopicConfigPtrOutput implements KafkaTopicConfigPtrInput.
func (i KafkaTopicConfigArgs) ToKafkaTopicConfigPtrOutput() KafkaTopicConfigPtrOutput {
	return i.ToKafkaTopicConfigPtrOutputWithContext(context.Background())
}

// ToKafkaTopicConfigPtrOutputWithContext implements KafkaTopicConfigPtrInput.
func (i KafkaTopicConfigArgs) ToKafkaTopicConfigPtrOutputWithContext(ctx context.Context) KafkaTopicConfigPtrOutput {
	return i.ToKafkaTopicConfigOutputWithContext(ctx).ToKafkaTopicConfigPtrOutputWithContext(ctx)
}

// KafkaTopicConfigOutput is an output of a KafkaTopicConfig.
type KafkaTopicConfigOutput struct{ *pulumi.OutputState }

// ElementType implements pulumi.Output.
func (KafkaTopicConfigOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*KafkaTopicConfig)(nil)).Elem()
}

// ToKafkaTopicConfigPtrOutputWithContext converts to a pointer output.
func (o KafkaTopicConfigOutput) ToKafkaTopicConfigPtrOutputWithContext(ctx context.Context) KafkaTopicConfigPtrOutput {
	return o.ApplyTWithContext(ctx, func(_ context.Context, v KafkaTopicConfig) *KafkaTopicConfig {
		return &v
	}).(KafkaTopicConfigPtrOutput)
}

// KafkaTopicConfigPtrOutput is an output of an optional KafkaTopicConfig.
type KafkaTopicConfigPtrOutput struct{ *pulumi.OutputState }

// ElementType implements pulumi.Output.
func (KafkaTopicConfigPtrOutput) ElementType() reflect.Type {
	return reflect.TypeOf((**KafkaTopicConfig)(nil)).Elem()
}

// ToKafkaTopicConfigPtrOutput implements KafkaTopicConfigPtrInput.
func (o KafkaTopicConfigPtrOutput) ToKafkaTopicConfigPtrOutput() KafkaTopicConfigPtrOutput {
	return o
}

// ToKafkaTopicConfigPtrOutputWithContext implements KafkaTopicConfigPtrInput.
func (o KafkaTopicConfigPtrOutput) ToKafkaTopicConfigPtrOutputWithContext(context.Context) KafkaTopicConfigPtrOutput {
	return o
}

// KafkaTopicTag is a key/value tag of a topic.
type KafkaTopicTag struct {
	Key   string  `pulumi:"key"`
	Value *string `pulumi:"value"`
}

// KafkaTopicTagArgs are the inputs of a KafkaTopicTag. Key is 1 to 64
// characters, Value at most 256.
type KafkaTopicTagArgs struct {
	Key   pulumi.StringInput    `pulumi:"key"`
	Value pulumi.StringPtrInput `pulumi:"value"`
}

// ElementType implements pulumi.Input.
func (KafkaTopicTagArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*KafkaTopicTag)(nil)).Elem()
}

// ToKafkaTopicTagOutput converts the args to an output.
func (i KafkaTopicTagArgs) ToKafkaTopicTagOutput() KafkaTopicTagOutput {
	return i.ToKafkaTopicTagOutputWithContext(context.Background())
}

// ToKafkaTopicTagOutputWithContext converts the args to an output.
func (i KafkaTopicTagArgs) ToKafkaTopicTagOutputWithContext(ctx context.Context) KafkaTopicTagOutput {
	return pulumi.ToOutputWithContext(ctx, i).(KafkaTopicTagOutput)
}

// KafkaTopicTagInput accepts KafkaTopicTagArgs and KafkaTopicTagOutput values.
type KafkaTopicTagInput interface {
	pulumi.Input
	ToKafkaTopicTagOutput() KafkaTopicTagOutput
	ToKafkaTopicTagOutputWithContext(context.Context) KafkaTopicTagOutput
}

// KafkaTopicTagOutput is an output of a KafkaTopicTag.
type KafkaTopicTagOutput struct{ *pulumi.OutputState }

// ElementType implements pulumi.Output.
func (KafkaTopicTagOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*KafkaTopicTag)(nil)).Elem()
}

// ToKafkaTopicTagOutput implements KafkaTopicTagInput.
func (o KafkaTopicTagOutput) ToKafkaTopicTagOutput() KafkaTopicTagOutput { return o }

// ToKafkaTopicTagOutputWithContext implements KafkaTopicTagInput.
func (o KafkaTopicTagOutput) ToKafkaTopicTagOutputWithContext(context.Context) KafkaTopicTagOutput {
	return o
}

// KafkaTopicTagArrayInput accepts KafkaTopicTagArray and
// KafkaTopicTagArrayOutput values.
type KafkaTopicTagArrayInput interface {
	pulumi.Input
	ToKafkaTopicTagArrayOutput() KafkaTopicTagArrayOutput
	ToKafkaTopicTagArrayOutputWithContext(context.Context) KafkaTopicTagArrayOutput
}

// KafkaTopicTagArray is a list of tag inputs.
type KafkaTopicTagArray []KafkaTopicTagInput

// ElementType implements pulumi.Input.
func (KafkaTopicTagArray) ElementType() reflect.Type {
	return reflect.TypeOf((*[]KafkaTopicTag)(nil)).Elem()
}

// ToKafkaTopicTagArrayOutput implements KafkaTopicTagArrayInput.
func (i KafkaTopicTagArray) ToKafkaTopicTagArrayOutput() KafkaTopicTagArrayOutput {
	return i.ToKafkaTopicTagArrayOutputWithContext(context.Background())
}

// ToKafkaTopicTagArrayOutputWithContext implements KafkaTopicTagArrayInput.
func (i KafkaTopicTagArray) ToKafkaTopicTagArrayOutputWithContext(ctx context.Context) KafkaTopicTagArrayOutput {
	return pulumi.ToOutputWithContext(ctx, i).(KafkaTopicTagArrayOutput)
}

// KafkaTopicTagArrayOutput is an output of a list of tags.
type KafkaTopicTagArrayOutput struct{ *pulumi.OutputState }

// ElementType implements pulumi.Output.
func (KafkaTopicTagArrayOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*[]KafkaTopicTag)(nil)).Elem()
}

// ToKafkaTopicTagArrayOutput implements KafkaTopicTagArrayInput.
func (o KafkaTopicTagArrayOutput) ToKafkaTopicTagArrayOutput() KafkaTopicTagArrayOutput { return o }

// ToKafkaTopicTagArrayOutputWithContext implements KafkaTopicTagArrayInput.
func (o KafkaTopicTagArrayOutput) ToKafkaTopicTagArrayOutputWithContext(context.Context) KafkaTopicTagArrayOutput {
	return o
}

// Tags returns a tag list from a map, sorted by key so the order on the wire
// never changes between runs.
func Tags(m map[string]string) KafkaTopicTagArray {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(KafkaTopicTagArray, 0, len(keys))
	for _, k := range keys {
		out = append(out, KafkaTopicTagArgs{Key: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}

func init() {
	pulumi.RegisterInputType(reflect.TypeOf((*KafkaTopicConfigPtrInput)(nil)).Elem(), KafkaTopicConfigArgs{})
	pulumi.RegisterInputType(reflect.TypeOf((*KafkaTopicTagInput)(nil)).Elem(), KafkaTopicTagArgs{})
	pulumi.RegisterInputType(reflect.TypeOf((*KafkaTopicTagArrayInput)(nil)).Elem(), KafkaTopicTagArray{})
	pulumi.RegisterOutputType(KafkaTopicConfigOutput{})
	pulumi.RegisterOutputType(KafkaTopicConfigPtrOutput{})
	pulumi.RegisterOutputType(KafkaTopicTagOutput{})
	pulumi.RegisterOutputType(KafkaTopicTagArrayOutput{})
}
