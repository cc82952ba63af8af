// Package config reads the configuration of the kafka-integrations project:
// the broker count and partition limit from the environment settings, the
// topics of every integration from integrations/<name>/kafka-topics.yaml in
// the project folder (discovered at run time), and the optional names and
// importTopics keys from the stack configuration. Load validates everything
// before any resource is registered and reports every problem at once.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	// Dir is the folder, in the project folder, that holds one folder per
	// integration.
	Dir = "integrations"
	// Shared is the folder of the topics every integration shares.
	Shared = "shared"
	// Gmail is the integration whose worker topic the contract exports.
	Gmail = "gmail"
	// GroupPrefix starts the logical name of every integration topic, so
	// they never collide with data plane topics in the same service.
	GroupPrefix = "integrations-"
)

// WorkerTopic returns the logical name of an integration's worker queue.
func WorkerTopic(integration string) string { return topics.WorkerPrefix + integration }

// DeadLetterTopic returns the conventional logical name of the dead-letter
// topic of an integration's worker queue. It is optional: an integration
// declares one when its worker needs it.
func DeadLetterTopic(integration string) string { return WorkerTopic(integration) + "-dlq" }

// Integration is one folder under integrations/.
type Integration struct {
	// Name is the folder name, e.g. "gmail" or "shared".
	Name string
	// File is the display path of its topic file.
	File string
	// Topics are its topics, in file order.
	Topics []topics.Topic
}

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// Integrations are sorted by name.
	Integrations []Integration
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
		return nil, fmt.Errorf("kafka-integrations: environment: %w", err)
	}
	root, dir, err := layout.DirsOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("kafka-integrations: %w", err)
	}

	var list problems.List
	r := stackconfig.New(ctx, &list)
	found := Discover(&list, root, filepath.Join(dir, Dir))
	var sources []topics.Source
	for _, f := range found {
		sources = append(sources, f.Source)
	}
	st := topics.LoadStack(r, &list, env, topics.Integrations, sources)
	c := &Config{Env: env, Import: st.Import, Protect: env.IsProd()}
	byFile := map[string]*Integration{}
	for _, f := range found {
		c.Integrations = append(c.Integrations, Integration{Name: f.Name, File: f.Source.File})
	}
	for i := range c.Integrations {
		byFile[c.Integrations[i].File] = &c.Integrations[i]
	}
	for _, t := range st.Topics {
		in := byFile[t.File]
		in.Topics = append(in.Topics, t)
	}
	if list.Len() == 0 {
		checkConventions(&list, layout.Rel(root, filepath.Join(dir, Dir)), c.Integrations)
	}
	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Found is one discovered integration folder with its topic file.
type Found struct {
	Name   string
	Source topics.Source
}

var folderName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Discover lists the integration folders under dir, sorted by name, and
// reads their topic files. Hidden entries and plain files (a README) are
// skipped; a folder without kafka-topics.yaml or with an invalid name is a
// problem.
func Discover(list *problems.List, root, dir string) []Found {
	display := layout.Rel(root, dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		fix := "create " + display + "/<integration>/" + topics.FileName
		if errors.Is(err, fs.ErrNotExist) {
			list.Add(display, "(folder)", "does not exist", fix)
		} else {
			list.Add(display, "(folder)", "cannot be read: "+err.Error(), fix)
		}
		return nil
	}
	var out []Found
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.IsDir() {
			continue
		}
		sub := display + "/" + e.Name()
		if !folderName.MatchString(e.Name()) {
			list.Add(sub, "(folder)", "is not a valid integration name",
				"name the folder with lowercase letters, digits and single '-', e.g. google-drive")
			continue
		}
		src, err := topics.ReadSource(filepath.Join(dir, e.Name(), topics.FileName), sub+"/"+topics.FileName)
		if err != nil {
			msg := "cannot be read: " + err.Error()
			if errors.Is(err, fs.ErrNotExist) {
				msg = "is missing"
			}
			list.Add(sub+"/"+topics.FileName, "topics", msg,
				fmt.Sprintf("create it with the integration's worker queue, - name: %q (docs/runbooks/add-integration.md), or remove the folder", topics.NamePrefix+WorkerTopic(e.Name())))
			continue
		}
		out = append(out, Found{Name: e.Name(), Source: src})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// checkConventions records a problem for every integration that breaks the
// layout the workers rely on: each integration declares its worker queue
// (a dead-letter topic is optional, as in the old repository's README);
// worker queues live in their integration's folder; every topic is named
// {stack}-integrations-...; the gmail integration exists, because its worker
// topic is part of the contract.
func checkConventions(list *problems.List, display string, ins []Integration) {
	hasGmail := false
	for _, in := range ins {
		declared := map[string]bool{}
		for _, t := range in.Topics {
			declared[t.Logical] = true
			add := func(msg, fix string) { list.AddAt(in.File, t.Line, t.Column, "name", msg, fix) }
			switch {
			case !strings.HasPrefix(t.Logical, GroupPrefix):
				add(fmt.Sprintf("topic %q is not an integration topic", topics.NamePrefix+t.Logical),
					fmt.Sprintf("name it %q", topics.NamePrefix+GroupPrefix+t.Logical))
			case in.Name == Shared && strings.HasPrefix(t.Logical, topics.WorkerPrefix):
				add(fmt.Sprintf("worker queue %q is declared in the shared folder", topics.NamePrefix+t.Logical),
					"move it to the folder of its integration")
			case in.Name != Shared && strings.HasPrefix(t.Logical, topics.WorkerPrefix) &&
				t.Logical != WorkerTopic(in.Name) && !strings.HasPrefix(t.Logical, WorkerTopic(in.Name)+"-"):
				add(fmt.Sprintf("worker queue %q does not belong to the %s integration", topics.NamePrefix+t.Logical, in.Name),
					fmt.Sprintf("move it to the folder of its integration, or name it %q", topics.NamePrefix+WorkerTopic(in.Name)+"-..."))
			}
		}
		if in.Name == Shared {
			continue
		}
		hasGmail = hasGmail || in.Name == Gmail
		if want := WorkerTopic(in.Name); !declared[want] {
			list.Add(in.File, "topics", fmt.Sprintf("the %s integration declares no topic %q (its worker queue)", in.Name, topics.NamePrefix+want),
				fmt.Sprintf("add - name: %q", topics.NamePrefix+want))
		}
	}
	if !hasGmail {
		list.Add(display+"/"+Gmail, "(folder)", "is missing",
			"restore the gmail integration: gcp-gmail reads its worker topic from this project's contract")
	}
}
