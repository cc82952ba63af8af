package contracts_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
)

// RegistryProblems compares the registry with the folders under projects/:
// a folder without an entry, an entry without a folder.
func registryProblems(folders, registered []string) []string {
	var out []string
	for _, f := range folders {
		if !slices.Contains(registered, f) {
			out = append(out, fmt.Sprintf("projects/%s has a Pulumi.yaml but no entry in shared/contracts/registry.go; fix: add its contract type and {Contract: <Type>{}, Upstreams: ..., Credentials: ...} (docs/runbooks/add-project.md)", f))
		}
	}
	for _, r := range registered {
		if !slices.Contains(folders, r) {
			out = append(out, fmt.Sprintf("shared/contracts/registry.go has an entry for %s but there is no projects/%s/Pulumi.yaml; fix: add the folder or remove the entry", r, r))
		}
	}
	return out
}

func TestRegistryMatchesTheProjectFolders(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	folders, err := layout.ProjectFolders(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range registryProblems(folders, contracts.Projects) {
		t.Error(p)
	}
	for _, f := range folders {
		if _, err := layout.ProjectName(root, f); err != nil {
			t.Error(err)
		}
	}
}

func TestRegistryProblemsNameTheMissingSide(t *testing.T) {
	got := strings.Join(registryProblems([]string{"a", "new"}, []string{"a", "gone"}), "\n")
	for _, want := range []string{"projects/new has a Pulumi.yaml but no entry in shared/contracts/registry.go", "an entry for gone but there is no projects/gone/Pulumi.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	if p := registryProblems([]string{"a"}, []string{"a"}); len(p) != 0 {
		t.Errorf("problems for a match: %v", p)
	}
}

// Every other list is derived from the registry.
func TestRegistryDerivesTheLists(t *testing.T) {
	entries := contracts.Registry()
	var names []string
	credentials := []string{contracts.CredentialCloudflare, contracts.CredentialAiven, contracts.CredentialGCP,
		contracts.CredentialR2AccessKeyID, contracts.CredentialR2SecretAccessKey}
	for _, e := range entries {
		names = append(names, e.Name())
		if !contracts.IsProject(e.Name()) {
			t.Errorf("IsProject(%q) = false", e.Name())
		}
		if c, err := contracts.For(e.Name()); err != nil || c != e.Contract {
			t.Errorf("For(%q) = %v, %v", e.Name(), c, err)
		}
		if !slices.Equal(contracts.Upstreams(e.Name()), e.Upstreams) || !slices.Equal(contracts.Dependencies()[e.Name()], e.Upstreams) {
			t.Errorf("%s: Upstreams %v, Dependencies %v, entry %v", e.Name(), contracts.Upstreams(e.Name()), contracts.Dependencies()[e.Name()], e.Upstreams)
		}
		for _, u := range e.Upstreams {
			if !contracts.Declares(e.Name(), u) {
				t.Errorf("Declares(%q, %q) = false", e.Name(), u)
			}
		}
		if !slices.Equal(contracts.Credentials(e.Name()), e.Credentials) {
			t.Errorf("%s: Credentials %v, entry %v", e.Name(), contracts.Credentials(e.Name()), e.Credentials)
		}
		for _, c := range e.Credentials {
			if !slices.Contains(credentials, c) {
				t.Errorf("%s: credential %q is not one of the Credential constants", e.Name(), c)
			}
		}
	}
	if !sort.StringsAreSorted(names) || !slices.Equal(names, contracts.Projects) || len(contracts.Dependencies()) != len(names) {
		t.Fatalf("Registry %v, Projects %v", names, contracts.Projects)
	}
	// Registry returns copies.
	if len(entries[0].Credentials) > 0 {
		entries[0].Credentials[0] = "changed"
		if contracts.Registry()[0].Credentials[0] == "changed" {
			t.Error("Registry exposes the entries")
		}
	}
}
