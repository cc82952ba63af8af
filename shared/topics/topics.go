package topics

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/yamlfile"
)

// FileName is the name of every topic file.
const FileName = "kafka-topics.yaml"

// Placeholder is replaced by the stack (environment) name, and NamePrefix
// starts every topic name.
const (
	Placeholder = "{stack}"
	NamePrefix  = Placeholder + "-"
)

// Durations and sizes used by the defaults, as Kafka config strings.
const (
	ThreeDaysMs    = "259200000"
	SevenDaysMs    = "604800000"
	Bytes25MiB     = "26214400"
	Bytes600MiB    = "629145600"
	Unlimited      = "-1"
	CompressSnappy = "snappy"
)

// Config holds the topic-level Kafka settings, as the strings the Aiven
// provider takes. An empty value leaves the service default. The comment of
// each field names its key in topic files.
type Config struct {
	RetentionMs          string // retention_ms
	RetentionBytes       string // retention_bytes
	MaxMessageBytes      string // max_message_bytes
	CompressionType      string // compression_type
	CleanupPolicy        string // cleanup_policy
	MinInsyncReplicas    string // min_insync_replicas
	DeleteRetentionMs    string // delete_retention_ms
	MinCompactionLagMs   string // min_compaction_lag_ms
	SegmentMs            string // segment_ms
	MessageTimestampType string // message_timestamp_type
}

// Settings are the settings of one topic. Zero values mean "not set".
type Settings struct {
	Partitions  int
	Replication int
	Config      Config
}

// overlay returns s with the set values of o.
func (s Settings) overlay(o Settings) Settings {
	num := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	num(&s.Partitions, o.Partitions)
	num(&s.Replication, o.Replication)
	str(&s.Config.RetentionMs, o.Config.RetentionMs)
	str(&s.Config.RetentionBytes, o.Config.RetentionBytes)
	str(&s.Config.MaxMessageBytes, o.Config.MaxMessageBytes)
	str(&s.Config.CompressionType, o.Config.CompressionType)
	str(&s.Config.CleanupPolicy, o.Config.CleanupPolicy)
	str(&s.Config.MinInsyncReplicas, o.Config.MinInsyncReplicas)
	str(&s.Config.DeleteRetentionMs, o.Config.DeleteRetentionMs)
	str(&s.Config.MinCompactionLagMs, o.Config.MinCompactionLagMs)
	str(&s.Config.SegmentMs, o.Config.SegmentMs)
	str(&s.Config.MessageTimestampType, o.Config.MessageTimestampType)
	return s
}

// PrefixSettings apply to the topics whose logical name starts with Prefix.
type PrefixSettings struct {
	Prefix   string
	Settings Settings
}

// Defaults are the settings of a group of topics. Each topic may override
// any of them.
type Defaults struct {
	// Group names the group in messages.
	Group string
	Settings
	// ByPrefix overlays Settings, in order, for matching logical names.
	ByPrefix []PrefixSettings
}

// For returns the default settings of a topic by its logical name.
func (d Defaults) For(logical string) Settings {
	s := d.Settings
	for _, p := range d.ByPrefix {
		if strings.HasPrefix(logical, p.Prefix) {
			s = s.overlay(p.Settings)
		}
	}
	return s
}

// DataPlane are the defaults of the data plane topics.
var DataPlane = Defaults{
	Group: "data plane",
	Settings: Settings{Partitions: 1, Replication: 3, Config: Config{
		RetentionMs: SevenDaysMs, MaxMessageBytes: Bytes25MiB, CompressionType: CompressSnappy,
	}},
}

// WorkerPrefix starts the logical name of every integration worker queue
// and its dead-letter topic.
const WorkerPrefix = "integrations-worker-"

// Integrations are the defaults of the integration topics. Worker queues
// (and their dead-letter topics) are also limited to 600 MiB per partition.
var Integrations = Defaults{
	Group: "integrations",
	Settings: Settings{Partitions: 1, Replication: 2, Config: Config{
		RetentionMs: ThreeDaysMs, MaxMessageBytes: Bytes25MiB, CompressionType: CompressSnappy,
	}},
	ByPrefix: []PrefixSettings{{Prefix: WorkerPrefix, Settings: Settings{Config: Config{RetentionBytes: Bytes600MiB}}}},
}

// MinReplication is the lowest replication factor Aiven accepts.
const MinReplication = 2

// Limits come from the environment settings (environments/<env>.yaml).
type Limits struct {
	MaxPartitions int    // aiven.maxPartitions
	Brokers       int    // aiven.brokers
	File          string // the environment file, for messages
}

// Options tune Load.
type Options struct {
	// Stack is the stack (environment) name that replaces {stack}.
	Stack    string
	Defaults Defaults
	Limits   Limits
	// Name returns the physical name of a logical topic name. Nil means
	// "<stack>-<logical>". Projects pass their naming.Namer here, so prod
	// name overrides apply.
	Name func(logical string) (string, error)
}

// Topic is one declared topic with its resolved settings.
type Topic struct {
	// Logical is the name without the "{stack}-" prefix, e.g. "runtime".
	Logical string
	// Name is the physical topic name, e.g. "dev-runtime".
	Name string
	// Description is optional free text (1 to 256 characters).
	Description string
	Settings
	// File, Line and Column locate the declaration (its first key).
	File   string
	Line   int
	Column int
}

// Source is the content of one topic file.
type Source struct {
	// File is the display path, relative to the repository root.
	File string
	Data []byte
}

// ReadSource reads a topic file; display is the path shown in messages.
func ReadSource(path, display string) (Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Source{}, fmt.Errorf("%s: %w", display, err)
	}
	return Source{File: display, Data: data}, nil
}

var (
	compressionTypes = []string{"gzip", "snappy", "lz4", "zstd", "uncompressed", "producer"}
	cleanupPolicies  = []string{"delete", "compact", "compact,delete"}
	timestampTypes   = []string{"CreateTime", "LogAppendTime"}
	unknownField     = regexp.MustCompile(`unknown field "([^"]*)"`)
	duplicateKey     = regexp.MustCompile(`mapping key "([^"]*)" already defined`)
)

// Load reads the topics of every source and resolves their settings. It
// returns a *problems.Error listing every problem, each at its file, line
// and column, or a plain error when opts are unusable.
func Load(sources []Source, opts Options) ([]Topic, error) {
	if opts.Stack == "" {
		return nil, errors.New("topics: Options.Stack is empty")
	}
	if opts.Limits.MaxPartitions < 1 || opts.Limits.Brokers < 1 {
		return nil, fmt.Errorf("topics: limits must be positive (maxPartitions %d, brokers %d)", opts.Limits.MaxPartitions, opts.Limits.Brokers)
	}
	if opts.Name == nil {
		stack := opts.Stack
		opts.Name = func(logical string) (string, error) {
			name := naming.Prefix(stack) + logical
			return name, naming.Validate(naming.KafkaTopic, name)
		}
	}
	l := loader{opts: opts, seen: map[string]seenAt{}}
	files := map[string]bool{}
	var out []Topic
	for _, src := range sources {
		if files[src.File] {
			return nil, fmt.Errorf("topics: file %s given twice", src.File)
		}
		files[src.File] = true
		out = append(out, l.file(src)...)
	}
	if err := l.problems.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// physicalKey prefixes physical names in loader.seen; it cannot start a
// logical name, which has no braces.
const physicalKey = "{physical}"

type seenAt struct {
	file string
	line int
}

type loader struct {
	opts     Options
	seen     map[string]seenAt
	problems problems.List
}

// at records a problem at the position of sc.
func (l *loader) at(file string, sc scalar, key, fix, format string, args ...any) {
	l.problems.AddAt(file, sc.Line, sc.Column, key, fmt.Sprintf(format, args...), fix)
}

func (l *loader) file(src Source) []Topic {
	var doc document
	if err := yamlfile.Decode(src.File, src.Data, &doc); err != nil {
		l.decodeError(src.File, err)
		return nil
	}
	if len(doc.Topics.Items) == 0 {
		line, col := doc.Topics.Line, doc.Topics.Column
		if line == 0 {
			line, col = 1, 1
		}
		l.problems.AddAt(src.File, line, col, "topics", "declares no topics",
			"list at least one topic under topics:, or delete the file")
		return nil
	}
	var out []Topic
	for i, e := range doc.Topics.Items {
		if t, ok := l.topic(src.File, i, e); ok {
			out = append(out, t)
		}
	}
	return out
}

func (l *loader) decodeError(file string, err error) {
	if errors.Is(err, yamlfile.ErrEmpty) {
		l.problems.Add(file, "topics", "the file is empty",
			"declare at least one topic under topics:, or delete the file")
		return
	}
	// Syntax and type errors carry the key "yaml" unless the message names
	// the key.
	var ye *yamlfile.Error
	if !errors.As(err, &ye) {
		l.problems.Add(file, "yaml", err.Error(), "")
		return
	}
	p := problems.Problem{File: file, Line: ye.Line, Column: ye.Column, Key: "yaml", Msg: ye.Msg, Fix: "check the YAML against docs/kafka.md"}
	if m := duplicateKey.FindStringSubmatch(ye.Msg); m != nil {
		p.Key, p.Fix = m[1], "keep one of the two"
	}
	if m := unknownField.FindStringSubmatch(ye.Msg); m != nil {
		p.Key, p.Msg, p.Fix = m[1], "unknown key", unknownKeyFix(m[1])
	}
	l.problems.AddProblem(p)
}

// unknownKeyFix is the fix of an unknown key: the key it most likely
// meant, or the list of keys.
func unknownKeyFix(key string) string {
	if s := suggest(key); s != "" {
		return "did you mean " + s + "? topic files spell keys in snake_case, as the old repository did (docs/kafka.md)"
	}
	return "use one of " + strings.Join(Keys, ", ") + " in a topic, and only topics: at the top"
}

// suggest returns the known key a misspelt key most likely meant, or "": the
// one it matches once case, '_', '-' and '.' are ignored, so that
// retentionMs, RetentionMs, retention-ms and Kafka's retention.ms all
// suggest retention_ms.
func suggest(key string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(s))
	}
	for _, k := range append([]string{"topics"}, Keys...) {
		if norm(k) == norm(key) && k != key {
			return k
		}
	}
	return ""
}

// intRule says which integer strings a Kafka setting takes.
type intRule struct {
	min       int64 // 1 for positive settings, 0 where Kafka accepts 0
	unlimited bool  // "-1" means unlimited
	example   string
}

var intRules = map[string]intRule{
	KeyRetentionMs:        {min: 1, unlimited: true, example: SevenDaysMs},
	KeyRetentionBytes:     {min: 1, unlimited: true, example: Bytes600MiB},
	KeyMaxMessageBytes:    {min: 1, example: Bytes25MiB},
	KeyMinInsyncReplicas:  {min: 1, example: "2"},
	KeyDeleteRetentionMs:  {min: 0, example: "86400000"},
	KeyMinCompactionLagMs: {min: 0, example: "0"},
	KeySegmentMs:          {min: 1, example: SevenDaysMs},
}

func (l *loader) topic(file string, i int, e entry) (Topic, bool) {
	key := func(k string) string { return fmt.Sprintf("topics[%d].%s", i, k) }
	ok := true
	bad := func(sc scalar, k, fix, format string, args ...any) {
		if sc.Line == 0 {
			sc.Line, sc.Column = e.Line, e.Column
		}
		l.at(file, sc, key(k), fix, format, args...)
		ok = false
	}
	for _, u := range e.unknown {
		bad(scalar{Line: u.Line, Column: u.Column}, u.Name, unknownKeyFix(u.Name), "unknown key")
	}
	// A list or mapping where a value belongs is reported, then treated as
	// unset so the other keys are still checked.
	for _, f := range e.byKey() {
		if f.sc.NotScalar != "" {
			bad(*f.sc, f.key, "write a single value", "must be a single value, not a %s", strings.ToLower(f.sc.NotScalar))
			line, col := f.sc.Line, f.sc.Column
			*f.sc = scalar{Line: line, Column: col}
		}
	}

	// Name.
	t := Topic{File: file, Line: e.Line, Column: e.Column}
	raw := e.Name.Value
	switch {
	case raw == "":
		bad(e.Name, KeyName, `name the topic "{stack}-<name>"`, "is missing")
	case !strings.HasPrefix(raw, NamePrefix):
		bad(e.Name, KeyName, fmt.Sprintf("write %q", NamePrefix+strings.TrimPrefix(raw, Placeholder)),
			"%q does not start with %q: every topic name carries the environment", raw, NamePrefix)
	case strings.ContainsAny(strings.TrimPrefix(raw, NamePrefix), "{}"):
		bad(e.Name, KeyName, "use {stack} only as the prefix", "%q has a placeholder or brace after the prefix", raw)
	default:
		t.Logical = strings.TrimPrefix(raw, NamePrefix)
		name, err := l.opts.Name(t.Logical)
		if err != nil {
			bad(e.Name, KeyName, "use letters, digits, '.', '_' and '-' only", "%v", err)
			break
		}
		t.Name = name
		if prev, dup := l.seen[t.Logical]; dup {
			bad(e.Name, KeyName, "rename or remove one of them",
				"topic %q is already declared at %s:%d", raw, prev.file, prev.line)
			break
		}
		if prev, dup := l.seen[physicalKey+name]; dup {
			bad(e.Name, KeyName, "change the name override so each topic keeps its own name",
				"topic %q has the physical name %q, like the topic declared at %s:%d", raw, name, prev.file, prev.line)
			break
		}
		at := seenAt{file: file, line: e.Name.Line}
		l.seen[t.Logical], l.seen[physicalKey+name] = at, at
	}

	if e.Description.Set {
		n := utf8.RuneCountInString(e.Description.Value)
		if n < 1 || n > 256 {
			bad(e.Description, KeyDescription, "write 1 to 256 characters, or remove the key", "is %d characters", n)
		}
		t.Description = e.Description.Value
	}

	// Settings: the group's defaults, overridden by the topic.
	def := l.opts.Defaults.For(t.Logical)
	var own Settings
	whole := func(sc scalar, k string, dst *int) {
		if !sc.Set {
			return
		}
		n, isNum := parseWhole(sc.Value)
		if !isNum {
			bad(sc, k, "write a whole number such as 3", "%q is not a whole number", sc.Value)
			return
		}
		if n == 0 {
			bad(sc, k, "use at least 1", "must be at least 1, got 0")
			return
		}
		*dst = n
	}
	whole(e.Partitions, KeyPartitions, &own.Partitions)
	whole(e.Replication, KeyReplication, &own.Replication)
	intString := func(sc scalar, k string, dst *string) {
		if !sc.Set {
			return
		}
		r := intRules[k]
		n, isInt := parseInteger(sc.Value)
		switch {
		case !isInt:
			fix := fmt.Sprintf("write an integer string such as %q", r.example)
			if r.unlimited {
				fix += ` or "-1" for unlimited`
			}
			bad(sc, k, fix, "%q is not an integer string", sc.Value)
		case r.unlimited && n == -1:
			*dst = sc.Value
		case n < r.min:
			fix, what := "use a positive value", "positive"
			if r.min == 0 {
				fix, what = "use 0 or more", "0 or more"
			}
			if r.unlimited {
				fix += `, or "-1" for unlimited`
			}
			bad(sc, k, fix, "must be %s, got %s", what, sc.Value)
		default:
			*dst = sc.Value
		}
	}
	intString(e.RetentionMs, KeyRetentionMs, &own.Config.RetentionMs)
	intString(e.RetentionBytes, KeyRetentionBytes, &own.Config.RetentionBytes)
	intString(e.MaxMessageBytes, KeyMaxMessageBytes, &own.Config.MaxMessageBytes)
	intString(e.MinInsyncReplicas, KeyMinInsyncReplicas, &own.Config.MinInsyncReplicas)
	intString(e.DeleteRetentionMs, KeyDeleteRetentionMs, &own.Config.DeleteRetentionMs)
	intString(e.MinCompactionLagMs, KeyMinCompactionLagMs, &own.Config.MinCompactionLagMs)
	intString(e.SegmentMs, KeySegmentMs, &own.Config.SegmentMs)
	oneOf := func(sc scalar, k string, allowed []string, dst *string) {
		if !sc.Set {
			return
		}
		for _, a := range allowed {
			if sc.Value == a {
				*dst = a
				return
			}
		}
		bad(sc, k, "use one of "+strings.Join(allowed, ", "), "%q is not supported", sc.Value)
	}
	oneOf(e.CompressionType, KeyCompressionType, compressionTypes, &own.Config.CompressionType)
	oneOf(e.CleanupPolicy, KeyCleanupPolicy, cleanupPolicies, &own.Config.CleanupPolicy)
	oneOf(e.MessageTimestampType, KeyMessageTimestampType, timestampTypes, &own.Config.MessageTimestampType)
	t.Settings = def.overlay(own)

	// Limits apply to the resolved values, defaults included.
	lim := l.opts.Limits
	origin := func(sc scalar) string {
		if sc.Set {
			return ""
		}
		return fmt.Sprintf(" (the default of the %s topics)", l.opts.Defaults.Group)
	}
	if t.Partitions < 1 {
		bad(e.Partitions, KeyPartitions, "set partitions", "has no value and the group has no default")
	}
	if t.Partitions > lim.MaxPartitions {
		bad(e.Partitions, KeyPartitions, fmt.Sprintf("use at most %d, or raise aiven.maxPartitions in %s if the service allows it", lim.MaxPartitions, lim.File),
			"%d is above the limit of %d partitions (aiven.maxPartitions in %s)%s", t.Partitions, lim.MaxPartitions, lim.File, origin(e.Partitions))
	}
	switch {
	case t.Replication < 1:
		bad(e.Replication, KeyReplication, "set replication", "has no value and the group has no default")
	case t.Replication < MinReplication:
		bad(e.Replication, KeyReplication, fmt.Sprintf("use at least %d", MinReplication),
			"%d is below %d: Aiven refuses replication factors below 2, to avoid losing data when a node fails%s", t.Replication, MinReplication, origin(e.Replication))
	}
	if t.Replication > lim.Brokers {
		bad(e.Replication, KeyReplication, fmt.Sprintf("use at most %d, the number of brokers (aiven.brokers in %s)", lim.Brokers, lim.File),
			"%d is above the %d brokers of the Kafka service%s", t.Replication, lim.Brokers, origin(e.Replication))
	}
	if mis := t.Config.MinInsyncReplicas; mis != "" && t.Replication >= 1 {
		if n, _ := parseInteger(mis); n >= int64(t.Replication) {
			bad(e.MinInsyncReplicas, KeyMinInsyncReplicas, fmt.Sprintf("use at most %d, below the topic's replication, or raise replication", t.Replication-1),
				"%s is not below the replication of %d: losing one broker would block every producer using acks=all", mis, t.Replication)
		}
	}
	return t, ok
}
