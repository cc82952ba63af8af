package topics

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/problems"
)

// Issue is one problem in a topic file, at a line and key.
type Issue struct {
	File   string // display path of the file, relative to the repository root
	Line   int    // 1-based; 0 when the problem is the file as a whole
	Column int
	Key    string // key path such as "topics[2].partitions"; may be empty
	Msg    string
	Fix    string
}

// Where returns "file:line:column", or the file alone when there is no line.
func (i Issue) Where() string {
	if i.Line <= 0 {
		return i.File
	}
	return fmt.Sprintf("%s:%d:%d", i.File, i.Line, i.Column)
}

func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.Where())
	b.WriteString(": ")
	if i.Key != "" {
		b.WriteString(i.Key)
		b.WriteString(": ")
	}
	b.WriteString(i.Msg)
	if i.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(i.Fix)
	}
	return b.String()
}

// Error reports every problem found in a set of topic files.
type Error struct {
	Issues []Issue
}

func (e *Error) Error() string {
	if len(e.Issues) == 1 {
		return "invalid Kafka topic file: " + e.Issues[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid Kafka topic files (%d problems):", len(e.Issues))
	for _, i := range e.Issues {
		b.WriteString("\n  - ")
		b.WriteString(i.String())
	}
	return b.String()
}

// Problems returns the issues as configuration problems, so a project's
// config.Load can report them together with its other problems. The file of
// each problem carries the line and column.
func (e *Error) Problems() *problems.Error {
	var list problems.List
	for _, i := range e.Issues {
		list.Add(i.Where(), i.Key, i.Msg, i.Fix)
	}
	return list.Err().(*problems.Error)
}

// issues collects issues in the order of the files, then lines.
type issues struct {
	order map[string]int
	items []Issue
}

func (s *issues) add(i Issue) { s.items = append(s.items, i) }

func (s *issues) at(file string, sc scalar, key, fix, format string, args ...any) {
	s.add(Issue{File: file, Line: sc.Line, Column: sc.Column, Key: key, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

func (s *issues) err() error {
	if len(s.items) == 0 {
		return nil
	}
	items := append([]Issue(nil), s.items...)
	sort.SliceStable(items, func(a, b int) bool {
		x, y := items[a], items[b]
		if x.File != y.File {
			return s.order[x.File] < s.order[y.File]
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		return x.Column < y.Column
	})
	return &Error{Issues: items}
}
