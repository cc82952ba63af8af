// Package vectorize is the in-repo Pulumi provider of Cloudflare Vectorize
// indexes: package "vectorize" at version 0.1.0, one resource type,
// vectorize:index:Index, whose typed SDK is shared/vectorize. The Cloudflare
// provider has no Vectorize index resource, so this provider calls the
// Vectorize v2 REST API directly (docs/decisions/0005-vectorize-provider.md):
// a POST to {base}/accounts/{account_id}/vectorize/v2/indexes creates an
// index, GET and DELETE on .../indexes/{name} read and delete it, and every
// answer is Cloudflare's {success, errors, result} envelope.
//
// cmd/pulumi-resource-vectorize serves it as a normal plugin, so a stock
// `pulumi up` finds it on PATH; the orchestrator serves NewProvider in its
// own process and attaches the engine to it (PULUMI_DEBUG_PROVIDERS) in
// every environment. In the local environment and rehearsals the same code
// runs against the sandbox's fake of the API (Options.BaseURL =
// sandbox.CloudflareAPIURL()), so env=local exercises the real provider.
//
//   - Inputs: accountId, name, dimensions, metric (all required) and
//     description; output createdOn. The ID and import ID are
//     "<accountId>/<name>".
//   - Check validates like the API: a 32-hex account ID, a name by
//     naming.VectorizeIndex, dimensions an integer from 1 to 1536, metric
//     cosine, euclidean or dot-product, a description of at most 1024
//     characters, and no other property.
//   - Diff: indexes are immutable (the API has no update call), so any
//     change, description included, replaces the index. When the account and
//     name stay the same, the old index is deleted first
//     (deleteBeforeReplace), since the new one takes its name.
//   - Create is idempotent: when the create call fails and an index of that
//     name exists with the same configuration, it is adopted, so a retried or
//     interrupted create converges; with a different configuration it is an
//     error naming both configurations and the import ID. A 401 or 403 is
//     returned as it is, with a hint about the token.
//   - Read serves refresh and import; a missing index returns no ID, so the
//     engine drops it. Delete tolerates a 404.
//
// The API token is the secret provider config vectorize:apiToken, else
// Options.Token, else CLOUDFLARE_API_TOKEN. It is sent only as a bearer
// token and never appears in errors. The base URL is Options.BaseURL,
// DefaultBaseURL (https://api.cloudflare.com/client/v4) when empty.
package vectorize
