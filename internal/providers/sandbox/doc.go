// Package sandbox is a TEST DOUBLE of the clouds this repository deploys to.
// It serves fake Pulumi resource providers for the packages "cloudflare",
// "aiven" and "gcp", which the real Pulumi engine attaches to through
// PULUMI_DEBUG_PROVIDERS, and a fake of Cloudflare's Vectorize REST API for
// the real in-repo Vectorize provider (internal/providers/vectorize). The local
// environment ("env=local") and rehearsals use it so the real CLI, engine,
// file state backend, StackReferences and policy pack run on a laptop or in
// CI without credentials (docs/decisions/0040-sandbox-fake-providers.md).
// Real environments (dev, testing, staging, prod, personal) use the real
// providers; nothing here is ever deployed.
//
// # Serving
//
// Start serves each fake provider on a loopback port of its own
// (internal/providers/providerserver) and the fake Vectorize API
// (CloudflareAPIURL); DebugProviders returns "cloudflare:P,aiven:P,gcp:P",
// so the engine downloads no plugin. The fakes report the versions the
// SDKs pin (CloudflareVersion, AivenVersion, GCPVersion), so the engine
// prints no version warning. The servers outlive engine runs: every CLI run
// repeats Handshake, Attach and Configure and ends with Cancel, which does
// not stop them, and several CLIs use them at once, each with its own
// provider configuration (per connection, see providerserver). Close stops
// them; the cloud stays on disk. With WithRoot, Start also reads the
// repository: the cloudflare provider answers the getZone data source from
// the zones of environments/*.yaml (Zones), and an in-memory S3 server
// (ArtifactsURL) stands in for the artifact store of the Worker bundles,
// holding the placeholder bundle of every release the committed stack files
// pin (shared/artifacts).
//
// # Fidelity
//
// The fake fails where the real provider or API would fail, naming the
// property and the rule, and otherwise behaves like the real thing. It
// models only the resource types the projects use (twelve, plus the
// Vectorize index behind the fake REST API); any other type fails Check
// with "sandbox does not model TYPE", so a new resource type cannot pass
// locally unnoticed. Check enforces, for every property, what the real
// provider or API enforces: required properties (nested ones too, when
// their parent block is set), unknown properties, types, name formats and
// lengths (shared/naming), enums, ranges, Worker binding types and Kafka's
// value ranges per config key. Diff chooses replace or update per property
// as the real provider does (its ForceNew/RequiresReplace and plan
// modifiers). Create, Update and Delete enforce the cloud-level rules:
// unique names per account, service or project, one consumer per queue,
// references that must exist (only where the real API checks them), DNS
// identical-record and CNAME conflicts. IDs and import IDs are the real
// providers'. Every rule is derived from the providers' schemas and
// upstream code and cites it where it is declared; the team's own limits
// are policies, not sandbox rules. What the sandbox knowingly does
// differently is listed in docs/decisions/0043-sandbox-fidelity.md, and
// docs/local-environment.md tables the types, IDs and replace rules.
//
// Each resource type is a kind in a file of its own (cloudflare_dns.go,
// aiven_topic.go, gcp_pubsub_topic.go, …), with its tests next to it: its
// input fields (type, required, replace, computed, sticky, nested required
// paths) and the hooks of its cloud rules, which one skeleton (kind.go) runs
// in the same order for every type. Where the real API's create is an
// upsert (a PUT of the name: Worker scripts, cron triggers, R2 event
// notifications, IAM members), a create over an existing object overwrites
// it, as the API does, and records the take-over on the object
// (Object.TakenOver); Cloud.TakeOvers lists them for a rehearsal's report
// and Cloud.ClearTakeOvers resets them. SchemaOf describes each fake for the
// test that compares it with the provider SDKs (sdkdrift).
//
// # The cloud file
//
// Refresh, drift detection and import only mean something if the fake
// cloud outlives one engine run and is the same cloud for every process
// that looks at it: the orchestrator that serves the fakes, the tests that
// change it, another orchestrator run. So the cloud is a JSON file,
// <dir>/cloud.json (objects with type, key, ID, physical name and
// properties). Every operation is a read-modify-write under an exclusive
// flock on <dir>/cloud.lock (plus an in-process mutex), written through a
// temporary file and a rename, so concurrent processes never lose an update.
// Secrets, and Worker script contents (to keep the file small), are stored
// as SHA-256 hashes: cloud.json never holds a secret in plaintext. A read
// restores them from the resource's state when the hash matches; otherwise
// they read as placeholders, as from a real API that never returns them.
//
// Tests use the Go API on OpenCloud(dir): Objects and Find inspect the
// cloud, Put creates an out-of-band object (validated and completed by the
// rules of a create) to import, Seed does the same with the import ID a
// stack adopts it by, Mutate changes an object behind Pulumi's back (drift)
// and Remove deletes one. Faults live in <dir>/faults.json and are read on
// every operation, so a test can make a separate orchestrator process fail
// or slow down (SetFaults). See docs/local-environment.md.
package sandbox
