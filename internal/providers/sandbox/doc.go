// Package sandbox is a TEST DOUBLE of the clouds this repository deploys to.
// It serves fake Pulumi resource providers for the packages "cloudflare",
// "aiven" and "gcp", which the real Pulumi engine attaches to through
// PULUMI_DEBUG_PROVIDERS, and a fake of Cloudflare's Vectorize REST API for
// the real in-repo Vectorize provider (internal/providers/vectorize). The local
// environment ("env=local") uses it so the real CLI, engine, file state
// backend, StackReferences and policy pack run on a laptop or in CI without
// credentials. Real environments (dev, testing, staging, prod, personal) use
// the real providers; nothing here is ever deployed.
//
// The fake is meant to be faithful where it matters to the programs: it
// models only the resource types the projects use, reports the provider
// versions the SDKs pin, validates inputs in Check by the rules the real
// provider or API enforces, chooses replace or update per property as the
// real provider does, enforces cloud-level rules (unique names, references
// that must exist, one consumer per queue) in Create/Update/Delete, and
// returns the IDs the real providers return. Every rule is derived from the
// providers' schemas and upstream code, cited where it is declared
// (docs/decisions/0043-sandbox-fidelity.md).
//
// Each resource type is a kind in a file of its own (cloudflare_dns.go,
// aiven_topic.go, gcp_pubsub_topic.go, …): its input fields and the hooks
// of its cloud rules, which one skeleton (kind.go) runs for every type.
// Where the real API's create is an upsert (a PUT of the name: Worker
// scripts, cron triggers, R2 event notifications, IAM members), a create
// over an existing object overwrites it, as the API does, and records the
// take-over on the object (Cloud.TakeOvers). SchemaOf describes each fake
// for the test that compares it with the provider SDKs (sdkdrift).
//
// Its "cloud" is a JSON file, <dir>/cloud.json, read and written under an
// exclusive file lock, so refresh, drift detection and import work across
// runs and processes. Tests inject faults through <dir>/faults.json
// (SetFaults), change objects behind Pulumi's back (Cloud.Mutate), create
// out-of-band objects to import (Cloud.Put) and inspect the cloud
// (Cloud.Objects, Cloud.TakeOvers). See docs/local-environment.md.
package sandbox
