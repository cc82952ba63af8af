// Package enforcement turns an environment's policy settings into the
// policy-config file the engine takes with `--policy-pack-config` (the
// Automation API's PolicyPackConfigs option). The levels come from
// environments/<env>.yaml, policy.level and policy.overrides
// (docs/decisions/0052-policy-enforcement-config.md): advisory in local,
// dev, testing and personal environments, mandatory in staging and prod
// unless the file says otherwise, and per-policy overrides.
//
// The file is a JSON object keyed by policy name:
//
//	{"kafka-topic-replication": {"enforcementLevel": "mandatory", "minReplication": 2}, ...}
//
// Every policy of the pack gets an explicit entry, never "all", because
// policyx ignores the pack-level enforcement level.
//
//   - Config(env, defaultLevel, overrides) returns the file content;
//     ForSettings does the same for loaded environment settings, and
//     ConfigWithProperties adds configuration properties per policy, each of
//     which must be declared by its policy with the declared type.
//   - Levels returns the resolved level of every policy, for the offline
//     runs (internal/offline/mockrun/policyrun); DefaultLevel the level of
//     an environment whose file sets none, which the pack uses when it runs
//     without a config file.
//   - Names lists the policy names: the valid keys of policy.overrides.
//
// The engine accepts entries for policies the pack does not have without a
// word, so this package does not: an unknown environment, level, policy
// name or property is an error naming the key, and prod cannot have a
// default below mandatory (overrides per policy stay possible). The
// orchestrator writes the bytes to a file once per run and passes it to
// every preview and up; `go run ./policies/cmd/policy-config <env>` prints
// them for hand runs.
package enforcement
