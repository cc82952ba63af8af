// Package importcheck proves that the import IDs in a stack's configuration
// adopt the existing cloud objects as they are (`infra import-check -env
// E`), before the first deploy that imports them (the migration of seed
// 000; docs/decisions/0073-import-check.md, docs/runbooks/import-existing.md).
//
// Configured lists the projects whose Pulumi.<env>.yaml (read through
// shared/stackconfig; a missing file counts as none) sets one of their
// import keys (Keys: cloudflare-storage:imports,
// kafka-data-plane:importTopics, kafka-integrations:importTopics,
// gcp-gmail:importExisting) to a non-empty value: a map or list with
// entries, true, or a non-empty string. A new
// import key in a project must be added to Keys.
//
// Run previews those projects (or the ones a Request names) through the
// orchestrator with the policy pack (with Rehearsal, the environment's
// rehearsal on the sandbox): orchestrate.Prepare, then Execute with a Steps
// hook, through which each project process hands over the steps of its
// engine operation as it finishes (shared/stackrun, Step: the providers,
// the stack, StackReferences and component resources, which touch no cloud
// object, are left out; nothing is read back from the event files), then
// Publish. Each step must be an import with no
// difference from the live object, or be unchanged (same, read or refresh:
// already in the state). These fail the check, each named in a problem:
//
//   - a failed preview (an import ID that names no existing object fails
//     here, and so does a live object the code cannot be reconciled with),
//     a blocked or skipped project, or a preview against placeholder outputs
//     of an upstream whose stack is not deployed (import IDs built from them
//     cannot be checked);
//   - an import with differences, or that the engine warned about ("inputs
//     to import do not match the existing resource");
//   - an import the engine would follow with an update or replace of the
//     same object, to make it match the code;
//   - a create, unless AllowCreate (-allow-create) accepts new objects next
//     to adopted ones, which are then listed as notes;
//   - an update, replace, delete or any other operation.
//
// The check counts imports, unchanged objects and creates per project
// itself, from the steps, rather than from the orchestrator report's
// per-operation counts, which do not name the object or what differs.
// Result.Write prints the table, every note and problem, and the verdict;
// the command exits 1 unless the Result is OK. The check changes nothing:
// it only previews. After the deploy that imports them, the same check
// passes with every step "same": the objects are in the state and the code
// matches them.
package importcheck
