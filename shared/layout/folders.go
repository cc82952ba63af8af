package layout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/clustera/infra/shared/yamlfile"
)

// ProjectFile is the Pulumi project file that makes a folder under
// projects/ a project.
const ProjectFile = "Pulumi.yaml"

// ProjectFolders returns the name of every folder under projects/ that
// holds a Pulumi.yaml, sorted: the projects as the repository's folders
// declare them, which the registry (shared/contracts) must match.
func ProjectFolders(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "projects"))
	if err != nil {
		return nil, fmt.Errorf("project folders: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "projects", e.Name(), ProjectFile)); err == nil {
			out = append(out, e.Name())
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("project folders: %w", err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ProjectName returns the name: of projects/<folder>/Pulumi.yaml, and an
// error naming the file when it is missing or differs from the folder's
// name (the engine, the stack references and the registry all use the
// folder's name).
func ProjectName(root, folder string) (string, error) {
	path := filepath.Join(ProjectDir(root, folder), ProjectFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("project %s: %w", folder, err)
	}
	var doc map[string]any
	if err := yamlfile.Decode(Rel(root, path), data, &doc); err != nil {
		return "", err
	}
	name, _ := doc["name"].(string)
	if name != folder {
		return "", fmt.Errorf("%s: name is %q; fix: set name: %s, the name of its folder", Rel(root, path), name, folder)
	}
	return name, nil
}
