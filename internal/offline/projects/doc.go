// Package projects is the registry of the repository's Pulumi programs for
// the offline checks (bin/infra-check) and the tests that run every program
// under mocks in one process. The engine path never links it: there each
// project runs from its own binary (shared/stackrun).
//
// The table that links each program (programs.go) is generated from the
// folders under projects/ by `go generate ./internal/offline/projects`
// (internal/offline/programtable); the facts a folder cannot hold come from
// the project registry (shared/contracts/registry.go).
//
// All returns every project, sorted by name, each with its upstreams as
// shared/contracts declares them (contracts.Upstreams), its Program (what
// main.go runs), its Deploy (the resources and the contract, for the runs
// under mocks that need the resolved outputs) and its Validate (its one
// config.Load, without declaring anything). Get finds one by name, Graph is
// the dependency graph of all of them (graph.Projects), and ValidateConfig
// runs the config check of the named projects for one stack in this
// process, as each project's binary runs it for the orchestrator, returning
// every problem of every project in one error.
//
// The package's tests are the contract test of the registry: a change in one
// project that breaks another fails in go test, not in a deploy.
//
//   - The table equals contracts.Projects (a failure names the missing
//     entry or row and the fix), each project's upstreams equal
//     contracts.Upstreams, and each Deploy returns its project's contract
//     type.
//   - Every program runs under mocks (internal/offline/mockrun) for local,
//     staging and prod with the committed configuration, each consumer fed
//     only its producers' exports, and must run to the end with no contract
//     problem (crossstack.ContractReadsOf and ContractExportsOf): a
//     StackReference to an undeclared upstream or another environment, a
//     declared upstream never read, a key read but not exported, exports
//     that differ from the contract.
//   - Each Program runs for local with the exports of its upstreams and
//     registers as many resources as its Deploy.
//   - Negative tests: every key of every producer with consumers, dropped,
//     is reported for each consumer; dropping a used key fails the
//     consumer's run; a hand-made StackReference to dns, an upstream no
//     longer read and a wrong contract type are each reported; graph.New
//     names a cycle (gcp-gmail → kafka-integrations → kafka-data-plane →
//     gcp-gmail).
//   - ValidateConfig accepts the local environment and reports the problems
//     of several projects at once.
//
// Adding a project, an upstream or a contract key is covered without
// changing the tests.
package projects
