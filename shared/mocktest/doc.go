// Package mocktest runs a project's Pulumi program under the SDK's mocks and
// records what it declared, so unit tests can assert the properties that
// matter: names per environment, bindings, settings, protection, imports and
// the StackReferences read. It reads the project's real Pulumi.<stack>.yaml,
// so tests exercise the committed configuration.
//
// It is the one mock monitor of the repository
// (docs/decisions/0069-one-mock-runner.md). Run runs one program;
// RunContract runs a project's Deploy and resolves its contract outputs
// (Result.Exports), which a dependent's run gets as Options.Upstreams, so
// its StackReferences read them (a reference to a stack without an entry
// fails as a missing stack does in the engine). Each registered resource is
// recorded as a Resource: type, logical name, inputs, outputs (the inputs
// plus Options.Computed), the ID the mocks assign, and its options
// (protect, retainOnDelete, import ID, parent, provider, dependencies).
// Invokes go to Options.Call.
//
// Its users:
//   - the projects' own tests (projects/*/program, shared/*), one program
//     at a time, the contract tests feeding an upstream's RunContract
//     exports to a consumer;
//   - internal/offline/mockrun, which runs a set of programs in graph order
//     with the orchestrator's walker (its statuses, its blocked
//     dependents) and serves the offline policy check, the cross-stack
//     checks, the Kafka audit and `infra-check imports`;
//   - shared/stackrun's config check (CheckConfigOf), which each project's
//     binary runs for the orchestrator: the program's config.Load with the
//     stack file's values, declaring nothing.
package mocktest
