package workflow

import (
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/graph"
	"github.com/goccy/go-yaml"
)

// The model marshals in declaration and insertion order, with its comments,
// literal blocks for scripts and a blank line between jobs.
func TestMarshalSmallWorkflow(t *testing.T) {
	w := &Workflow{
		Name:        "x",
		On:          Triggers{WorkflowDispatch: &struct{}{}},
		Permissions: Map{{Key: "contents", Value: "read"}},
		Comments:    map[string]string{"permissions": "Read only."},
		Jobs: Jobs{
			{ID: "b", Name: "second in the alphabet, first here", RunsOn: Runner, TimeoutMinutes: 5,
				Env: Map{{Key: "Z", Value: "1"}, {Key: "A", Value: "2", Comment: "after Z"}},
				Steps: []*Step{{Name: "s", Uses: actionCheckout, With: Map{{Key: "fetch-depth", Value: 0}}},
					{Name: "r", Run: lines("echo one", "", "echo two")}}},
			{ID: "a", Name: "a", Needs: []string{"b"}, RunsOn: Runner, TimeoutMinutes: 5, Comment: "After b.",
				Steps: []*Step{{Name: "t", Run: "true"}}},
		},
	}
	got, err := w.Marshal("# header\n")
	if err != nil {
		t.Fatal(err)
	}
	want := `# header
name: x

"on":
  workflow_dispatch: {}

# Read only.
permissions:
  contents: read

jobs:
  b:
    name: second in the alphabet, first here
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    env:
      Z: "1"
      A: "2" # after Z
    steps:
      - name: s
        uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          fetch-depth: 0
      - name: r
        run: |
          echo one

          echo two

  # After b.
  a:
    name: a
    needs: [b]
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - name: t
        run: "true"
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Comments and blank lines change nothing a YAML reader sees: the generated
// files decode to the same data as the plain marshalled model.
func TestCommentsAndSpacingKeepTheData(t *testing.T) {
	g, err := graph.Projects()
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]*Workflow{"infra": Infra(g), "drift": Drift(g)} {
		plain, err := yaml.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		dressed, err := w.Marshal(header)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := yaml.Unmarshal(plain, &a); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(dressed, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the commented file decodes differently from the plain one", name)
		}
		if !strings.Contains(string(dressed), "# v7.0.1\n") {
			t.Errorf("%s: no version comment next to the pinned actions", name)
		}
		if strings.Contains(string(dressed), " \n") {
			t.Errorf("%s: trailing blanks", name)
		}
	}
}

func TestCommentLinesWrap(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, l := range commentLines(long + "\nshort") {
		if len(l) > commentWidth+1 {
			t.Errorf("line %q longer than %d", l, commentWidth)
		}
	}
	if got := commentLines("a\nb"); !reflect.DeepEqual(got, []string{" a", " b"}) {
		t.Errorf("commentLines = %q", got)
	}
}

func TestRepeatedJobID(t *testing.T) {
	w := &Workflow{Name: "x", Jobs: Jobs{{ID: "a"}, {ID: "a"}}}
	if _, err := w.Marshal(""); err == nil {
		t.Fatal("two jobs with one ID marshalled")
	}
}
