package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
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

func TestClipNeverSplitsARune(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"élève à l’école", 6, "élève…"},
		{"日本語のテキスト", 4, "日本語…"},
		{"ab😀😀😀", 3, "ab…"},
		{"a😀b", 3, "a😀b"},
		{"two\nlines\tand \x1b[31mcolour", 40, "two lines and  [31mcolour"},
		{"bad \xff\xfe bytes", 40, "bad \uFFFD bytes"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	}
	for _, c := range cases {
		got := clip(c.in, c.n)
		if got != c.want {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q: invalid UTF-8", c.in, c.n, got)
		}
	}
	// Multi-byte runes at every boundary.
	s := strings.Repeat("aé日😀", 20)
	for n := 0; n <= utf8.RuneCountInString(s)+1; n++ {
		got := clip(s, n)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > n {
			t.Fatalf("clip(…, %d) = %q (%d runes)", n, got, utf8.RuneCountInString(got))
		}
	}
}

func FuzzClip(f *testing.F) {
	f.Add("élève à l’école", 6)
	f.Add("ab😀😀😀", 3)
	f.Add("\xff\xfe\x1b[2K", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 200
		got := clip(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("clip(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
		if n >= 0 && utf8.RuneCountInString(got) > n {
			t.Fatalf("clip(%q, %d) = %q: %d runes", s, n, got, utf8.RuneCountInString(got))
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("clip(%q, %d) = %q: control character", s, n, got)
			}
		}
	})
}

func TestTTYLinesFitTheTerminal(t *testing.T) {
	var out syncBuf
	b := newBoard(&out, "deploy", []string{"kafka-data-plane", "dns"}, true, time.Hour)
	b.mu.Lock()
	b.columns = func() int { return 40 }
	b.mu.Unlock()
	b.Start("kafka-data-plane")
	b.Update("kafka-data-plane", "creating aiven:index/kafkaTopic:KafkaTopic élève-日本語-😀 "+strings.Repeat("é", 80))
	time.Sleep(300 * time.Millisecond)
	b.Finish("dns", "changed", "3 created · "+strings.Repeat("日本", 40), 2*time.Second)
	b.Stop()
	got := out.String()
	// Drop the control sequences of the redraw.
	plain := regexp.MustCompile(`\x1b\[[0-9]*[A-Za-z]|\r`).ReplaceAllString(got, "")
	lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("want at least two frames, got %q", got)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 39 || !utf8.ValidString(l) {
			t.Errorf("line of %d runes (valid UTF-8: %v) on a 40-column terminal: %q", n, utf8.ValidString(l), l)
		}
	}
	if !strings.Contains(plain, "…") {
		t.Errorf("nothing clipped: %q", plain)
	}
}

func TestWidthReadOnEachRedraw(t *testing.T) {
	var out syncBuf
	b := newBoard(&out, "deploy", []string{"a"}, true, time.Hour)
	var mu sync.Mutex
	cols := 80
	b.mu.Lock()
	b.columns = func() int { mu.Lock(); defer mu.Unlock(); return cols }
	b.mu.Unlock()
	b.Start("a")
	b.Update("a", strings.Repeat("x", 200))
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	cols = 20
	mu.Unlock()
	time.Sleep(300 * time.Millisecond)
	b.Stop()
	plain := regexp.MustCompile(`\x1b\[[0-9]*[A-Za-z]|\r`).ReplaceAllString(out.String(), "")
	lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
	first, last := utf8.RuneCountInString(lines[0]), utf8.RuneCountInString(lines[len(lines)-1])
	if first != 79 || last != 19 {
		t.Fatalf("first frame %d runes, last %d; want 79 then 19:\n%s", first, last, plain)
	}
}

func TestWidthFallsBack(t *testing.T) {
	t.Setenv("COLUMNS", "57")
	if got := termWidth(&bytes.Buffer{}); got != 57 {
		t.Errorf("not a file, COLUMNS=57: %d", got)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := termWidth(f); got != 57 {
		t.Errorf("a file that is no terminal, COLUMNS=57: %d", got)
	}
	for _, bad := range []string{"", "wide", "0", "-3"} {
		t.Setenv("COLUMNS", bad)
		if got := termWidth(f); got != 100 {
			t.Errorf("COLUMNS=%q: %d, want 100", bad, got)
		}
	}
}
