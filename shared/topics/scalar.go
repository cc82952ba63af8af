package topics

import (
	"regexp"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// scalar is one YAML value with the position it was written at, so every
// rule can name the line of the key it checks. Decoding never fails on the
// value itself: the rules judge it, so that every problem is reported.
type scalar struct {
	Value  string
	Line   int
	Column int
	Set    bool
	// NotScalar names the node type when the value is a list or mapping.
	NotScalar string
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (s *scalar) UnmarshalYAML(n ast.Node) error {
	s.Set = true
	s.Line, s.Column = position(n)
	switch v := n.(type) {
	case *ast.StringNode:
		s.Value = v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			s.Value = v.Value.Value
		}
	case ast.ScalarNode:
		if tk := n.GetToken(); tk != nil {
			s.Value = tk.Value
		}
	default:
		s.NotScalar = n.Type().String()
	}
	return nil
}

func position(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// entry is one item of the topics list.
type entry struct {
	Line, Column int
	fields
}

// fields are the keys a topic may set. Their YAML names follow the property
// names of the Aiven provider (camelCase).
type fields struct {
	Name              scalar `yaml:"name"`
	Description       scalar `yaml:"description"`
	Partitions        scalar `yaml:"partitions"`
	Replication       scalar `yaml:"replication"`
	RetentionMs       scalar `yaml:"retentionMs"`
	RetentionBytes    scalar `yaml:"retentionBytes"`
	MaxMessageBytes   scalar `yaml:"maxMessageBytes"`
	CompressionType   scalar `yaml:"compressionType"`
	CleanupPolicy     scalar `yaml:"cleanupPolicy"`
	MinInsyncReplicas scalar `yaml:"minInsyncReplicas"`
}

// Keys lists the keys a topic may set, in the order of the docs.
var Keys = []string{"name", "description", "partitions", "replication", "retentionMs", "retentionBytes",
	"maxMessageBytes", "compressionType", "cleanupPolicy", "minInsyncReplicas"}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (e *entry) UnmarshalYAML(n ast.Node) error {
	e.Line, e.Column = position(n)
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		e.Line, e.Column = position(m.Values[0].Key)
	}
	return yaml.NodeToValue(n, &e.fields, yaml.Strict())
}

// list is the value of the topics key.
type list struct {
	Line, Column int
	Items        []entry
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (l *list) UnmarshalYAML(n ast.Node) error {
	l.Line, l.Column = position(n)
	return yaml.NodeToValue(n, &l.Items, yaml.Strict())
}

// document is a whole topic file.
type document struct {
	Topics list `yaml:"topics"`
}

var (
	wholeNumber = regexp.MustCompile(`^[0-9]+$`)
	integer     = regexp.MustCompile(`^-?[0-9]+$`)
)

// parseWhole parses a whole number such as a partition count.
func parseWhole(s string) (int, bool) {
	if !wholeNumber.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseInteger parses an integer string such as a retention.
func parseInteger(s string) (int64, bool) {
	if !integer.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
