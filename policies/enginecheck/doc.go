// Package enginecheck holds the test that runs the policy pack through the
// real Pulumi engine: it builds the pack binary, serves a fake provider for
// the aiven and cloudflare packages, and runs Automation API inline
// programs against a file backend with the policy-config file of package
// enforcement. It needs the Pulumi CLI named by INFRA_PULUMI and skips
// without it.
package enginecheck
