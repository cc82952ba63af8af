// Package sdkdrift holds only a test: it compares the sandbox's fakes of
// the Cloudflare and GCP resource types (internal/providers/sandbox) with
// the generated Go SDKs the projects build against (pulumi-cloudflare
// v6.18.0, pulumi-gcp v7.38.0), by reflection over their Args, State and
// resource types, so that a provider upgrade shows where the sandbox
// drifted: an input the fake accepts that the SDK does not have, an input
// or nested property the SDK requires that the fake does not, an output
// the fake does not return. It is a package of its own so the sandbox's
// tests do not link the Cloudflare SDK, which is large.
package sdkdrift
