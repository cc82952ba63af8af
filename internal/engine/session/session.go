// Package session prepares everything the engine needs to run the projects
// of one environment: the state backend and secrets settings, the Pulumi
// CLI, the policy pack and its per-environment config, and the in-process
// providers the engine attaches to. Bad input (an unknown environment, a
// shared environment without PULUMI_BACKEND_URL) fails here, before any
// stack is touched.
package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/clustera/infra/internal/engine/pulumicli"
	"github.com/clustera/infra/internal/engine/stamp"
	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/internal/providers/vectorize"
	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/pulumicmd"
	"golang.org/x/sync/errgroup"
)

// LocalPassphrase encrypts secrets of the local environment. It is fixed and
// documented on purpose: the local environment holds no real secret, and a
// fresh clone must work with no set-up. Never use it anywhere else.
const LocalPassphrase = "local-sandbox-passphrase-not-a-secret"

// Options select what a session needs.
type Options struct {
	Root string // repository root
	Env  string // environment (stack) name
	// StateDir holds local state, run logs and locks; default <root>/.state.
	StateDir string
	// Out receives notices (the CLI build, the sandbox).
	Out io.Writer
	// Engine is false for commands that never run the engine (graph,
	// affected): they skip the CLI, providers and policy pack.
	Engine bool
	// Policies is false to run without the policy pack.
	Policies bool
	// Rehearsal runs the environment's real configuration against the
	// sandbox, with its own state under StateDir/rehearsal/<env> and no
	// credentials (go run mage.go rehearse).
	Rehearsal bool
}

// Session is a prepared environment.
type Session struct {
	Root     string
	Settings *environment.Settings
	StateDir string
	// Rehearsal: the environment's configuration against the sandbox.
	Rehearsal bool
	// EnvDir is StateDir/<env>: the file backend (local only) and provider
	// state live here.
	EnvDir     string
	BackendURL string
	Cmd        *pulumicmd.Command
	PolicyPack string // absolute path of the pack binary; "" without policies
	// PolicyConfig is the JSON policy config of the environment.
	PolicyConfig []byte
	envVars      map[string]string
	closers      []func()
	sandbox      *sandbox.Sandbox

	policyOnce sync.Once
	policyPath string
	policyErr  error
}

// Open prepares a session. Close it when done.
func Open(ctx context.Context, o Options) (*Session, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	settings, err := environment.Load(o.Root, o.Env)
	if err != nil {
		return nil, err
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(o.Root, ".state")
	}
	envDir := filepath.Join(o.StateDir, o.Env)
	if o.Rehearsal {
		envDir = RehearsalDir(o.StateDir, o.Env)
	}
	s := &Session{Root: o.Root, Settings: settings, StateDir: o.StateDir, EnvDir: envDir, Rehearsal: o.Rehearsal,
		envVars: map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"}}
	setEngineGC(s.envVars)
	if err := s.resolveBackend(); err != nil {
		return nil, err
	}
	if !o.Engine {
		return s, nil
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	// The CLI, the policy pack and the providers are independent: prepare
	// them at the same time.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		path, v, err := pulumicli.Ensure(gctx, o.Root, o.Out)
		if err != nil {
			return err
		}
		s.Cmd = pulumicmd.NewCommand(path, v)
		return nil
	})
	if o.Policies {
		g.Go(func() error { return s.buildPolicyPack(gctx) })
	}
	g.Go(func() error { return s.startProviders(gctx, o.Out) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// IsLocal reports whether this is the local sandbox environment.
func (s *Session) IsLocal() bool { return s.Settings.Kind == environment.Local }

// Sandboxed reports whether the clouds are the sandbox: the local
// environment, and every rehearsal.
func (s *Session) Sandboxed() bool { return s.IsLocal() || s.Rehearsal }

// RehearsalDir is where a rehearsal of env keeps its state and sandbox.
func RehearsalDir(stateDir, env string) string { return filepath.Join(stateDir, "rehearsal", env) }

// resolveBackend applies the state backend rules: local uses a file
// backend inside the repository; every other environment needs an explicit
// PULUMI_BACKEND_URL and never falls back to local state.
func (s *Session) resolveBackend() error {
	if s.Sandboxed() {
		dir := filepath.Join(s.EnvDir, "backend")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("local state: %w", err)
		}
		s.BackendURL = "file://" + dir
		s.envVars["PULUMI_BACKEND_URL"] = s.BackendURL
		s.envVars["PULUMI_CONFIG_PASSPHRASE"] = LocalPassphrase
		s.envVars["PULUMI_CONFIG_PASSPHRASE_FILE"] = ""
		s.envVars["PULUMI_HOME"] = filepath.Join(s.EnvDir, "home")
		s.envVars["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
		return nil
	}
	url := os.Getenv("PULUMI_BACKEND_URL")
	if url == "" {
		hint := s.Settings.Pulumi.Backend
		if hint == "" {
			hint = "s3://<bucket>?endpoint=<account>.r2.cloudflarestorage.com&region=auto"
		}
		return fmt.Errorf("env %s needs PULUMI_BACKEND_URL: export PULUMI_BACKEND_URL='%s' (plus AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for R2), or https://api.pulumi.com with PULUMI_ACCESS_TOKEN; a shared environment never falls back to local state", s.Settings.Name, hint)
	}
	switch {
	case strings.HasPrefix(url, "file://"):
		if s.Settings.IsProd() {
			return fmt.Errorf("env prod refuses the local file backend %s: prod state lives in the shared backend only", url)
		}
		if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
			return fmt.Errorf("env %s uses a file backend and needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to encrypt secrets", s.Settings.Name)
		}
	case strings.HasPrefix(url, "s3://"), strings.HasPrefix(url, "gs://"), strings.HasPrefix(url, "azblob://"):
		if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
			return fmt.Errorf("env %s uses the %s backend and needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to encrypt secrets", s.Settings.Name, strings.SplitN(url, ":", 2)[0])
		}
	case strings.HasPrefix(url, "https://"), strings.HasPrefix(url, "http://"):
		if os.Getenv("PULUMI_ACCESS_TOKEN") == "" {
			return fmt.Errorf("env %s uses Pulumi Cloud (%s) and needs PULUMI_ACCESS_TOKEN", s.Settings.Name, url)
		}
	default:
		return fmt.Errorf("PULUMI_BACKEND_URL=%q is not a backend URL (use s3://, gs://, azblob://, file:// or https://)", url)
	}
	s.BackendURL = url
	s.envVars["PULUMI_BACKEND_URL"] = url
	return nil
}

// UsesPassphrase reports whether stacks encrypt secrets with a passphrase
// (every backend but Pulumi Cloud).
func (s *Session) UsesPassphrase() bool {
	return !strings.HasPrefix(s.BackendURL, "https://") && !strings.HasPrefix(s.BackendURL, "http://")
}

func (s *Session) buildPolicyPack(ctx context.Context) error {
	out := filepath.Join(s.Root, "bin", "policy-pack")
	st, stErr := stamp.Of(s.Root, stamp.SourceDirs, stamp.RootFiles)
	if stErr != nil || !stamp.Fresh(out, st) {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/clustera/infra/policies")
		cmd.Dir = s.Root
		if b, err := cmd.CombinedOutput(); err != nil {
			stamp.Clear(out)
			return fmt.Errorf("building the policy pack (policies/): %w\n%s", err, b)
		}
		if stErr == nil {
			_ = stamp.Save(out, st)
		}
	}
	cfg, err := enforcement.Config(s.Settings.Name, s.Settings.PolicyLevel(), s.Settings.Policy.Overrides)
	if err != nil {
		return fmt.Errorf("policy config of %s: %w", s.Settings.File, err)
	}
	s.PolicyPack, s.PolicyConfig = out, cfg
	return nil
}

// PolicyConfigFile writes the policy config once into dir and returns its
// path.
func (s *Session) PolicyConfigFile(dir string) (string, error) {
	s.policyOnce.Do(func() {
		s.policyPath = filepath.Join(dir, "policy-config.json")
		s.policyErr = os.WriteFile(s.policyPath, s.PolicyConfig, 0o644)
	})
	return s.policyPath, s.policyErr
}

// startProviders serves the in-repo Vectorize provider in every environment
// and, in the local environment only, the sandbox providers that stand in
// for Cloudflare, Aiven and GCP.
func (s *Session) startProviders(ctx context.Context, out io.Writer) error {
	var debug []string
	opts := vectorize.Options{Token: os.Getenv("CLOUDFLARE_API_TOKEN")}
	if s.Sandboxed() {
		sb, err := sandbox.Start(ctx, filepath.Join(s.EnvDir, "sandbox"), sandbox.WithRoot(s.Root))
		if err != nil {
			return fmt.Errorf("starting the local sandbox: %w", err)
		}
		s.sandbox = sb
		s.closers = append(s.closers, func() { _ = sb.Close() })
		debug = append(debug, sb.DebugProviders())
		opts.BaseURL, opts.Token = sb.CloudflareAPIURL(), "local-sandbox-token"
		// The Worker bundles come from the sandbox's artifact store, not
		// the R2 bucket of the environment file (shared/artifacts).
		s.envVars[artifacts.EnvEndpoint] = sb.ArtifactsURL()
		s.envVars[artifacts.EnvAccessKeyID] = sandbox.ArtifactsAccessKeyID
		s.envVars[artifacts.EnvSecretAccessKey] = sandbox.ArtifactsSecretAccessKey
	} else {
		// A real environment reads the store of its environment file: a
		// variable left in the shell by `go run mage.go sandbox` must not
		// redirect it (the pins' hashes would catch other code, not the
		// wrong store).
		for _, k := range []string{artifacts.EnvEndpoint, artifacts.EnvAccessKeyID, artifacts.EnvSecretAccessKey} {
			s.envVars[k] = ""
		}
	}
	port, stop, err := providerserver.Serve(vectorize.NewProvider(opts))
	if err != nil {
		return fmt.Errorf("serving the vectorize provider: %w", err)
	}
	s.closers = append(s.closers, stop)
	debug = append(debug, "vectorize:"+strconv.Itoa(port))
	s.envVars["PULUMI_DEBUG_PROVIDERS"] = strings.Join(debug, ",")
	return nil
}

// Sandbox returns the local sandbox, or nil outside the local environment.
func (s *Session) Sandbox() *sandbox.Sandbox { return s.sandbox }

// EnvVars returns the variables every CLI run of this session gets.
func (s *Session) EnvVars() map[string]string {
	out := make(map[string]string, len(s.envVars))
	for k, v := range s.envVars {
		out[k] = v
	}
	return out
}

// EnvList returns EnvVars as KEY=VALUE pairs.
func (s *Session) EnvList() []string {
	var out []string
	for k, v := range s.envVars {
		out = append(out, k+"="+v)
	}
	return out
}

// ProjectDir returns the folder of a project.
func (s *Session) ProjectDir(project string) string { return layout.ProjectDir(s.Root, project) }

// WorkDir returns the folder the CLI runs a project's stack in: the project
// folder, or for a rehearsal a copy of its Pulumi.yaml and
// Pulumi.<env>.yaml under the rehearsal's state. The CLI writes into the
// stack file (it drops the comments), so a rehearsal must never run in the
// repository's own folder; its copy of the stack file carries the local salt
// (LocalEncryptionSalt). Programs still read the repository's files
// (INFRA_ROOT).
func (s *Session) WorkDir(project string) (string, error) {
	if !s.Rehearsal {
		return s.ProjectDir(project), nil
	}
	dir := filepath.Join(s.EnvDir, "projects", project)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	stackFile := "Pulumi." + s.Settings.Name + ".yaml"
	for _, name := range []string{"Pulumi.yaml", stackFile} {
		dst, src := filepath.Join(dir, name), filepath.Join(s.ProjectDir(project), name)
		if _, err := os.Stat(dst); err == nil {
			src = dst // written by an earlier step of this rehearsal: keep it
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return "", fmt.Errorf("rehearsal of %s: %w", project, err)
		}
		if name == stackFile {
			data = rehearsalStackFile(data)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Close stops the providers.
func (s *Session) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}
