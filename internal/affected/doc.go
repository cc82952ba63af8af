// Package affected works out which projects a change touches: the files
// that changed since a git ref, mapped to the projects they feed in one
// environment, plus every project that depends on those. It backs
// `affected base=<ref>` and the CI workflow's selection of what to preview
// or deploy. It follows the projects' real Go import graphs rather than
// path globs (see docs/decisions/0062-affected-projects.md), so a new
// shared package needs no configuration.
//
// ChangedFiles lists the files that differ between the base and the
// working tree: committed, staged and unstaged changes (`git diff
// --name-only --no-renames`, so a rename counts as both paths) plus
// untracked files that are not ignored. The base is resolved with `git
// rev-parse --verify` first, so an unknown ref fails clearly (CI must fetch
// it). It is compared with the working tree as given; a caller who wants
// "since the branch left main" passes the merge base.
//
// Affected maps those files to the projects of one environment:
//
//   - a file under projects/<p>/ counts for p, except a Pulumi.<stack>.yaml
//     of another stack;
//   - a Go file counts for every project whose import graph holds its
//     package. The graphs come from `go list -e -deps ./...`, run
//     concurrently in each project's module with GOWORK pinned to the
//     repository's go.work, once per call. The package is derived from the
//     file's workspace module and folder, so a deleted package a project
//     still imports counts too. _test.go files and Go files under testdata
//     count for nothing;
//   - a non-Go file counts when a package of such a graph embeds it
//     (EmbedFiles); a deleted non-Go file counts for the innermost package
//     folder that held it, since go list can no longer show whether it was
//     embedded;
//   - the go.mod or go.sum of a workspace module counts for the projects
//     that use a package of that module; go.work and go.work.sum count for
//     every project (every project builds in the workspace);
//   - environments/<env>.yaml, and the file of every environment it
//     extends, counts for every project;
//   - anything else counts for nothing: docs, the orchestrator and the
//     magefile (the root module, which no project imports), CI files,
//     policies (the pack checks deployments but is no part of a program)
//     and other environments. A policy change is checked by the policies
//     module's tests, not by previewing every stack.
//
// The go command runs only when a file could be part of an import graph (a
// .go, go.mod or go.sum file, or any file of a workspace module other than
// the root one), once per project. Every transitive dependent of a
// selected project is added, and each project carries human reasons:
// "changed projects/dns/Pulumi.staging.yaml", "imports
// github.com/clustera/infra/shared/topics (changed shared/topics/load.go)",
// "depends on kafka-data-plane (through kafka-integrations)".
package affected
