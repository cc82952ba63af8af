// Package progress shows one live status line per project while the
// orchestrator runs them concurrently, instead of interleaving their logs.
// On a terminal the lines are redrawn in place; elsewhere (CI, pipes) a line
// is printed when a project starts or finishes, plus a periodic heartbeat.
package progress

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"
)

type state int

const (
	waiting state = iota
	running
	done
)

type line struct {
	state   state
	msg     string
	result  string
	started time.Time
	took    time.Duration
}

// Board renders the status lines.
type Board struct {
	mu        sync.Mutex
	w         io.Writer
	tty       bool
	op        string
	order     []string
	lines     map[string]*line
	drawn     int
	stop      chan struct{}
	stopped   chan struct{}
	heartbeat time.Duration
	width     int        // of the project column
	columns   func() int // of the terminal, read on each redraw
}

// IsTerminal reports whether f is a terminal that can redraw lines.
func IsTerminal(f *os.File) bool {
	if os.Getenv("TERM") == "dumb" || os.Getenv("CI") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// New starts a board for the projects, shown in the given order.
func New(w io.Writer, op string, projects []string, tty bool) *Board {
	return newBoard(w, op, projects, tty, 30*time.Second)
}

func newBoard(w io.Writer, op string, projects []string, tty bool, heartbeat time.Duration) *Board {
	b := &Board{w: w, tty: tty, op: op, order: projects, lines: map[string]*line{},
		stop: make(chan struct{}), stopped: make(chan struct{}), heartbeat: heartbeat,
		columns: func() int { return termWidth(w) }}
	for _, p := range projects {
		b.lines[p] = &line{}
		if len(p) > b.width {
			b.width = len(p)
		}
	}
	go b.loop()
	return b
}

func (b *Board) loop() {
	defer close(b.stopped)
	interval := b.heartbeat
	if b.tty {
		interval = 250 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if b.tty {
				b.redraw()
			} else {
				b.beat()
			}
			b.mu.Unlock()
		}
	}
}

// Start marks project as running.
func (b *Board) Start(project string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.line(project)
	l.state, l.started, l.msg = running, time.Now(), "starting"
	if !b.tty {
		fmt.Fprintf(b.w, "▶ %-*s %s started\n", b.width, project, b.op)
	}
}

// Update sets the message of a running project.
func (b *Board) Update(project, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.line(project).msg = msg
}

// Finish marks project as done with a result label and a summary.
func (b *Board) Finish(project, result, summary string, took time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.line(project)
	l.state, l.result, l.msg, l.took = done, result, summary, took
	if !b.tty {
		fmt.Fprintf(b.w, "%s %-*s %s %s (%s)%s\n", mark(result), b.width, project, b.op, result, took.Round(100*time.Millisecond), suffix(summary))
	}
}

// Stop stops redrawing and leaves the final lines on screen.
func (b *Board) Stop() {
	close(b.stop)
	<-b.stopped
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty {
		b.redraw()
	}
}

func (b *Board) line(project string) *line {
	l, ok := b.lines[project]
	if !ok {
		l = &line{}
		b.lines[project] = l
		b.order = append(b.order, project)
	}
	return l
}

// redraw draws the lines over the previous ones. Each line is clipped to
// one column less than the terminal, read each time (it may have been
// resized): a line that wraps would break the cursor-up count.
func (b *Board) redraw() {
	cols := max(b.columns()-1, 1)
	var sb strings.Builder
	if b.drawn > 0 {
		// Up to the first line, and clear what is below: lines wrapped
		// by a narrower terminal since the last frame.
		fmt.Fprintf(&sb, "\x1b[%dA\r\x1b[J", b.drawn)
	}
	for _, p := range b.order {
		sb.WriteString("\x1b[2K")
		sb.WriteString(clip(b.render(p), cols))
		sb.WriteByte('\n')
	}
	b.drawn = len(b.order)
	_, _ = io.WriteString(b.w, sb.String())
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (b *Board) render(p string) string {
	l := b.lines[p]
	switch l.state {
	case running:
		el := time.Since(l.started)
		return fmt.Sprintf("%s %-*s %-8s %6s  %s", spinner[int(el/(100*time.Millisecond))%len(spinner)], b.width, p, b.op,
			el.Round(time.Second), clip(l.msg, 90))
	case done:
		return fmt.Sprintf("%s %-*s %-8s %6s  %s%s", mark(l.result), b.width, p, b.op, l.took.Round(100*time.Millisecond), l.result, suffix(l.msg))
	}
	return fmt.Sprintf("· %-*s %-8s %6s  waiting", b.width, p, b.op, "")
}

func (b *Board) beat() {
	var busy []string
	for _, p := range b.order {
		l := b.lines[p]
		if l.state == running {
			busy = append(busy, fmt.Sprintf("%s (%s: %s)", p, time.Since(l.started).Round(time.Second), clip(l.msg, 60)))
		}
	}
	if len(busy) > 0 {
		sort.Strings(busy)
		fmt.Fprintf(b.w, "… still running: %s\n", strings.Join(busy, "; "))
	}
}

func mark(result string) string {
	switch {
	case result == "failed":
		return "✗"
	case strings.HasPrefix(result, "blocked"), result == "skipped":
		return "⊘"
	}
	return "✓"
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " · " + s
}

// clip returns s on one line of at most n runes (each rune is taken as one
// column: good enough for these lines), ending in "…" when cut. It never
// splits a rune, and its result is valid UTF-8 without control characters
// (newlines, tabs, escape sequences would break the redraw).
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r // invalid bytes come as utf8.RuneError: U+FFFD
		}, strings.ToValidUTF8(s, "\uFFFD"))
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, i := 0, 0
	for cut = range s {
		if i == n-1 {
			break
		}
		i++
	}
	return s[:cut] + "…"
}

// termWidth returns the number of columns of w: the size of the terminal when w
// is one, else $COLUMNS, else 100.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if n := termColumns(f); n > 0 {
			return n
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 100
}

// termColumns returns the width of the terminal f, or 0 when f is not one.
func termColumns(f *os.File) int {
	rc, err := f.SyscallConn() // unlike Fd, keeps f non-blocking
	if err != nil {
		return 0
	}
	cols := 0
	_ = rc.Control(func(fd uintptr) {
		if term.IsTerminal(int(fd)) {
			if w, _, err := term.GetSize(int(fd)); err == nil {
				cols = w
			}
		}
	})
	return cols
}
