package queues

import (
	"fmt"
	"sort"
	"strings"
)

// Consumer is one consumer of a queue.
type Consumer struct {
	// Queue identifies the consumed queue: its name, ID or URN, whatever
	// the caller knows it by. Consumers with the same Queue share a queue.
	Queue string
	// Name names the consumer in messages.
	Name string
}

// Conflict is a queue with more than one consumer.
type Conflict struct {
	Queue string
	// At holds the positions, in the list given to OneConsumer, of the
	// queue's consumers, in list order: At[0] is the consumer the queue
	// keeps, every later one is one too many.
	At []int
	// Names holds their names, in the same order.
	Names []string
}

// Error names the queue and its consumers.
func (c Conflict) Error() string {
	return fmt.Sprintf("queue %s has %d consumers, %s; a queue has exactly one consumer", c.Queue, len(c.Names), strings.Join(c.Names, ", "))
}

// OneConsumer checks that no two consumers of cs share a queue. It returns
// one Conflict per queue with more than one consumer, sorted by queue.
func OneConsumer(cs []Consumer) []Conflict {
	byQueue := map[string]*Conflict{}
	var queues []string
	for i, c := range cs {
		g := byQueue[c.Queue]
		if g == nil {
			g = &Conflict{Queue: c.Queue}
			byQueue[c.Queue] = g
			queues = append(queues, c.Queue)
		}
		g.At = append(g.At, i)
		g.Names = append(g.Names, c.Name)
	}
	sort.Strings(queues)
	var out []Conflict
	for _, q := range queues {
		if g := byQueue[q]; len(g.At) > 1 {
			out = append(out, *g)
		}
	}
	return out
}
