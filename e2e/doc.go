// Package e2e holds the end-to-end tests of the local environment: they run
// the orchestrator binary (bin/infra) as a user would, through the real
// Pulumi CLI and engine, the file state backend, real StackReferences and
// the real policy pack, against the in-process sandbox cloud. They need the
// Pulumi CLI in $INFRA_PULUMI (`go run mage.go test` sets it) and skip
// without it.
package e2e
