// Package gobuild compiles the Cloudflare provider SDK on its own, first,
// with a garbage-collector setting that lowers the compiler's peak, before
// any other build needs it. The SDK
// (github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare) is one huge
// package (pulumi/pulumi-cloudflare#1652): with Go's defaults its compile
// peaks at about 16 GB; with Env, at about 12 GB. Its live heap alone
// passes 7 GB before the end, so no collector setting, nor -l or
// -dwarf=false, fits a 7 GB machine without swap (docs/ci.md, "Memory",
// and ADR 0013). Compiled once into the build cache, it is only read
// afterwards, and every later build (the projects, `go test`, the linkers)
// runs with the defaults and finds it there: the cache key does not
// depend on GOGC.
//
// The bootstrap (the orchestrator's project build), the test command
// (go run mage.go lint, the first step of test) and the generated workflow
// all go through CompileSDK or the same Env and Package.
package gobuild

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// Package is the SDK package that needs the low-memory compile.
const Package = "github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"

// Module is the module that holds Package; a project links the SDK when its
// go.mod requires it.
const Module = "github.com/pulumi/pulumi-cloudflare/sdk/v6"

// Env is what the SDK compile runs with: GOGC=25, so the compiler's heap
// grows to 1.25x what is live before a collection instead of 2x, at the
// cost of more collections (measured: 12.1 GB peak instead of 16.1 GB). No -p=1 is needed: `go build Package` compiles
// the SDK last, once all its dependencies are done, so nothing compiles
// next to it; the dependencies themselves still compile two at a time.
var Env = []string{"GOGC=25"}

// LinksSDK reports whether the module in dir requires the SDK.
func LinksSDK(dir string) (bool, error) {
	path := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("reading the module of %s: %w", dir, err)
	}
	mod, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return false, err
	}
	for _, r := range mod.Require {
		if r.Mod.Path == Module {
			return true, nil
		}
	}
	return false, nil
}

// Command returns the go command that compiles the SDK into the build
// cache, run from root (a module or workspace that requires it).
func Command(ctx context.Context, root string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", "build", Package)
	cmd.Dir = root
	cmd.Env = withEnv(os.Environ(), Env)
	return cmd
}

// CompileSDK compiles the SDK into the build cache with Env, from root. It
// costs a second when the cache already holds it; a cold compile takes
// minutes, announced on w.
func CompileSDK(ctx context.Context, root string, w io.Writer) error {
	start := time.Now()
	cmd := Command(ctx, root)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan struct{})
	go func() {
		// Announce a compile only when it is not a cache hit.
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			fmt.Fprintf(w, "build: compiling the Cloudflare SDK alone, low-memory settings (%s): minutes on a cold build cache\n", strings.Join(Env, " "))
		}
	}()
	err := cmd.Run()
	close(done)
	if err != nil {
		return fmt.Errorf("compiling the Cloudflare SDK (%s go build %s): %w\n%s", strings.Join(Env, " "), Package, err, out.String())
	}
	if d := time.Since(start); d > 3*time.Second {
		fmt.Fprintf(w, "build: compiled the Cloudflare SDK in %s\n", d.Round(time.Second))
	}
	return nil
}

// withEnv returns env with each KEY=value of set replacing any KEY already
// there.
func withEnv(env, set []string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		key, _, _ := strings.Cut(kv, "=")
		replaced := false
		for _, s := range set {
			if k, _, _ := strings.Cut(s, "="); k == key {
				replaced = true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}
