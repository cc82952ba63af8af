// Package checks is the command table of bin/infra-check: the offline
// checks that run every project's program under mocks in one process (the
// policy rules with the cross-stack checks, the Kafka topic audit). They
// link every program, so they live apart from bin/infra, whose engine path
// runs each project in its own process.
package checks

import "github.com/clustera/infra/internal/cli"

// Commands is the command table of bin/infra-check.
func Commands() []cli.Command {
	return []cli.Command{
		{Name: "policy", Summary: "run the policy rules and cross-stack checks offline on every program under mocks (no CLI); exit 1 on a mandatory violation", Run: policyCmd},
		{Name: "imports", Summary: "list, as JSON, the objects each stack adopts (imports) with the inputs the code gives them (rehearsals seed them)", Run: importsCmd},
		{Name: "kafka-audit", Summary: "list Aiven Kafka topics no stack manages and managed topics that are missing (AIVEN_TOKEN); exit 1 on findings", Run: kafkaAuditCmd},
	}
}
