// Package problems collects configuration problems so that a program can
// report every missing or invalid key at once, each with the file it belongs
// in (and the line and column, when the problem is at a place in the file),
// the key, what is wrong and how to fix it. It is the one multi-error type of
// the repository: stack configuration, environment files and Kafka topic
// files all report through it.
package problems

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one invalid or missing configuration value.
type Problem struct {
	File   string // file the key belongs in, relative to the repository root
	Line   int    // 1-based line in File; 0 when the problem is not at a line
	Column int    // 1-based column; 0 when unknown
	Key    string // key as written in that file, e.g. "dns:nodes[0].ips"
	Msg    string // what is wrong
	Fix    string // how to fix it
}

// Where returns "file:line:column", "file:line" when the column is unknown,
// or the file alone when the problem is not at a line.
func (p Problem) Where() string {
	switch {
	case p.Line <= 0:
		return p.File
	case p.Column <= 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

func (p Problem) String() string {
	var b strings.Builder
	if w := p.Where(); w != "" {
		b.WriteString(w)
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	if p.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(p.Fix)
	}
	return b.String()
}

// List accumulates problems. The zero value is ready to use.
type List struct {
	items []Problem
}

// Add records a problem of a file as a whole, or of a key that has no line
// (a stack configuration key).
func (l *List) Add(file, key, msg, fix string) {
	l.AddProblem(Problem{File: file, Key: key, Msg: msg, Fix: fix})
}

// Addf records a problem with a formatted message.
func (l *List) Addf(file, key, fix, format string, args ...any) {
	l.Add(file, key, fmt.Sprintf(format, args...), fix)
}

// AddAt records a problem at a line and column of a file.
func (l *List) AddAt(file string, line, column int, key, msg, fix string) {
	l.AddProblem(Problem{File: file, Line: line, Column: column, Key: key, Msg: msg, Fix: fix})
}

// AddProblem records p as it is.
func (l *List) AddProblem(p Problem) {
	l.items = append(l.items, p)
}

// Merge appends the problems of err when it is an *Error, and reports
// whether it was one.
func (l *List) Merge(err error) bool {
	if e, ok := err.(*Error); ok {
		l.items = append(l.items, e.Problems...)
		return true
	}
	return false
}

// Len returns the number of problems recorded.
func (l *List) Len() int { return len(l.items) }

// Err returns nil when no problem was recorded, otherwise an *Error holding
// them all, sorted by file, then line and column, then key.
func (l *List) Err() error {
	if len(l.items) == 0 {
		return nil
	}
	items := append([]Problem(nil), l.items...)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		}
		return a.Key < b.Key
	})
	return &Error{Problems: items}
}

// Error is the error of a configuration with one or more problems. With one
// problem it reads as one line.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}
