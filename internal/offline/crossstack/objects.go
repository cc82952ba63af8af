package crossstack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/mocktest"
)

// Aiven types that no project declares today but that would be shared
// objects if one did.
const (
	aivenProjectType = "aiven:index/project:Project"
	aivenKafkaType   = "aiven:index/kafka:Kafka"
	topicIAMBinding  = rules.TypeTopicIAMBinding
)

// identity says which inputs identify the cloud object a resource manages.
type identity struct {
	what string // "D1 database", for messages
	keys []string
	// defaults fill optional keys the provider defaults (an R2 bucket's
	// jurisdiction); other absent keys make the identity unknown.
	defaults map[string]string
	// optional keys may be absent (a GCP project taken from the provider
	// configuration) and then count as empty.
	optional map[string]bool
}

// identities are the identities of the cloud objects the projects manage:
// the names the clouds keep unique (the sandbox enforces the same).
var identities = map[string]identity{
	rules.TypeD1Database:                  {what: "D1 database", keys: []string{"accountId", "name"}},
	rules.TypeR2Bucket:                    {what: "R2 bucket", keys: []string{"accountId", "jurisdiction", "name"}, defaults: map[string]string{"jurisdiction": "default"}},
	rules.TypeQueue:                       {what: "queue", keys: []string{"accountId", "queueName"}},
	rules.TypeWorkersScript:               {what: "Worker script", keys: []string{"accountId", "scriptName"}},
	sandbox.WorkersCronTriggerType:        {what: "Worker cron schedule set", keys: []string{"accountId", "scriptName"}},
	sandbox.R2BucketEventNotificationType: {what: "R2 event notification", keys: []string{"accountId", "jurisdiction", "bucketName", "queueId"}, defaults: map[string]string{"jurisdiction": "default"}},
	rules.TypeDNSRecord:                   {what: "DNS record", keys: []string{"zoneId", "name", "type", "content"}},
	rules.TypeVectorizeIndex:              {what: "Vectorize index", keys: []string{"accountId", "name"}},
	rules.TypeKafkaTopic:                  {what: "Kafka topic", keys: []string{"project", "serviceName", "topicName"}},
	aivenProjectType:                      {what: "Aiven project", keys: []string{"project"}},
	aivenKafkaType:                        {what: "Aiven Kafka service", keys: []string{"project", "serviceName"}},
	rules.TypePubSubTopic:                 {what: "Pub/Sub topic", keys: []string{"project", "name"}, optional: map[string]bool{"project": true}},
	rules.TypePubSubSubscription:          {what: "Pub/Sub subscription", keys: []string{"project", "name"}, optional: map[string]bool{"project": true}},
	rules.TypeTopicIAMMember:              {what: "Pub/Sub topic IAM member", keys: []string{"project", "topic", "role", "member"}, optional: map[string]bool{"project": true}},
	topicIAMBinding:                       {what: "Pub/Sub topic IAM binding", keys: []string{"project", "topic", "role"}, optional: map[string]bool{"project": true}},
}

// key returns the identity of r as "k=v, ..." and whether every part is
// known.
func (id identity) key(r mocktest.Resource) (string, bool) {
	parts := make([]string, 0, len(id.keys))
	for _, k := range id.keys {
		v, ok := rules.Lookup(r.Inputs, k).Str()
		if !ok || v == "" {
			switch {
			case id.defaults[k] != "":
				v = id.defaults[k]
			case id.optional[k]:
				v = ""
			default:
				return "", false
			}
		}
		parts = append(parts, fmt.Sprintf("%s=%q", k, v))
	}
	return strings.Join(parts, " "), true
}

type owner struct {
	project string
	res     mocktest.Resource
}

// UniqueCloudObjects reports cloud objects that more than one resource
// manages, in one stack or across stacks: the same type and identity (D1
// name and account, R2 name, queue name, Worker script name, DNS zone, name,
// type and content, Aiven project/service/topic, Pub/Sub project and
// name, ...). Two owners overwrite each other's settings, and destroying
// one stack deletes the other's object.
func UniqueCloudObjects(res *mockrun.Result) []Finding {
	owners := map[string][]owner{}
	for _, p := range res.Projects {
		for _, r := range p.Resources {
			id, ok := identities[r.Type]
			if !ok || !r.Custom {
				continue
			}
			k, ok := id.key(r)
			if !ok {
				continue
			}
			key := r.Type + " " + k
			owners[key] = append(owners[key], owner{p.Name, r})
		}
	}
	keys := make([]string, 0, len(owners))
	for k := range owners {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fs []Finding
	for _, key := range keys {
		owns := owners[key]
		if len(owns) < 2 {
			continue
		}
		id := identities[owns[0].res.Type]
		k, _ := id.key(owns[0].res)
		var labels, projects []string
		for _, o := range owns {
			labels = append(labels, label(o.project, o.res))
			projects = append(projects, o.project)
		}
		f := Finding{Check: UniqueObjects, Subject: fmt.Sprintf("%s %s", id.what, k),
			Problem: fmt.Sprintf("%d resources manage the same %s: %s", len(owns), id.what, strings.Join(labels, "; ")),
			Fix:     "keep one owner: remove the duplicate declaration, or give the object a distinct name (per environment names come from shared/naming)"}
		if ps := projectsOf(projects); !strings.Contains(ps, ",") {
			f.Project = ps
		} else {
			f.Problem = fmt.Sprintf("stacks %s manage the same %s: %s", ps, id.what, strings.Join(labels, "; "))
			f.Fix = "keep the object in one project and let the others read it through that project's contract"
		}
		fs = append(fs, f)
	}
	return fs
}
