// Package config reads the configuration of the kafka-data-plane project:
// the Aiven project, Kafka service and limits from the environment settings,
// the topics from kafka-topics.yaml in the project folder, and the optional
// names and importTopics keys from the stack configuration. Load validates
// everything before any resource is registered and reports every problem at
// once, each naming its file, key (and line, for the topic file).
package config

import (
	"fmt"
	"path/filepath"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// AivenProject and KafkaService locate the topics.
	AivenProject, KafkaService string
	// Topics are the topics of kafka-topics.yaml, resolved for the stack.
	Topics []topics.Topic
	// Import holds the logical names of topics adopted from Aiven.
	Import map[string]bool
	// Protect is set in prod: topics get terminationProtection and
	// pulumi.Protect.
	Protect bool
}

// Load reads and validates the configuration of the running stack.
func Load(ctx *pulumi.Context) (*Config, error) {
	env, err := environment.ForStack(ctx)
	if err != nil {
		return nil, fmt.Errorf("kafka-data-plane: environment: %w", err)
	}
	root, dir, err := layout.DirsOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("kafka-data-plane: %w", err)
	}
	path := filepath.Join(dir, topics.FileName)
	display := layout.Rel(root, path)

	var list problems.List
	r := stackconfig.New(ctx, &list)
	var sources []topics.Source
	if src, err := topics.ReadSource(path, display); err != nil {
		list.Add(display, "topics", "cannot be read: "+err.Error(), "declare the data plane topics in "+display)
	} else {
		sources = append(sources, src)
	}
	st := topics.LoadStack(r, &list, env, topics.DataPlane, sources)
	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return &Config{
		Env:          env,
		AivenProject: env.Aiven.Project,
		KafkaService: env.Aiven.KafkaService,
		Topics:       st.Topics,
		Import:       st.Import,
		Protect:      env.IsProd(),
	}, nil
}
