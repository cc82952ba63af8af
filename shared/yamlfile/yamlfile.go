// Package yamlfile decodes YAML strictly (unknown keys and duplicate keys are
// errors) and reports errors as "file:line:column: message", so that every
// YAML file of the repository fails the same clear way.
package yamlfile

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
)

// Error is a YAML error at a position in a file.
type Error struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrEmpty is wrapped by the error for a file with no YAML document.
var ErrEmpty = errors.New("file is empty")

// Decode strictly decodes data into v; file names the source in errors.
func Decode(file string, data []byte, v any) (err error) {
	if strings.TrimSpace(stripComments(string(data))) == "" {
		return fmt.Errorf("%s: %w: it must hold a YAML document", file, ErrEmpty)
	}
	// goccy/go-yaml v1.19.2 panics on some malformed documents (found by
	// fuzzing shared/topics); report them as errors instead.
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: file, Msg: fmt.Sprintf("cannot be parsed: the YAML decoder failed (%v); check the syntax", r)}
		}
	}()
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		return Wrap(file, err)
	}
	return nil
}

// Read reads file and decodes it with Decode.
func Read(file, display string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	return Decode(display, data, v)
}

// Wrap turns a go-yaml error into an *Error with the file and position.
func Wrap(file string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: file, Msg: ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	return &Error{File: file, Msg: err.Error()}
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
