// Package stackrun runs one engine operation of one project in that
// project's own process. Every project's main.go calls Main: run by the
// Pulumi language host (a stock `pulumi up` in the project folder) it is a
// plain Pulumi program; run by the orchestrator it hosts its own program
// through the Automation API and reports back over a small channel.
//
// # The channel
//
// The orchestrator starts the project's binary with the task as JSON in the
// environment variable INFRA_TASK and the write end of a pipe as file
// descriptor 3 (announced by INFRA_CHANNEL_FD=3; without it, messages go to
// stderr). The process writes one JSON Message per line to fd 3:
//
//	{"kind":"progress","text":"3 done · creating Topic local-runtime"}
//	{"kind":"cli","pid":4242}          a Pulumi CLI started (its process group)
//	{"kind":"cli-exit","pid":4242}     that CLI exited
//	{"kind":"result","result":{...}}   the Result; always the last message
//
// A task with "steps": true also gets, in its Result, the engine steps of
// the resources that touch a cloud object (Step, steps.go), so the
// orchestrator need not read the event file back.
//
// A project started while its upstreams still run (the orchestrator starts
// dependents early, so their CLI and program start overlap the upstream's
// deploy) lists them in the task's "await"; its program then waits in
// contracts.Read until the orchestrator writes, on the process's stdin, one
// JSON Upstream per line as each of them finishes:
//
//	{"project":"kafka-data-plane","ok":true}
//	{"project":"kafka-data-plane","ok":false,"status":"failed"}
//
// An upstream that did not succeed fails the program before it declared
// anything (every program reads its upstreams first); an interrupt while it
// waits makes the result "skipped". Either way a stack this run created for
// it is removed again.
//
// Its stdout and stderr go to the project's log, so a panic's message and
// stack trace land there. A process that exits without a result message
// crashed; the orchestrator then interrupts the CLIs it reported, so the
// stack is saved and unlocked, and names any pending operation left behind.
// SIGINT or SIGTERM to the process cancels the operation cleanly (each CLI
// gets exactly one interrupt); a second one kills the CLIs at once.
package stackrun

import (
	"encoding/json"
	"fmt"
)

// EnvTask names the environment variable that carries the Task as JSON.
const EnvTask = "INFRA_TASK"

// ChannelFD is the file descriptor the process writes its messages to.
const ChannelFD = 3

// EnvChannel names the variable that tells a process it was started with
// the channel as fd ChannelFD ("3"). Without it, messages go to stderr (a
// project binary run by hand with INFRA_TASK).
const EnvChannel = "INFRA_CHANNEL_FD"

// Op is an engine operation.
type Op string

// The operations. Validate checks the project's configuration under mocks,
// without the engine.
const (
	Deploy   Op = "deploy"
	Preview  Op = "preview"
	Refresh  Op = "refresh"
	Destroy  Op = "destroy"
	Drift    Op = "drift"
	Outputs  Op = "outputs"
	Validate Op = "validate"
)

// RunsProgram reports whether the operation runs the project's program (and
// so needs the project's own binary); refresh, destroy and outputs only
// need the stack.
func (op Op) RunsProgram() bool {
	return op == Deploy || op == Preview || op == Drift || op == Validate
}

// Task is one operation on one project's stack.
type Task struct {
	Project string `json:"project"`
	Stack   string `json:"stack"`
	Op      Op     `json:"op"`
	// Root is the repository root; Dir the project folder (Pulumi.yaml).
	Root string `json:"root"`
	Dir  string `json:"dir"`
	// CLI is the Pulumi CLI's path, CLIVersion its version.
	CLI        string `json:"cli"`
	CLIVersion string `json:"cliVersion"`
	// Env holds the variables every CLI run gets: backend, home, the
	// providers to attach to. Secrets are never in it (the local
	// environment's documented passphrase aside): the process inherits
	// them from the orchestrator's environment.
	Env map[string]string `json:"env"`
	// Passphrase selects the passphrase secrets provider.
	Passphrase bool `json:"passphrase"`
	// PolicyPack and PolicyConfig are absolute paths; empty without policies.
	PolicyPack   string `json:"policyPack,omitempty"`
	PolicyConfig string `json:"policyConfig,omitempty"`
	// PreviewFirst makes a deploy preview with the policy pack first and
	// stop on its failure (where policies are mandatory).
	PreviewFirst bool `json:"previewFirst,omitempty"`
	// ClearPendingCreates makes a refresh drop pending creates an
	// interrupted run left in the checkpoint.
	ClearPendingCreates bool `json:"clearPendingCreates,omitempty"`
	// Exists tells that the stack exists in the backend (the orchestrator
	// just listed it).
	Exists bool `json:"exists,omitempty"`
	// Placeholders lists upstreams whose stacks do not exist yet; a preview
	// reads unknown values for them.
	Placeholders []string `json:"placeholders,omitempty"`
	// Await lists the upstreams still running when the process started:
	// reading their outputs waits for their Upstream line on stdin.
	Await []string `json:"await,omitempty"`
	// Log receives the engine's text output; Events its JSON event stream.
	Log    string `json:"log"`
	Events string `json:"events"`
	// Owners is the folder of CLI owner records (shared/procid), which
	// prove a stale lock's holder dead.
	Owners string `json:"owners,omitempty"`
	// Steps asks for the engine's steps in the Result (Result.Steps).
	Steps bool `json:"steps,omitempty"`
}

// Status is the outcome of a task.
type Status string

// The statuses.
const (
	Succeeded   Status = "succeeded" // finished; the operation reports no change counts
	Changed     Status = "changed"   // changed something (or, for preview/drift, would)
	NoOp        Status = "no-op"
	Failed      Status = "failed"
	Interrupted Status = "interrupted" // cancelled by a signal; state saved
	Skipped     Status = "skipped"     // cancelled while waiting for an upstream: nothing declared
)

// Result is what the process reports at the end.
type Result struct {
	Status  Status         `json:"status"`
	Changes map[string]int `json:"changes,omitempty"` // engine op → count
	// Outputs are the stack outputs; secret values are "[secret]".
	Outputs      map[string]any `json:"outputs,omitempty"`
	Drift        []string       `json:"drift,omitempty"`
	Violations   []string       `json:"violations,omitempty"`
	Placeholders []string       `json:"placeholders,omitempty"`
	Note         string         `json:"note,omitempty"`
	Error        string         `json:"error,omitempty"`
	// Waited is how long, in seconds, the program waited for the upstreams
	// in the task's Await.
	Waited float64 `json:"waited,omitempty"`
	// Steps are the engine's steps of the task's resources that touch a
	// cloud object, when the task asked for them (Task.Steps).
	Steps []Step `json:"steps,omitempty"`
}

// Upstream tells a process that an upstream it awaits has finished
// (orchestrator to process, one JSON line on stdin).
type Upstream struct {
	Project string `json:"project"`
	OK      bool   `json:"ok"`
	// Status is how it ended when not OK: failed, blocked, skipped.
	Status string `json:"status,omitempty"`
}

// Message is one line on the channel.
type Message struct {
	Kind   string  `json:"kind"` // progress, cli, cli-exit, result
	Text   string  `json:"text,omitempty"`
	PID    int     `json:"pid,omitempty"`
	Result *Result `json:"result,omitempty"`
}

// The message kinds.
const (
	KindProgress = "progress"
	KindCLI      = "cli"
	KindCLIExit  = "cli-exit"
	KindResult   = "result"
)

// EncodeTask returns the value of EnvTask for t.
func EncodeTask(t Task) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encoding the task of %s: %w", t.Project, err)
	}
	return string(b), nil
}

// DecodeTask parses the value of EnvTask.
func DecodeTask(s string) (Task, error) {
	var t Task
	if err := json.Unmarshal([]byte(s), &t); err != nil {
		return t, fmt.Errorf("%s is not a task: %w", EnvTask, err)
	}
	if t.Project == "" || t.Stack == "" || t.Op == "" {
		return t, fmt.Errorf("%s: project, stack and op are required", EnvTask)
	}
	return t, nil
}
