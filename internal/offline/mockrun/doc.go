// Package mockrun runs every project's Pulumi program under the SDK's mocks
// for one environment, in dependency order, the way the engine would run
// them one after the other: each consumer reads, through its
// StackReferences, exactly the contract outputs its upstreams exported in
// the same run. Nothing reaches a cloud or a state backend, and no Pulumi
// CLI is needed. It is the one runner of a set of programs under mocks
// (docs/decisions/0069-one-mock-runner.md); its users are the offline
// policy runner (policyrun, `infra-check policy`, go run mage.go policy),
// the cross-stack checks (internal/offline/crossstack), the Kafka topic
// audit (internal/offline/kafkaaudit, `infra-check kafka-audit`), the list
// of adopted resources (`infra-check imports`) and the contract tests of
// internal/offline/projects. Each program runs with shared/mocktest, the
// one mock monitor, which the projects' own tests (projects/*/program) use
// directly for one program.
//
// Run(env, opts) builds the graph from the projects' declared upstreams
// (internal/graph; Registry is every project of internal/offline/projects;
// Options.Only keeps the named projects and their transitive upstreams)
// and walks it with the orchestrator's walker (internal/engine/walk, one
// program at a time, in TopoSort order), running each project with
// mocktest.RunContract on its real Pulumi.<env>.yaml and the environment's
// settings. A consumer is fed
// (mocktest.Options.Upstreams) only the resolved exports of its declared
// upstreams in this run. Each ProjectResult records the resources the
// program registered, the names of its StackReferences, its exports, which
// of them are secrets, the contract keys a read found missing
// (MissingKeys: contracts.Read reads every key of the contract, so each
// absent key was read, whether or not the program uses it) and its error.
//
// ProjectResult.Status is the outcome in the walker's vocabulary
// (walk.Succeeded, walk.Failed, walk.Blocked). A program that fails (a
// configuration problem, a key missing from an upstream's contract, a
// panic) gets a *ProgramError on its project only; unless it panicked, the
// resources it registered before failing are still recorded. Its
// dependents are not run and get the walker's *walk.BlockedError, naming
// the failed projects that are the root cause; every other project still
// runs. Run itself fails only on an unknown environment, a malformed
// project list (a project without Deploy, or listed twice), an unknown
// name in Options.Only or a dependency cycle.
//
// Provider-computed outputs are added as the sandbox
// (internal/providers/sandbox) computes them on create, type by type: the
// same properties, defaults and derived values (a queue's queueId, a
// consumer's or an R2 event notification's queueName resolved across
// stacks from the cloudflare-storage contract, a DNS record's proxiable,
// the label copies of GCP resources, ...), so a program that reads them
// sees what it would see against the local environment.
// TestComputedOutputsMatchTheSandbox creates one object of every modelled
// type in a sandbox cloud and compares. IDs the sandbox equates with the
// resource ID (a D1 database's uuid, a queue's queueId) equal the ID the
// mocks assign (mocktest.Resource.ID), so the join between a consumer and
// another stack's queue works as in the engine;
// TestQueueOutputsJoinAcrossStacks checks it. Random
// values (consumer IDs, etags) are derived from the resource and time
// stamps come from Options.Now, so runs are reproducible.
//
// Invokes are answered offline as the sandbox answers them: the zone data
// source from the zones of the repository's environment files (a zone no
// environment file names is not found); any other function fails, naming
// it. The Worker bundles are not fetched: offline their code is unknown and
// only the pins are checked (projects/cloudflare-workers/config,
// FetchBundles).
//
// Options.Projects (a registry with a project replaced), Options.Feed
// (change what consumers are fed) and Options.Config (override stack keys
// per project) exist for tests.
package mockrun
