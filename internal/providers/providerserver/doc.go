// Package providerserver holds the gRPC plumbing shared by the repository's
// Pulumi resource providers: the sandbox's fake cloud providers and the
// in-repo Vectorize provider. Serve serves a pulumirpc.ResourceProviderServer
// on 127.0.0.1 on a free port for the engine to attach to
// (PULUMI_DEBUG_PROVIDERS=<pkg>:<port>), and Base implements the
// provider-level calls (Handshake, Attach, GetPluginInfo, CheckConfig,
// DiffConfig, Configure, Cancel, and Invoke of the provider functions in
// Base.Functions) so providers only implement resource operations.
// Marshal, Unmarshal, Plain and Equal convert and compare property values
// as the engine sends them.
//
// A normal provider plugin is one process per engine run, configured once.
// These servers instead outlive engine runs (Cancel, which ends every run,
// does not stop them) and serve many runs at once, one CLI per project,
// each configuring its own provider instance, possibly differently
// (gcp:project, vectorize:apiToken). A single current configuration would
// let one run see another's settings, so the configuration is kept per gRPC
// connection, which the engine opens per provider instance:
//
//   - Base.Configure stores the configuration keyed by the connection's peer
//     address, and resource calls read it with Base.Config(ctx). Outside a
//     gRPC call (direct Go calls in tests) Config returns the latest one.
//   - Serve installs a gRPC stats handler that tells a ConnTracker (Base is
//     one) when a connection closes, and Base forgets its configuration, so
//     nothing accumulates across runs.
//   - Configure reads the request's args, where secrets arrive wrapped with
//     the secret signature and stay secrets (the Config accessors unwrap
//     them), and falls back to the deprecated variables map
//     ("<pkg>:config:<key>").
//
// The providers accept secrets and support previews, but not resource
// references: references arrive as IDs.
package providerserver
