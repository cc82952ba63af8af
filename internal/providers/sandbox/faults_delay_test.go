package sandbox

import (
	"context"
	"testing"
	"time"
)

func TestDelayFaultSlowsWithoutFailing(t *testing.T) {
	dir := t.TempDir()
	if err := SetFaults(dir, []Fault{{Op: "create", Type: "*:Queue", Delay: "150ms"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	delayFault(context.Background(), dir, "create", "cloudflare:index/queue:Queue", "q")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("delay took %s, want >= 150ms", d)
	}
	if err := checkFault(dir, "create", "cloudflare:index/queue:Queue", "q"); err != nil {
		t.Fatalf("a delay fault failed the operation: %v", err)
	}
	start = time.Now()
	delayFault(context.Background(), dir, "delete", "cloudflare:index/queue:Queue", "q")
	if time.Since(start) > 100*time.Millisecond {
		t.Fatal("a create delay slowed a delete")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	delayFault(ctx, dir, "create", "cloudflare:index/queue:Queue", "q")
	if time.Since(start) > 100*time.Millisecond {
		t.Fatal("a cancelled operation still waited")
	}
	if err := SetFaults(dir, []Fault{{Delay: "soon"}}); err == nil {
		t.Fatal("SetFaults accepted a bad delay")
	}
}
