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

// keyAt is a key written in a topic entry that is not one of Keys.
type keyAt struct {
	Name         string
	Line, Column int
}

// entry is one item of the topics list.
type entry struct {
	Line, Column int
	fields
	// unknown are the keys of the entry that are not topic keys, in file
	// order; the loader reports each of them.
	unknown []keyAt
}

// fields are the keys a topic may set. Their YAML names are the snake_case
// names of the old repository's topic files and of the Kafka topic config
// of the Aiven provider (retention_ms, max_message_bytes, ...); see
// docs/decisions/0031-kafka-topic-files.md. Any other spelling, such as
// retentionMs, is an unknown key.
type fields struct {
	Name                 scalar `yaml:"name"`
	Description          scalar `yaml:"description"`
	Partitions           scalar `yaml:"partitions"`
	Replication          scalar `yaml:"replication"`
	RetentionMs          scalar `yaml:"retention_ms"`
	RetentionBytes       scalar `yaml:"retention_bytes"`
	MaxMessageBytes      scalar `yaml:"max_message_bytes"`
	CompressionType      scalar `yaml:"compression_type"`
	CleanupPolicy        scalar `yaml:"cleanup_policy"`
	MinInsyncReplicas    scalar `yaml:"min_insync_replicas"`
	DeleteRetentionMs    scalar `yaml:"delete_retention_ms"`
	MinCompactionLagMs   scalar `yaml:"min_compaction_lag_ms"`
	SegmentMs            scalar `yaml:"segment_ms"`
	MessageTimestampType scalar `yaml:"message_timestamp_type"`
}

// Keys of a topic entry, as written in topic files.
const (
	KeyName                 = "name"
	KeyDescription          = "description"
	KeyPartitions           = "partitions"
	KeyReplication          = "replication"
	KeyRetentionMs          = "retention_ms"
	KeyRetentionBytes       = "retention_bytes"
	KeyMaxMessageBytes      = "max_message_bytes"
	KeyCompressionType      = "compression_type"
	KeyCleanupPolicy        = "cleanup_policy"
	KeyMinInsyncReplicas    = "min_insync_replicas"
	KeyDeleteRetentionMs    = "delete_retention_ms"
	KeyMinCompactionLagMs   = "min_compaction_lag_ms"
	KeySegmentMs            = "segment_ms"
	KeyMessageTimestampType = "message_timestamp_type"
)

// field is one key of an entry with its value.
type field struct {
	key string
	sc  *scalar
}

// byKey returns every key of f with its value, in the order of Keys.
func (f *fields) byKey() []field {
	return []field{
		{KeyName, &f.Name}, {KeyDescription, &f.Description}, {KeyPartitions, &f.Partitions}, {KeyReplication, &f.Replication},
		{KeyRetentionMs, &f.RetentionMs}, {KeyRetentionBytes, &f.RetentionBytes}, {KeyMaxMessageBytes, &f.MaxMessageBytes},
		{KeyCompressionType, &f.CompressionType}, {KeyCleanupPolicy, &f.CleanupPolicy}, {KeyMinInsyncReplicas, &f.MinInsyncReplicas},
		{KeyDeleteRetentionMs, &f.DeleteRetentionMs}, {KeyMinCompactionLagMs, &f.MinCompactionLagMs}, {KeySegmentMs, &f.SegmentMs},
		{KeyMessageTimestampType, &f.MessageTimestampType},
	}
}

// Keys lists the keys a topic may set, in the order of the docs.
var Keys = func() []string {
	var out []string
	for _, f := range new(fields).byKey() {
		out = append(out, f.key)
	}
	return out
}()

var isKey = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range Keys {
		m[k] = true
	}
	return m
}()

// UnmarshalYAML implements yaml.NodeUnmarshaler. Unknown keys are recorded
// (every one of them, with its position) rather than failing the file, so
// the loader reports them together with the other problems of the file.
func (e *entry) UnmarshalYAML(n ast.Node) error {
	e.Line, e.Column = position(n)
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	}
	if len(pairs) > 0 {
		e.Line, e.Column = position(pairs[0].Key)
	}
	var unknown []keyAt
	for _, p := range pairs {
		k, ok := p.Key.(*ast.StringNode)
		if !ok {
			// A merge key, a tagged, anchored or non-string key: leave the
			// whole entry to the strict decoder.
			unknown = nil
			break
		}
		if !isKey[k.Value] {
			line, col := position(k)
			unknown = append(unknown, keyAt{Name: k.Value, Line: line, Column: col})
		}
	}
	if len(unknown) == 0 {
		return yaml.NodeToValue(n, &e.fields, yaml.Strict())
	}
	// Every key is a plain string and the unknown ones are recorded: the
	// known ones are decoded as usual (duplicate keys still fail).
	e.unknown = unknown
	return yaml.NodeToValue(n, &e.fields)
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
