// Command policy-config prints the policy-config file of an environment:
// the enforcement level of every policy, from environments/<env>.yaml
// (policy.level and policy.overrides). Use it to run the pack by hand:
//
//	go run ./policies/cmd/policy-config staging > /tmp/policy-staging.json
//	pulumi preview --stack staging --policy-pack "$PWD/bin/policy-pack" --policy-pack-config /tmp/policy-staging.json
package main

import (
	"fmt"
	"os"

	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "policy-config: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: policy-config <environment>")
	}
	root, err := layout.Root()
	if err != nil {
		return err
	}
	s, err := environment.Load(root, args[0])
	if err != nil {
		return err
	}
	data, err := enforcement.ForSettings(s)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(data)
	return err
}
