package importcheck_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/importcheck"
	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/pulumicli"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/offline/projects"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
)

// copyRepo copies the repository's files (tracked and untracked, not
// ignored) into a temporary root, so the test never touches the real
// stack files or .state.
func copyRepo(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	src, err := layout.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := t.TempDir()
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			continue // deleted in the work tree
		}
		p := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func setImportTopics(t *testing.T, root string, logical []string) {
	t.Helper()
	path := layout.StackConfigFile(root, contracts.KafkaDataPlaneProject, "local")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "config:") || strings.HasPrefix(l, "  ") {
			continue
		}
		out = append(out, l)
	}
	text := strings.TrimRight(strings.Join(out, "\n"), "\n") + "\nconfig:\n  kafka-data-plane:importTopics:\n"
	for _, n := range logical {
		text += "    - " + n + "\n"
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The migration rehearsed locally: topics created out of band in the
// sandbox, import IDs in the local stack config, import-check before and
// after the deploy that adopts them, through the real engine.
func TestImportCheckThroughTheEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Pulumi engine")
	}
	wd, _ := os.Getwd()
	realRoot, _ := layout.FindRoot(wd)
	if os.Getenv(pulumicli.EnvCLI) == "" {
		if _, _, err := pulumicli.Find(realRoot); err != nil {
			t.Skipf("no Pulumi CLI (set %s or run go run mage.go cli): %v", pulumicli.EnvCLI, err)
		}
		cli, _, _ := pulumicli.Find(realRoot)
		t.Setenv(pulumicli.EnvCLI, cli)
	}
	root := copyRepo(t)
	t.Setenv(layout.EnvRoot, root)
	stateDir := filepath.Join(t.TempDir(), "state")
	cloud := sandbox.OpenCloud(filepath.Join(stateDir, "local", "sandbox"))
	ctx := context.Background()
	project := contracts.KafkaDataPlaneProject

	// What the code declares, to create the same topics out of band.
	p, err := projects.Get(project)
	if err != nil {
		t.Fatal(err)
	}
	declared, err := mocktest.Run(project, "local", p.Program, mocktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	topics := declared.OfType(aiven.KafkaTopicType)
	if len(topics) < 3 {
		t.Fatalf("only %d topics declared", len(topics))
	}
	var logical []string
	for _, r := range topics {
		logical = append(logical, r.Name)
	}
	sort.Strings(logical)

	check := func(allowCreate bool) (*importcheck.Result, string) {
		t.Helper()
		var out bytes.Buffer
		res, err := importcheck.Run(ctx, importcheck.Request{Root: root, StateDir: stateDir, Env: "local", Out: &out, AllowCreate: allowCreate})
		if err != nil {
			t.Fatalf("import-check: %v\n%s", err, out.String())
		}
		res.Write(&out)
		return res, out.String()
	}

	// 1. An import ID that names no object: the check fails.
	setImportTopics(t, root, logical[:1])
	res, out := check(false)
	if res.OK() || !strings.Contains(out, "the preview failed") {
		t.Fatalf("import of a missing topic passed:\n%s", out)
	}
	t.Logf("missing object:\n%s", tail(out, 6))

	// 2. Every topic exists out of band and is listed: only imports.
	for _, r := range topics {
		if _, err := cloud.Put(aiven.KafkaTopicType, r.Inputs.Mappable()); err != nil {
			t.Fatalf("creating %s out of band: %v", r.Name, err)
		}
	}
	setImportTopics(t, root, logical)
	res, out = check(false)
	if !res.OK() || res.Projects[0].Imports != len(topics) || res.Projects[0].Creates != 0 {
		t.Fatalf("all topics exist and are listed:\n%s", out)
	}
	t.Logf("all imports:\n%s", tail(out, 4))

	// 3. One topic differs from the code: the import would fail.
	victim := topics[0]
	if err := cloud.Mutate(aiven.KafkaTopicType, victim.String("project")+"/"+victim.String("serviceName")+"/"+victim.String("topicName"),
		func(props map[string]any) { props["topicDescription"] = "changed in the console" }); err != nil {
		t.Fatal(err)
	}
	res, out = check(false)
	if res.OK() || !strings.Contains(out, "import of KafkaTopic "+victim.Name+" would update the live object: it differs from the code in topicDescription") {
		t.Fatalf("a differing topic passed:\n%s", out)
	}
	t.Logf("differing object:\n%s", tail(out, 4))
	if err := cloud.Mutate(aiven.KafkaTopicType, victim.String("project")+"/"+victim.String("serviceName")+"/"+victim.String("topicName"),
		func(props map[string]any) { props["topicDescription"] = victim.String("topicDescription") }); err != nil {
		t.Fatal(err)
	}

	// 4. The deploy adopts them; the check then sees every topic unchanged.
	rep, err := orchestrate.Run(ctx, orchestrate.Request{Root: root, StateDir: stateDir, Env: "local", Op: runner.Deploy,
		Selection: orchestrate.Selection{Projects: []string{project}}, Out: &bytes.Buffer{}})
	if err != nil || rep.ExitCode != 0 {
		t.Fatalf("deploy: %v %+v", err, rep)
	}
	if objs, _ := cloud.Objects(); len(objs) != len(topics) {
		t.Fatalf("the deploy changed the number of objects: %d, want %d", len(objs), len(topics))
	}
	res, out = check(false)
	if !res.OK() || res.Projects[0].Imports != 0 || res.Projects[0].Same != len(topics) {
		t.Fatalf("after the deploy:\n%s", out)
	}
	t.Logf("after the deploy:\n%s", tail(out, 4))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
