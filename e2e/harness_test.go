package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/layout"
)

var (
	infraBin  string // the orchestrator built for this test run
	pulumiBin string
	repoRoot  string
)

// noEngine is why every test skips, when the Pulumi CLI is not given.
var noEngine string

func TestMain(m *testing.M) {
	pulumiBin = os.Getenv("INFRA_PULUMI")
	if pulumiBin == "" {
		// Skip visibly, test by test; `go run mage.go test` fails when the
		// suite did not run (INFRA_E2E_MARKER stays empty).
		noEngine = "INFRA_PULUMI is not set: the end-to-end tests need the real Pulumi CLI (run `go run mage.go test`, which builds it and sets INFRA_PULUMI)"
		fmt.Println("e2e: SKIPPING every end-to-end test: " + noEngine)
		os.Exit(m.Run())
	}
	root, err := layout.Root()
	if err != nil {
		fmt.Println("e2e:", err)
		os.Exit(1)
	}
	repoRoot = root
	dir, err := os.MkdirTemp("", "e2e-bin-")
	if err != nil {
		fmt.Println("e2e:", err)
		os.Exit(1)
	}
	infraBin = filepath.Join(dir, "infra")
	build := exec.Command("go", "build", "-o", infraBin, "./cmd/infra")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Printf("e2e: building the orchestrator: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if marker := os.Getenv("INFRA_E2E_MARKER"); marker != "" {
		_ = os.WriteFile(marker, []byte(fmt.Sprintf("e2e ran with %s, exit %d\n", pulumiBin, code)), 0o644)
	}
	os.Exit(code)
}

// workspace is a private copy of the repository (a git repository of its
// own) with its own local state, so tests never touch the developer's.
type workspace struct {
	t    testing.TB
	root string
	// bin is the orchestrator this workspace runs; default infraBin.
	bin string
}

func newWorkspace(t testing.TB) *workspace {
	t.Helper()
	if noEngine != "" {
		t.Skip(noEngine)
	}
	root := t.TempDir()
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = repoRoot
	out, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if f == "" {
			continue
		}
		src := filepath.Join(repoRoot, f)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	w := &workspace{t: t, root: root}
	w.git("init", "-q", "-b", "main")
	w.git("add", "-A")
	w.git("-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-q", "-m", "snapshot")
	return w
}

func (w *workspace) git(args ...string) string {
	w.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = w.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (w *workspace) commit(msg string) {
	w.t.Helper()
	w.git("add", "-A")
	w.git("-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-q", "-m", msg)
}

// result is one orchestrator run.
type result struct {
	out    string
	code   int
	report *report.Report
	took   time.Duration
}

func (r result) row(project string) report.Row {
	for _, row := range r.report.Rows {
		if row.Project == project {
			return row
		}
	}
	return report.Row{}
}

var reportLine = regexp.MustCompile(`(?m)^report: (\S+)$`)

// infra runs the orchestrator in the workspace and loads its report.
func (w *workspace) infra(args ...string) result {
	w.t.Helper()
	cmd := w.command(args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	r := result{out: buf.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("infra %v: %v", args, err)
	}
	r.report = w.loadReport(r.out)
	w.t.Logf("infra %s → exit %d in %s", strings.Join(args, " "), r.code, r.took.Round(100*time.Millisecond))
	return r
}

func (w *workspace) command(args ...string) *exec.Cmd {
	bin := w.bin
	if bin == "" {
		bin = infraBin
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = w.root
	cmd.Env = append(os.Environ(), "INFRA_PULUMI="+pulumiBin, "INFRA_STATE_DIR=", "INFRA_ROOT=", "GITHUB_STEP_SUMMARY=")
	return cmd
}

func (w *workspace) loadReport(out string) *report.Report {
	m := reportLine.FindStringSubmatch(out)
	if m == nil {
		return nil
	}
	path := m[1]
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.root, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		w.t.Fatalf("report: %v", err)
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		w.t.Fatalf("report %s: %v", path, err)
	}
	return &rep
}

func (w *workspace) sandboxDir() string { return filepath.Join(w.root, ".state", "local", "sandbox") }

func (w *workspace) cloud() *sandbox.Cloud { return sandbox.OpenCloud(w.sandboxDir()) }

func (w *workspace) objects() []sandbox.Object {
	w.t.Helper()
	objs, err := w.cloud().Objects()
	if err != nil {
		w.t.Fatal(err)
	}
	return objs
}

// pulumi runs the real CLI against the workspace's local backend.
func (w *workspace) pulumi(project string, args ...string) (string, error) {
	cmd := exec.Command(pulumiBin, append([]string{"--non-interactive"}, args...)...)
	cmd.Dir = filepath.Join(w.root, "projects", project)
	state := filepath.Join(w.root, ".state", "local")
	cmd.Env = append(os.Environ(),
		"PULUMI_BACKEND_URL=file://"+filepath.Join(state, "backend"),
		"PULUMI_CONFIG_PASSPHRASE="+session.LocalPassphrase,
		"PULUMI_HOME="+filepath.Join(state, "home"),
		"PULUMI_SKIP_UPDATE_CHECK=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("pulumi %v: %v: %s", args, err, stderr.String())
	}
	return stdout.String(), nil
}

// deployment is the part of `pulumi stack export` the tests read.
type deployment struct {
	Version    int `json:"version"`
	Deployment struct {
		Resources []struct {
			URN     string         `json:"urn"`
			Type    string         `json:"type"`
			ID      string         `json:"id"`
			Custom  bool           `json:"custom"`
			Protect bool           `json:"protect"`
			Inputs  map[string]any `json:"inputs"`
			Outputs map[string]any `json:"outputs"`
		} `json:"resources"`
		PendingOperations []any `json:"pending_operations"`
	} `json:"deployment"`
}

func (w *workspace) export(project string) deployment {
	w.t.Helper()
	out, err := w.pulumi(project, "stack", "export", "--stack", "local")
	if err != nil {
		w.t.Fatal(err)
	}
	var d deployment
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		w.t.Fatalf("stack export of %s is not valid JSON: %v", project, err)
	}
	if d.Version < 3 {
		w.t.Fatalf("stack export of %s: version %d", project, d.Version)
	}
	return d
}

func (w *workspace) write(rel, content string) {
	w.t.Helper()
	path := filepath.Join(w.root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workspace) read(rel string) string {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.root, rel))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

// lockFiles lists Pulumi's stack lock files in the local backend.
func (w *workspace) lockFiles() []string {
	var out []string
	dir := filepath.Join(w.root, ".state", "local", "backend", ".pulumi", "locks")
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(path, ".json") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// proc is one process of /proc.
type proc struct {
	ppid     int
	rssPages int64
}

// procTable reads every process's parent and resident size from /proc.
func procTable() map[int]proc {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	out := map[int]proc{}
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(data)
		end := strings.LastIndexByte(s, ')') // the command name may hold spaces
		if end < 0 || end+2 >= len(s) {
			continue
		}
		f := strings.Fields(s[end+2:]) // f[0] is the state, f[1] the parent
		pid, err := strconv.Atoi(s[:strings.IndexByte(s, ' ')])
		if err != nil || len(f) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		rss, _ := strconv.ParseInt(f[21], 10, 64)
		out[pid] = proc{ppid: ppid, rssPages: rss}
	}
	return out
}

// descendants returns the pids of every process below pid.
func descendants(pid int) []int { return descendantsIn(procTable(), pid) }

func descendantsIn(procs map[int]proc, pid int) []int {
	children := map[int][]int{}
	for p, info := range procs {
		children[info.ppid] = append(children[info.ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
