package queues

import (
	"reflect"
	"testing"
)

func TestOneConsumer(t *testing.T) {
	if got := OneConsumer([]Consumer{{"a", "w1"}, {"b", "w2"}}); got != nil {
		t.Fatalf("one consumer per queue: %v", got)
	}
	got := OneConsumer([]Consumer{{"q", "w1"}, {"b", "w2"}, {"q", "w3"}, {"a", "w4"}, {"a", "w5"}})
	want := []Conflict{
		{Queue: "a", At: []int{3, 4}, Names: []string{"w4", "w5"}},
		{Queue: "q", At: []int{0, 2}, Names: []string{"w1", "w3"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if msg := got[1].Error(); msg != "queue q has 2 consumers, w1, w3; a queue has exactly one consumer" {
		t.Errorf("Error() = %q", msg)
	}
}
