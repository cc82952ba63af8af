package crossstack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/queues"
)

type queue struct {
	project, account, name, id string
	res                        mocktest.Resource
}

// QueueConsumersOf checks the consumers of every queue across all stacks:
// each consumer reads a queue some stack declares, a worker consumer runs a
// Worker some stack declares, a queue has at most one consumer overall, and
// the consumer of the embedding queue (ending in new-content-constellation)
// has a dead-letter queue that is not the queue itself and that some stack
// declares. Queues are matched by their queueId output (the queue ID the
// Queues API assigns, which consumers refer to).
func QueueConsumersOf(res *mockrun.Result) []Finding {
	byID := map[string]queue{}
	byName := map[string]queue{} // account/name
	scripts := map[string]bool{} // account/script
	type consumer struct {
		project string
		res     mocktest.Resource
	}
	var consumers []consumer
	for _, p := range res.Projects {
		for _, r := range p.Resources {
			switch r.Type {
			case rules.TypeQueue:
				q := queue{project: p.Name, res: r}
				q.account, _ = rules.Lookup(r.Inputs, "accountId").Str()
				q.name, _ = rules.Lookup(r.Inputs, "queueName").Str()
				q.id, _ = rules.Lookup(r.Outputs, "queueId").Str()
				if q.id != "" {
					byID[q.id] = q
				}
				if q.name != "" {
					byName[q.account+"/"+q.name] = q
				}
			case rules.TypeWorkersScript:
				acc, _ := rules.Lookup(r.Inputs, "accountId").Str()
				name, _ := rules.Lookup(r.Inputs, "scriptName").Str()
				scripts[acc+"/"+name] = true
			case rules.TypeQueueConsumer:
				consumers = append(consumers, consumer{p.Name, r})
			}
		}
	}
	var fs []Finding
	groups := map[string][]consumer{}
	for _, c := range consumers {
		qid, _ := rules.Lookup(c.res.Inputs, "queueId").Str()
		acc, _ := rules.Lookup(c.res.Inputs, "accountId").Str()
		if _, ok := byID[qid]; !ok {
			fs = append(fs, Finding{Check: QueueConsumers, Project: c.project, Subject: label(c.project, c.res),
				Problem: fmt.Sprintf("it consumes queue ID %q, which no stack of the environment declares", qid),
				Fix:     "take the queue ID from the cloudflare-storage contract (queueIds), and declare the queue there"})
		} else {
			groups[qid] = append(groups[qid], c)
		}
		if t, _ := rules.Lookup(c.res.Inputs, "type").Str(); t == "worker" {
			script, _ := rules.Lookup(c.res.Inputs, "scriptName").Str()
			if !scripts[acc+"/"+script] {
				fs = append(fs, Finding{Check: QueueConsumers, Project: c.project, Subject: label(c.project, c.res),
					Problem: fmt.Sprintf("its Worker %q is declared by no stack of the environment", script),
					Fix:     "point scriptName at a Worker the cloudflare-workers project declares"})
			}
		}
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var pairs []queues.Consumer
	var who []consumer
	for _, id := range ids {
		cs := groups[id]
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].project != cs[j].project {
				return cs[i].project < cs[j].project
			}
			return cs[i].res.Name < cs[j].res.Name
		})
		for _, c := range cs {
			pairs = append(pairs, queues.Consumer{Queue: id, Name: label(c.project, c.res)})
			who = append(who, c)
		}
	}
	conflicts := map[string]queues.Conflict{}
	for _, c := range queues.OneConsumer(pairs) {
		conflicts[c.Queue] = c
	}
	for _, id := range ids {
		q, cs := byID[id], groups[id]
		if k, ok := conflicts[id]; ok {
			var projects []string
			for _, a := range k.At {
				projects = append(projects, who[a].project)
			}
			fs = append(fs, Finding{Check: QueueConsumers, Subject: fmt.Sprintf("queue %q (declared by %s)", q.name, q.project),
				Problem: fmt.Sprintf("the queue has %d consumers across stacks %s: %s; a queue has one consumer (ADR 0021)", len(k.Names), projectsOf(projects), strings.Join(k.Names, "; ")),
				Fix:     "keep one QueueConsumer per queue, in cloudflare-workers; let other Workers produce to a queue of their own"})
		}
		if !strings.HasSuffix(q.name, rules.EmbeddingQueueSuffix) {
			continue
		}
		for _, c := range cs {
			dlq, _ := rules.Lookup(c.res.Inputs, "deadLetterQueue").Str()
			acc, _ := rules.Lookup(c.res.Inputs, "accountId").Str()
			f := Finding{Check: QueueConsumers, Project: c.project, Subject: label(c.project, c.res)}
			switch {
			case dlq == "":
				f.Problem = fmt.Sprintf("the consumer of the embedding queue %q has no dead-letter queue, so failed embedding jobs are dropped", q.name)
				f.Fix = "set deadLetterQueue to the environment's embed-dead-letter queue (the consumer's DeadLetterQueue in projects/cloudflare-workers/topology)"
			case dlq == q.name:
				f.Problem = fmt.Sprintf("the consumer of the embedding queue %q uses the queue itself as its dead-letter queue", q.name)
				f.Fix = "set deadLetterQueue to a separate queue, such as embed-dead-letter"
			case byName[acc+"/"+dlq].name == "":
				f.Problem = fmt.Sprintf("the consumer of the embedding queue %q sends failed messages to %q, which no stack of the environment declares", q.name, dlq)
				f.Fix = "declare the dead-letter queue in cloudflare-storage and take its name from the storage contract (queueNames)"
			default:
				continue
			}
			fs = append(fs, f)
		}
	}
	return fs
}
