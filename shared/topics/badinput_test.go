package topics

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
)

// The corpus of bad topic files: each case mutates one of the repository's
// committed topic files and loads it the way its project does (with the
// limits of the committed environments/local.yaml), expecting exactly one
// problem that names the file, the key and the fix. The files, their first
// topic and the limits are read from the repository, so adding a topic or
// an integration changes nothing here.

// committedTopics is one group of committed topic files.
type committedTopics struct {
	defaults Defaults
	files    []string // display paths, relative to the root
	data     map[string]string
	limits   Limits
}

func loadCommitted(t *testing.T, defaults Defaults, pattern string) committedTopics {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	env, err := environment.Load(root, "local")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no committed topic files match %s: %v", pattern, err)
	}
	sort.Strings(paths)
	c := committedTopics{defaults: defaults, data: map[string]string{},
		limits: Limits{MaxPartitions: env.Aiven.MaxPartitions, Brokers: env.Aiven.Brokers, File: env.File}}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel := layout.Rel(root, p)
		c.files = append(c.files, rel)
		c.data[rel] = string(data)
	}
	return c
}

func (c committedTopics) load(data map[string]string) error {
	var srcs []Source
	for _, f := range c.files {
		srcs = append(srcs, Source{File: f, Data: []byte(data[f])})
	}
	_, err := Load(srcs, Options{Stack: "local", Defaults: c.defaults, Limits: c.limits})
	return err
}

var nameLine = regexp.MustCompile(`(?m)^(\s*)- name: *(.*)$`)

// firstTopic returns the indentation of the keys of a file's first topic
// and its name as written.
func firstTopic(t *testing.T, s string) (indent, name string) {
	t.Helper()
	m := nameLine.FindStringSubmatch(s)
	if m == nil {
		t.Fatal("the committed file declares no topic")
	}
	return m[1] + "  ", m[2]
}

// topicMutation edits the first file of the group (file 0) or another one.
type topicMutation func(t *testing.T, c committedTopics, data map[string]string) string

// addToFirst sets key: value lines in the first topic of the first file
// (replacing a key the topic already sets) and returns the key of the
// problem, topics[0].<key of the last line>.
func addToFirst(lines ...string) topicMutation {
	return func(t *testing.T, c committedTopics, data map[string]string) string {
		f := c.files[0]
		indent, _ := firstTopic(t, data[f])
		loc := nameLine.FindStringIndex(data[f])
		head, rest := data[f][:loc[1]], data[f][loc[1]:]
		block, tail := rest, ""
		if next := nameLine.FindStringIndex(rest); next != nil {
			block, tail = rest[:next[0]], rest[next[0]:]
		}
		var add strings.Builder
		for i, l := range lines {
			k, _, _ := strings.Cut(l, ":")
			own := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(indent+k) + `:.*$`)
			if i == 0 || !strings.HasPrefix(lines[i-1], k+":") {
				if own.MatchString(block) {
					block = own.ReplaceAllLiteralString(block, indent+l)
					continue
				}
			}
			add.WriteString("\n" + indent + l)
		}
		data[f] = head + add.String() + block + tail
		key, _, _ := strings.Cut(lines[len(lines)-1], ":")
		return "topics[0]." + key
	}
}

// withKey makes a mutation expect the problem at key.
func withKey(m topicMutation, key string) topicMutation {
	return func(t *testing.T, c committedTopics, data map[string]string) string {
		m(t, c, data)
		return key
	}
}

// setFirstName rewrites the name of the first topic of the first file.
func setFirstName(name func(orig string) string) topicMutation {
	return func(t *testing.T, c committedTopics, data map[string]string) string {
		f := c.files[0]
		m := nameLine.FindStringSubmatchIndex(data[f])
		if m == nil {
			t.Fatal("no topic")
		}
		orig := data[f][m[4]:m[5]]
		data[f] = data[f][:m[4]] + name(orig) + data[f][m[5]:]
		return "topics[0].name"
	}
}

// appendTopic appends a topic to file i of the group, with the first
// topic's name of file j, and returns the key of the new entry's name.
func appendDuplicate(i, j int) topicMutation {
	return func(t *testing.T, c committedTopics, data map[string]string) string {
		if i >= len(c.files) || j >= len(c.files) {
			t.Skipf("the group has %d files", len(c.files))
		}
		fi, fj := c.files[i], c.files[j]
		indent, name := firstTopic(t, data[fj])
		n := len(nameLine.FindAllString(data[fi], -1))
		data[fi] = strings.TrimRight(data[fi], "\n") + "\n" + strings.TrimSuffix(indent, "  ") + "- name: " + name + "\n"
		return fmt.Sprintf("topics[%d].name", n)
	}
}

func replaceFile(content string, key string) topicMutation {
	return func(_ *testing.T, c committedTopics, data map[string]string) string {
		data[c.files[0]] = content
		return key
	}
}

type badTopicCase struct {
	name   string
	group  string // "data-plane" or "integrations"
	mutate topicMutation
	file   int // index of the file the problem is in
	want   []string
}

func badTopicCases(dataPlane, integrations committedTopics) []badTopicCase {
	over := strconv.Itoa(dataPlane.limits.MaxPartitions + 1)
	brokersPlus := strconv.Itoa(dataPlane.limits.Brokers + 1)
	rep := strconv.Itoa(dataPlane.limits.Brokers)
	return []badTopicCase{
		{"camelCase key", "data-plane", addToFirst(`retentionMs: "259200000"`), 0, []string{"unknown key", "fix: did you mean retention_ms?"}},
		{"Kafka's dotted key", "integrations", addToFirst(`max.message.bytes: "1048576"`), 0, []string{"unknown key", "fix: did you mean max_message_bytes?"}},
		{"unknown key", "data-plane", addToFirst("colour: red"), 0, []string{"unknown key", "fix: use one of name, description, partitions"}},
		{"name without the stack prefix", "data-plane", setFirstName(func(o string) string { return strings.Replace(o, Placeholder+"-", "", 1) }), 0,
			[]string{`does not start with "{stack}-"`, `fix: write "{stack}-`}},
		{"placeholder after the prefix", "integrations", setFirstName(func(o string) string { return strings.Replace(o, NamePrefix, NamePrefix+NamePrefix, 1) }), 0,
			[]string{"has a placeholder or brace after the prefix", "fix: use {stack} only as the prefix"}},
		{"duplicate name in one file", "data-plane", appendDuplicate(0, 0), 0, []string{"is already declared at", "fix: rename or remove one of them"}},
		{"duplicate name across integrations", "integrations", appendDuplicate(1, 0), 1, []string{"is already declared at " + integrations.files[0], "fix: rename or remove one of them"}},
		{"zero partitions", "data-plane", addToFirst("partitions: 0"), 0, []string{"must be at least 1, got 0", "fix: use at least 1"}},
		{"partitions in words", "integrations", addToFirst("partitions: many"), 0, []string{`"many" is not a whole number`, "fix: write a whole number such as 3"}},
		{"partitions above the limit", "data-plane", addToFirst("partitions: " + over), 0,
			[]string{"is above the limit of", "aiven.maxPartitions in environments/local.yaml", "fix: use at most"}},
		{"partitions as a list", "data-plane", addToFirst("partitions: [1, 2]"), 0, []string{"must be a single value, not a sequence", "fix: write a single value"}},
		{"partitions twice", "data-plane", withKey(addToFirst("partitions: 2", "partitions: 3"), "partitions"), 0, []string{`already defined`, "fix: keep one of the two"}},
		{"replication below Aiven's minimum", "integrations", addToFirst("replication: 1"), 0, []string{"is below 2", "fix: use at least 2"}},
		{"replication above the brokers", "data-plane", addToFirst("replication: " + brokersPlus), 0,
			[]string{"brokers of the Kafka service", "fix: use at most " + rep + ", the number of brokers (aiven.brokers in environments/local.yaml)"}},
		{"retention as a duration", "data-plane", addToFirst(`retention_ms: "7d"`), 0, []string{`"7d" is not an integer string`, `fix: write an integer string such as "604800000" or "-1" for unlimited`}},
		{"negative retention bytes", "integrations", addToFirst(`retention_bytes: "-2"`), 0, []string{"must be positive, got -2", `fix: use a positive value, or "-1" for unlimited`}},
		{"unknown compression", "data-plane", addToFirst("compression_type: brotli"), 0, []string{`"brotli" is not supported`, "fix: use one of gzip, snappy"}},
		{"unknown cleanup policy", "integrations", addToFirst("cleanup_policy: forever"), 0, []string{`"forever" is not supported`, "fix: use one of delete, compact"}},
		{"unknown timestamp type", "data-plane", addToFirst("message_timestamp_type: Now"), 0, []string{`"Now" is not supported`, "fix: use one of CreateTime, LogAppendTime"}},
		{"min in-sync replicas not below the replication", "data-plane", addToFirst("replication: "+rep, `min_insync_replicas: "`+rep+`"`), 0,
			[]string{"is not below the replication of " + rep, "fix: use at most"}},
		{"description too long", "integrations", addToFirst("description: " + strings.Repeat("x", 257)), 0, []string{"is 257 characters", "fix: write 1 to 256 characters"}},
		{"empty file", "integrations", replaceFile("# nothing declared yet\n", "topics"), 0, []string{"the file is empty", "fix: declare at least one topic"}},
		{"no topics", "data-plane", replaceFile("topics: []\n", "topics"), 0, []string{"declares no topics", "fix: list at least one topic"}},
		{"misspelt top-level key", "integrations", func(t *testing.T, c committedTopics, data map[string]string) string {
			f := c.files[0]
			if !strings.Contains(data[f], "\ntopics:") {
				t.Fatalf("%s has no topics: line", f)
			}
			data[f] = strings.Replace(data[f], "\ntopics:", "\nTopics:", 1)
			return "Topics"
		}, 0, []string{"unknown key", "fix: did you mean topics?"}},
	}
}

func TestBadTopicFiles(t *testing.T) {
	groups := map[string]committedTopics{
		"data-plane":   loadCommitted(t, DataPlane, filepath.Join("projects", "kafka-data-plane", FileName)),
		"integrations": loadCommitted(t, Integrations, filepath.Join("projects", "kafka-integrations", "integrations", "*", FileName)),
	}
	for name, g := range groups {
		if err := g.load(g.data); err != nil {
			t.Fatalf("the committed %s topic files do not load: %v", name, err)
		}
	}
	for _, c := range badTopicCases(groups["data-plane"], groups["integrations"]) {
		t.Run(c.name, func(t *testing.T) {
			g := groups[c.group]
			data := map[string]string{}
			for k, v := range g.data {
				data[k] = v
			}
			key := c.mutate(t, g, data)
			err := g.load(data)
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want one problem", err)
			}
			if len(e.Problems) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(e.Problems), err)
			}
			p, msg := e.Problems[0], err.Error()
			t.Log(msg)
			if want := g.files[c.file]; p.File != want || p.Key != key || p.Fix == "" {
				t.Errorf("problem %+v: want file %s, key %s and a fix", p, want, key)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}
