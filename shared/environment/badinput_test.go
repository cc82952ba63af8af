package environment

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
)

// committedEnvironments copies the repository's committedEnvironments environment files into a
// temporary root and returns it.
func committedEnvironments(t *testing.T) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(src, "environments", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no committedEnvironments environment files: %v", err)
	}
	root := t.TempDir()
	for _, d := range []string{"environments", "projects"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "environments", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// envLineOf returns the index of the line that sets the dotted key path in an
// environment file, found the way keyAt finds keys, or fails the test: a
// case whose key left the committedEnvironments file must be rewritten, not pass.
func envLineOf(t *testing.T, lines []string, path string) int {
	t.Helper()
	text := strings.Join(lines, "\n")
	for i := range lines {
		if p, _ := keyAt([]byte(text), i+1); p == path && keyLine.MatchString(lines[i]) {
			return i
		}
	}
	t.Fatalf("the committedEnvironments file sets no %s", path)
	return -1
}

// envMutation edits the text of an environment file.
type envMutation func(t *testing.T, s string) string

// setEnvValue writes value as the value of the dotted key.
func setEnvValue(path, value string) envMutation {
	return func(t *testing.T, s string) string {
		lines := strings.Split(s, "\n")
		i := envLineOf(t, lines, path)
		m := keyLine.FindStringSubmatch(lines[i])
		lines[i] = m[1] + m[2] + ": " + value
		return strings.Join(lines, "\n")
	}
}

// renameEnvKey spells the last part of the dotted key as name.
func renameEnvKey(path, name string) envMutation {
	return func(t *testing.T, s string) string {
		lines := strings.Split(s, "\n")
		i := envLineOf(t, lines, path)
		m := keyLine.FindStringSubmatch(lines[i])
		lines[i] = m[1] + name + strings.TrimPrefix(lines[i], m[1]+m[2])
		return strings.Join(lines, "\n")
	}
}

// insertEnvLine adds text (one or more lines, indented as written) after the
// line of the dotted key.
func insertEnvLine(path, text string) envMutation {
	return func(t *testing.T, s string) string {
		lines := strings.Split(s, "\n")
		i := envLineOf(t, lines, path)
		out := append(append(append([]string(nil), lines[:i+1]...), strings.Split(text, "\n")...), lines[i+1:]...)
		return strings.Join(out, "\n")
	}
}

// replaceEnvSection replaces a top-level section and its keys with text.
func replaceEnvSection(section, text string) envMutation {
	return func(t *testing.T, s string) string {
		lines := strings.Split(s, "\n")
		i := envLineOf(t, lines, section)
		j := i + 1
		for j < len(lines) && (strings.HasPrefix(lines[j], " ") || strings.TrimSpace(lines[j]) == "") {
			j++
		}
		out := append(append(append([]string(nil), lines[:i]...), text), lines[j:]...)
		return strings.Join(out, "\n")
	}
}

func appendEnvText(text string) envMutation {
	return func(_ *testing.T, s string) string { return strings.TrimRight(s, "\n") + "\n" + text + "\n" }
}

// badEnvironments is the corpus of bad environment files: each mutates a
// committedEnvironments file and must fail Load with exactly one problem that names the
// file, the key and the fix.
var badEnvironments = []struct {
	name   string
	env    string // the environment loaded
	file   string // the environment whose file is mutated; env when empty
	mutate envMutation
	key    string   // the problem's key
	want   []string // substrings of the message
}{
	{"unknown top-level key", "local", "", appendEnvText("colour: red"), "colour", []string{"unknown key", "fix: use the sections", "cloudflare", "aiven"}},
	{"a section's key at the top", "local", "", appendEnvText("region: europe-west1"), "region", []string{"unknown key", "did you mean gcp.region?"}},
	{"snake_case spelling", "local", "", renameEnvKey("aiven.kafkaService", "kafka_service"), "aiven.kafka_service", []string{"unknown key", "did you mean aiven.kafkaService?"}},
	{"wrong case", "local", "", renameEnvKey("cloudflare.accountId", "accountID"), "cloudflare.accountID", []string{"did you mean cloudflare.accountId?"}},
	{"typo in a key", "local", "", renameEnvKey("aiven.maxPartitions", "maxPartitons"), "aiven.maxPartitons", []string{"did you mean aiven.maxPartitions?"}},
	{"unknown key in a section", "local", "", insertEnvLine("gcp.region", "  zone: us-central1-a"), "gcp.zone", []string{"unknown key", "use one of gcp.project, gcp.region"}},
	{"account ID not hex", "local", "", setEnvValue("cloudflare.accountId", "not-an-account"), "cloudflare.accountId", []string{`"not-an-account" is not valid`, "fix: use the 32 lowercase hex characters"}},
	{"zone ID too short", "local", "", setEnvValue("cloudflare.zoneId", "abc123"), "cloudflare.zoneId", []string{`"abc123" is not valid`, "fix: use the 32 lowercase hex characters"}},
	{"zone name not a domain", "local", "", setEnvValue("cloudflare.zoneName", `"clustera test"`), "cloudflare.zoneName", []string{"is not valid", "fix: use a domain name such as clustera.io"}},
	{"negative broker count", "local", "", setEnvValue("aiven.brokers", "-1"), "aiven.brokers", []string{"must be at least 1, got -1", "fix: set the number of Kafka brokers"}},
	{"broker count in words", "local", "", setEnvValue("aiven.brokers", "three"), "aiven.brokers", []string{`"three" is not a whole number`, "fix: write a whole number such as 3"}},
	{"negative partition limit", "local", "", setEnvValue("aiven.maxPartitions", "-5"), "aiven.maxPartitions", []string{"must be at least 1, got -5", "fix: set the highest partition count"}},
	{"GCP project ID too short", "local", "", setEnvValue("gcp.project", "X"), "gcp.project", []string{`"X" is not valid`, "fix: use a project ID"}},
	{"GCP region", "local", "", setEnvValue("gcp.region", "mars"), "gcp.region", []string{`"mars" is not valid`, "fix: use a region such as us-central1"}},
	{"region as a list", "local", "", setEnvValue("gcp.region", "[us-central1]"), "gcp.region", []string{"must be a single value", "fix: write one value"}},
	{"section as a value", "local", "", replaceEnvSection("gcp", "gcp: clustera-control-plane"), "gcp", []string{"must be a section of keys", "fix: indent its keys below it: project, region"}},
	{"unknown policy level", "local", "", appendEnvText("policy:\n  level: strict"), "policy.level", []string{`unknown level "strict"`, "fix: use advisory, mandatory or disabled"}},
	{"unknown policy override level", "local", "", appendEnvText("policy:\n  overrides:\n    no-public-buckets: loud"), "policy.overrides.no-public-buckets", []string{`unknown level "loud"`, "fix: use advisory, mandatory or disabled"}},
	{"section twice", "local", "", appendEnvText("aiven:\n  brokers: 5"), "aiven", []string{"is set twice (first at line", "fix: keep one of the two"}},
	{"key twice", "local", "", insertEnvLine("aiven.brokers", "  brokers: 5"), "aiven.brokers", []string{"is set twice", "fix: keep one of the two"}},
	{"tab indentation", "local", "", insertEnvLine("gcp.region", "\tzone: x"), "gcp.zone", []string{"fix: check the YAML at this line", "no tabs"}},
	{"empty file", "local", "", func(_ *testing.T, s string) string { return "# nothing here yet\n" }, "(file)", []string{"is empty", "fix: write the environment's settings"}},
	{"extends an environment that does not exist", "steve1", "", setEnvValue("extends", "nosuch1"), "extends", []string{`"nosuch1" is not an environment: environments/nosuch1.yaml does not exist`, "fix: name an existing environment"}},
	{"extends a bad name", "steve1", "", setEnvValue("extends", "Dev"), "extends", []string{`"Dev" is not an environment`, "fix: name an existing environment"}},
	{"extends in a cycle", "steve1", "dev", func(t *testing.T, s string) string { return "extends: steve1\n" + s }, "extends", []string{"cycle", "fix: remove extends from one of the environments"}},
	{"prod with advisory policies", "prod", "", appendEnvText("policy:\n  level: advisory"), "policy.level", []string{"prod must enforce policies", "fix: remove the key or set it to mandatory"}},
}

func TestBadEnvironmentFiles(t *testing.T) {
	for _, c := range badEnvironments {
		t.Run(c.name, func(t *testing.T) {
			root := committedEnvironments(t)
			file := c.file
			if file == "" {
				file = c.env
			}
			path := filepath.Join(root, "environments", file+".yaml")
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Load(root, c.env); err != nil {
				t.Fatalf("the committedEnvironments %s does not load: %v", file, err)
			}
			mutated := c.mutate(t, string(orig))
			if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(root, c.env)
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want one problem of environments/%s.yaml", err, file)
			}
			if len(e.Problems) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(e.Problems), err)
			}
			p := e.Problems[0]
			msg := err.Error()
			t.Log(msg)
			if p.File != "environments/"+file+".yaml" || p.Key != c.key || p.Fix == "" || !strings.Contains(msg, "; fix: ") {
				t.Errorf("problem %+v: want file environments/%s.yaml, key %s and a fix", p, file, c.key)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

// The corpus covers every section of the environment files: a section added
// to Settings needs a bad input here too.
func TestBadEnvironmentCorpusCoversEverySection(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range badEnvironments {
		covered[strings.SplitN(c.key, ".", 2)[0]] = true
	}
	optional := regexp.MustCompile(`^(extends|description|pulumi|artifacts)$`)
	for _, s := range sectionKeys("") {
		if !covered[s] && !optional.MatchString(s) {
			t.Errorf("no bad input of section %s", s)
		}
	}
}
