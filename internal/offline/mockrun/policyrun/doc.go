// Package policyrun runs the policy pack's rules (policies/rules) offline:
// against every program of one environment executed under mocks
// (internal/offline/mockrun), with the environment's enforcement levels, plus
// the cross-stack checks (internal/offline/crossstack), which count as
// mandatory. It needs no Pulumi CLI, state backend or credentials.
// `infra-check policy -env X [-json]` (go run mage.go policy env=X) prints
// its report and exits with its ExitCode.
//
// Run loads environments/X.yaml, computes each policy's level with
// enforcement.Levels (the environment's default level and its overrides, as
// the engine gets them), runs every program with mockrun and the
// cross-stack checks over the result, then builds the report with
// Evaluate. For each project that was not blocked, the policies see
// mockview.Resources of what the program registered (also what a failed
// program registered before failing: the engine would have seen it), with
// the root stack resource carrying the stack file's configuration entries
// (stackfile.Entries, mockview.WithStackConfig) and, when the program ran,
// its exports as the stack's outputs (StackOutputs: secret exports wrapped
// as secrets; the mocks record no stack outputs); rules.Evaluate runs every
// policy over them with the default configuration. Blocked projects are not
// evaluated.
//
// A violation of a disabled policy is dropped; the others keep their level,
// mandatory first. Cross-stack findings are at CrossStackLevel, mandatory.
// The report's ExitCode is 1 when a mandatory violation or a cross-stack
// finding exists or a program failed or was blocked, else 0. Write prints
// it for people: per project its status ("ok", or the walker's "failed" or
// "blocked", mockrun's ProjectResult.Status) and violations (level, policy,
// resource, problem and fix) or the program's error, the cross-stack
// findings, a summary table and a verdict line; WriteJSON prints the same
// report as one JSON document.
package policyrun
