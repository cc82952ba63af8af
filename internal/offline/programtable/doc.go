// Package programtable generates internal/offline/projects/programs.go,
// the table that links every project's program into the offline checks
// (bin/infra-check) and the tests that run every program under mocks in one
// process. Go needs an import per project; the table is derived from the
// folders under projects/ (each folder's Pulumi.yaml name and go.mod module
// path, and its program/ and config/ packages), so adding a project needs
// no edit here: `go generate ./internal/offline/projects` writes it, and a
// test fails, naming the command, while the committed file differs.
package programtable
