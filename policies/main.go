// Command policies is the repository's CrossGuard policy pack. Build it and
// pass the binary's absolute path to the engine:
//
//	go build -o bin/policy-pack ./policies
//	pulumi preview --policy-pack "$PWD/bin/policy-pack" --policy-pack-config policy.json
//
// The engine starts the binary, which prints the port it serves the analyzer
// protocol on. See docs/policies.md.
package main

import (
	"fmt"
	"os"

	"github.com/clustera/infra/policies/pack"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

func main() {
	if err := policyx.Main(pack.New); err != nil {
		fmt.Fprintf(os.Stderr, "policy pack: %v\n", err)
		os.Exit(1)
	}
}
