// Package problems collects configuration problems so that a program can
// report every missing or invalid key at once, each with the file it belongs
// in, the key, what is wrong and how to fix it.
package problems

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one invalid or missing configuration value.
type Problem struct {
	File string // file the key belongs in, relative to the repository root
	Key  string // key as written in that file, e.g. "dns:nodes[0].ips"
	Msg  string // what is wrong
	Fix  string // how to fix it
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(": ")
	}
	b.WriteString(p.Key)
	b.WriteString(": ")
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

// Add records a problem.
func (l *List) Add(file, key, msg, fix string) {
	l.items = append(l.items, Problem{File: file, Key: key, Msg: msg, Fix: fix})
}

// Addf records a problem with a formatted message.
func (l *List) Addf(file, key, fix, format string, args ...any) {
	l.Add(file, key, fmt.Sprintf(format, args...), fix)
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
// them all, sorted by file then key.
func (l *List) Err() error {
	if len(l.items) == 0 {
		return nil
	}
	items := append([]Problem(nil), l.items...)
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].File != items[j].File {
			return items[i].File < items[j].File
		}
		return items[i].Key < items[j].Key
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
