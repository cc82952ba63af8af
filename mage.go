//go:build ignore

// Zero-install entry point: `go run mage.go <target>` works on a machine
// with nothing but Go. Where mage is installed, `mage <target>` does the same.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
