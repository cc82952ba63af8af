// Command gen writes internal/offline/projects/programs.go from the
// folders under projects/ (package programtable). Run it with
// `go generate ./internal/offline/projects`.
package main

import (
	"fmt"
	"os"

	"github.com/clustera/infra/internal/offline/programtable"
	"github.com/clustera/infra/shared/layout"
)

func main() {
	root, err := layout.Root()
	if err == nil {
		err = programtable.Write(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "programtable:", err)
		os.Exit(1)
	}
}
