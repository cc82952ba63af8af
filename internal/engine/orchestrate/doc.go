// Package orchestrate runs an operation over the projects of one
// environment: it selects the projects, checks the plan against the state
// backend before touching anything, takes the locks, walks the dependency
// graph with bounded concurrency (dependents of a failure are blocked, not
// run), shows one live line per project, and reports.
//
// A run has three phases, each in its own file: Prepare (prepare.go)
// checks the request, takes the locks, builds the projects' binaries while
// the session opens, makes and checks the plan and prints the preflight;
// Prepared.Execute (execute.go) walks the plan (walk.go) with the live
// board and hands each project's outcome to the caller's Hooks; Publish
// (publish.go) prints the table, failures and outputs and writes the
// report. Run (run.go) is the three in a row.
package orchestrate
