package session

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func open(t *testing.T, env string) (*Session, error) {
	t.Helper()
	return Open(context.Background(), Options{Root: root(t), Env: env, StateDir: t.TempDir()})
}

func TestLocalUsesAFileBackendInsideTheStateDir(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "s3://must-not-be-used")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "a real one")
	s, err := open(t, "local")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.BackendURL, "file://"+s.StateDir) {
		t.Fatalf("backend %s is not under %s", s.BackendURL, s.StateDir)
	}
	env := s.EnvVars()
	if env["PULUMI_CONFIG_PASSPHRASE"] != LocalPassphrase || env["PULUMI_BACKEND_URL"] != s.BackendURL {
		t.Fatalf("local env vars: %v", env)
	}
	if env["PULUMI_HOME"] != filepath.Join(s.StateDir, "local", "home") {
		t.Fatalf("PULUMI_HOME = %s", env["PULUMI_HOME"])
	}
	if _, err := os.Stat(filepath.Join(s.StateDir, "local", "backend")); err != nil {
		t.Fatal(err)
	}
}

func TestSharedEnvironmentsNeedABackend(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "")
	for _, env := range []string{"dev", "staging", "prod", "steve1"} {
		_, err := open(t, env)
		if err == nil || !strings.Contains(err.Error(), "needs PULUMI_BACKEND_URL") || !strings.Contains(err.Error(), "never falls back to local state") {
			t.Errorf("%s: err = %v", env, err)
		}
	}
}

func TestBackendRules(t *testing.T) {
	cases := []struct {
		env, url, pass, token string
		wantErr               string
	}{
		{"staging", "s3://bucket?endpoint=x&region=auto", "p", "", ""},
		{"staging", "s3://bucket?endpoint=x&region=auto", "", "", "needs PULUMI_CONFIG_PASSPHRASE"},
		{"staging", "https://api.pulumi.com", "", "tok", ""},
		{"staging", "https://api.pulumi.com", "", "", "needs PULUMI_ACCESS_TOKEN"},
		{"prod", "file:///tmp/state", "p", "", "refuses the local file backend"},
		{"dev", "file:///tmp/state", "p", "", ""},
		{"dev", "ftp://x", "p", "", "is not a backend URL"},
	}
	for _, c := range cases {
		t.Setenv("PULUMI_BACKEND_URL", c.url)
		t.Setenv("PULUMI_CONFIG_PASSPHRASE", c.pass)
		t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
		t.Setenv("PULUMI_ACCESS_TOKEN", c.token)
		s, err := open(t, c.env)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s %s: %v", c.env, c.url, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s %s: err = %v, want %q", c.env, c.url, err, c.wantErr)
		case err == nil && s.BackendURL != c.url:
			t.Errorf("%s: backend %s", c.env, s.BackendURL)
		}
	}
}

func TestUnknownEnvironment(t *testing.T) {
	if _, err := open(t, "Nope!"); !errors.Is(err, environment.ErrUnknown) {
		t.Fatalf("err = %v", err)
	}
}

func TestUsesPassphrase(t *testing.T) {
	for url, want := range map[string]bool{"file:///x": true, "s3://b": true, "https://api.pulumi.com": false} {
		if got := (&Session{BackendURL: url}).UsesPassphrase(); got != want {
			t.Errorf("%s: %v", url, got)
		}
	}
}

// TestSandboxOnlyInLocal checks that the test double never reaches a real
// environment: there the engine attaches only to the in-repo Vectorize
// provider and downloads the real cloudflare, aiven and gcp plugins.
func TestSandboxOnlyInLocal(t *testing.T) {
	t.Setenv("PULUMI_BACKEND_URL", "s3://bucket?endpoint=x&region=auto")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "p")
	for env, want := range map[string][]string{
		"staging": {"vectorize"},
		"prod":    {"vectorize"},
		"local":   {"cloudflare", "aiven", "gcp", "vectorize"},
	} {
		s, err := open(t, env)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.startProviders(context.Background(), io.Discard); err != nil {
			t.Fatal(err)
		}
		var pkgs []string
		for _, p := range strings.Split(s.EnvVars()["PULUMI_DEBUG_PROVIDERS"], ",") {
			pkgs = append(pkgs, strings.SplitN(p, ":", 2)[0])
		}
		if strings.Join(pkgs, ",") != strings.Join(want, ",") {
			t.Errorf("%s: PULUMI_DEBUG_PROVIDERS attaches %v, want %v", env, pkgs, want)
		}
		if (s.Sandbox() != nil) != (env == "local") {
			t.Errorf("%s: sandbox started = %v", env, s.Sandbox() != nil)
		}
		_, automatic := s.EnvVars()["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]
		if automatic != (env == "local") {
			t.Errorf("%s: plugin downloads disabled = %v", env, automatic)
		}
		s.Close()
	}
}
