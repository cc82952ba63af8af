package yamlfile

import (
	"errors"
	"strings"
	"testing"
)

type doc struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
}

func TestDecodeOK(t *testing.T) {
	var d doc
	if err := Decode("x.yaml", []byte("name: a\ncount: 2\n"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "a" || d.Count != 2 {
		t.Fatalf("%+v", d)
	}
}

func TestUnknownKeyNamesLine(t *testing.T) {
	var d doc
	err := Decode("x.yaml", []byte("name: a\ncolour: red\n"), &d)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.File != "x.yaml" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "x.yaml:2:") || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("err = %v", err)
	}
}

func TestDuplicateKey(t *testing.T) {
	var d doc
	err := Decode("x.yaml", []byte("name: a\nname: b\n"), &d)
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:2:") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmptyFile(t *testing.T) {
	var d doc
	for _, in := range []string{"", "# only a comment\n\n", "---\n"} {
		if err := Decode("x.yaml", []byte(in), &d); !errors.Is(err, ErrEmpty) {
			t.Fatalf("Decode(%q) = %v, want ErrEmpty", in, err)
		}
	}
}

func TestTypeErrorHasPosition(t *testing.T) {
	var d doc
	err := Decode("x.yaml", []byte("name: a\ncount: many\n"), &d)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 {
		t.Fatalf("err = %#v", err)
	}
}

// TestMalformedDocumentIsAnError covers an input on which the YAML library
// panics (found by fuzzing the topic loader).
func TestMalformedDocumentIsAnError(t *testing.T) {
	var d struct {
		Topics []string `yaml:"topics"`
	}
	err := Decode("x.yaml", []byte("topics:\n !0000000 000000000000"), &d)
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml") {
		t.Fatalf("err = %v", err)
	}
}
