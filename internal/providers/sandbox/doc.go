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
// that must exist, one consumer per queue, Aiven termination protection) in
// Create/Update/Delete, and returns the IDs the real providers return.
//
// Its "cloud" is a JSON file, <dir>/cloud.json, read and written under an
// exclusive file lock, so refresh, drift detection and import work across
// runs and processes. Tests inject faults through <dir>/faults.json
// (SetFaults), change objects behind Pulumi's back (Cloud.Mutate), create
// out-of-band objects to import (Cloud.Put) and inspect the cloud
// (Cloud.Objects). See docs/local-environment.md.
package sandbox
