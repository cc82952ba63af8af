package session

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
)

// TestLocalSaltIsThePassphrases decrypts the salt's check message with
// LocalPassphrase, as the CLI does before it accepts a stack file.
func TestLocalSaltIsThePassphrases(t *testing.T) {
	parts := strings.SplitN(LocalEncryptionSalt, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		t.Fatalf("LocalEncryptionSalt %q is not v1:<salt>:<check message>", LocalEncryptionSalt)
	}
	salt, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	msg, err := config.NewSymmetricCrypterFromPassphrase(LocalPassphrase, salt).DecryptValue(context.Background(), parts[2])
	if err != nil || msg != "pulumi" {
		t.Fatalf("LocalEncryptionSalt is not LocalPassphrase's: %q, %v", msg, err)
	}
}

// TestOneSaltPerEnvironment: the committed stack files of an environment
// carry one encryptionsalt or none, and the local ones carry
// LocalEncryptionSalt.
func TestOneSaltPerEnvironment(t *testing.T) {
	r := root(t)
	folders, err := layout.ProjectFolders(r)
	if err != nil {
		t.Fatal(err)
	}
	salts := map[string]map[string][]string{} // env -> salt -> files
	for _, folder := range folders {
		files, err := filepath.Glob(filepath.Join(r, "projects", folder, "Pulumi.*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			env := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
			if salts[env] == nil {
				salts[env] = map[string][]string{}
			}
			s := stackconfig.EncryptionSalt(data)
			salts[env][s] = append(salts[env][s], layout.Rel(r, f))
		}
	}
	if len(salts["local"]) == 0 {
		t.Fatal("no Pulumi.local.yaml found")
	}
	for env, bySalt := range salts {
		if env == "local" {
			for s, files := range bySalt {
				if s != LocalEncryptionSalt {
					t.Errorf("%s: encryptionsalt %q, want LocalEncryptionSalt (internal/engine/session/salt.go): set the line to encryptionsalt: %s", strings.Join(files, ", "), s, LocalEncryptionSalt)
				}
			}
			continue
		}
		if len(bySalt) > 1 {
			var groups []string
			for s, files := range bySalt {
				if s == "" {
					s = "(none)"
				}
				groups = append(groups, s+": "+strings.Join(files, ", "))
			}
			sort.Strings(groups)
			t.Errorf("env %s: its stack files carry %d different encryptionsalt lines; give them all one (docs/runbooks/rotate-secrets.md):\n  %s",
				env, len(bySalt), strings.Join(groups, "\n  "))
		}
	}
}

func TestRehearsalCopiesCarryTheLocalSalt(t *testing.T) {
	r := root(t)
	s := &Session{Root: r, Settings: &environment.Settings{Name: "staging"}, Rehearsal: true, EnvDir: t.TempDir()}
	project := "dns"
	dir, err := s.WorkDir(project)
	if err != nil {
		t.Fatal(err)
	}
	stackFile := filepath.Join(dir, "Pulumi.staging.yaml")
	data, err := os.ReadFile(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := stackconfig.EncryptionSalt(data); got != LocalEncryptionSalt {
		t.Fatalf("rehearsal copy carries salt %q, want LocalEncryptionSalt", got)
	}
	orig, err := stackconfig.Load(r, project, "staging")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := stackconfig.Parse(stackFile, project, data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cp.Keys(), ",") != strings.Join(orig.Keys(), ",") {
		t.Errorf("rehearsal copy keys %v, want the repository's %v", cp.Keys(), orig.Keys())
	}

	// A copy an earlier step left, with a salt of its own (a rehearsal
	// from before one salt per environment), is kept and gets the local salt.
	old := stackconfig.WithEncryptionSalt(data, "v1:b2xk:v1:x:y")
	old = append(old, "# kept\n"...)
	if err := os.WriteFile(stackFile, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WorkDir(project); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := stackconfig.EncryptionSalt(data); got != LocalEncryptionSalt || !strings.Contains(string(data), "# kept") {
		t.Fatalf("second step: salt %q, kept copy %v:\n%s", got, strings.Contains(string(data), "# kept"), data)
	}
}
