package crossstack

import (
	"os"
	"path/filepath"
)

func writeFile(root, rel, src string) error {
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(src), 0o600)
}
