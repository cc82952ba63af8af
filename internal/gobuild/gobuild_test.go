package gobuild

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestLinksSDKReadsEachProjectsModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "projects", "*", "go.mod"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no project modules: %v", err)
	}
	linking := 0
	for _, m := range dirs {
		dir := filepath.Dir(m)
		got, err := LinksSDK(dir)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(m)
		if want := slices.Contains(strings.Fields(string(data)), Module); got != want {
			t.Errorf("%s: LinksSDK %v, want %v", dir, got, want)
		}
		if got {
			linking++
		}
	}
	if linking == 0 {
		t.Fatal("no project links the Cloudflare SDK: the low-memory compile would never run")
	}
	if _, err := LinksSDK(t.TempDir()); err == nil {
		t.Fatal("a folder without go.mod: no error")
	}
}

func TestCommandSetsTheLowMemoryEnv(t *testing.T) {
	t.Setenv("GOGC", "100")
	cmd := Command(t.Context(), "/repo")
	if cmd.Dir != "/repo" || !reflect.DeepEqual(cmd.Args, []string{"go", "build", Package}) {
		t.Fatalf("command %v in %s", cmd.Args, cmd.Dir)
	}
	count := map[string]int{}
	for _, kv := range cmd.Env {
		count[kv]++
	}
	for _, kv := range Env {
		if count[kv] != 1 {
			t.Errorf("%s set %d times", kv, count[kv])
		}
	}
	if count["GOGC=100"] != 0 {
		t.Errorf("the caller's GOGC survived: %v", cmd.Env)
	}
}
