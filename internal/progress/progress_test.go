package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPlainOutputOneLinePerEvent(t *testing.T) {
	var out syncBuf
	b := New(&out, "deploy", []string{"dns", "kafka-data-plane"}, false)
	b.Start("dns")
	b.Update("dns", "creating cloudflare:index/dnsRecord:DnsRecord 1.clustera.io")
	b.Finish("dns", "changed", "3 created", 1500*time.Millisecond)
	b.Start("kafka-data-plane")
	b.Finish("kafka-data-plane", "failed", "boom", time.Second)
	b.Stop()
	got := out.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines (start/finish ×2), got %d:\n%s", len(lines), got)
	}
	if !strings.Contains(lines[1], "✓ dns") || !strings.Contains(lines[1], "changed") || !strings.Contains(lines[1], "3 created") {
		t.Errorf("finish line: %q", lines[1])
	}
	if !strings.Contains(lines[3], "✗ kafka-data-plane") {
		t.Errorf("failure line: %q", lines[3])
	}
	if strings.Contains(got, "\x1b[") {
		t.Error("plain output contains escape codes")
	}
}

func TestTTYRedrawsInPlace(t *testing.T) {
	var out syncBuf
	b := New(&out, "preview", []string{"a", "b"}, true)
	b.Start("a")
	b.Update("a", "working")
	time.Sleep(600 * time.Millisecond)
	b.Finish("a", "no-op", "", time.Second)
	b.Finish("b", "blocked-by-a", "", 0)
	b.Stop()
	got := out.String()
	if !strings.Contains(got, "\x1b[2A") {
		t.Errorf("no cursor-up redraw in TTY output: %q", got)
	}
	last := got[strings.LastIndex(got, "\x1b[2A"):]
	if !strings.Contains(last, "no-op") || !strings.Contains(last, "⊘ b") {
		t.Errorf("final frame: %q", last)
	}
}

func TestHeartbeatListsRunning(t *testing.T) {
	var out syncBuf
	b := newBoard(&out, "deploy", []string{"a"}, false, 50*time.Millisecond)
	b.Start("a")
	b.Update("a", "creating x")
	time.Sleep(180 * time.Millisecond)
	b.Stop()
	if !strings.Contains(out.String(), "still running: a (") {
		t.Fatalf("no heartbeat: %q", out.String())
	}
}
