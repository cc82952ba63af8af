package stackrun

import (
	"fmt"
	"strings"
)

// stateRunbook is the runbook that restores a stack's state.
const stateRunbook = "docs/runbooks/backup-restore-state.md"

// unreadableState lists what the Pulumi CLI (v3.259.0) says when a stack's
// checkpoint cannot be read or used, lower-cased:
//   - "failed to load checkpoint": the diy (file, R2) backend could not
//     read or parse <backend>/.pulumi/stacks/<project>/<stack>.json
//     (pkg/backend/diy/state.go, getSnapshot);
//   - "place 1:": its JSON does not parse at all (truncated, garbled; the
//     prefix of UnmarshalVersionedCheckpointToLatestCheckpoint,
//     pkg/resource/stack/checkpoint.go), also from `pulumi stack ls`;
//   - "could not deserialize deployment", "deserializing resource": it
//     parses but is not a deployment;
//   - "snapshot integrity failure": it parses but the engine refuses it.
var unreadableState = []string{
	"failed to load checkpoint",
	"place 1:",
	"could not deserialize deployment",
	"deserializing resource",
	"snapshot integrity failure",
}

// stateHint returns err, the error of project's operation on stack, with
// what to do appended when it shows that the stack's checkpoint cannot be
// read: restore it from a backup. Any other error is returned as it is.
func stateHint(project, stack, err string) string {
	if err == "" || strings.Contains(err, stateRunbook) {
		return err
	}
	low := strings.ToLower(err)
	for _, sign := range unreadableState {
		if strings.Contains(low, sign) {
			return fmt.Sprintf("%s\nthe state of organization/%s/%s is unreadable: restore it as %s describes",
				strings.TrimRight(err, "\n"), project, stack, stateRunbook)
		}
	}
	return err
}
