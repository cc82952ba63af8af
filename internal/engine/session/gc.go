package session

import "os"

// engineGC is how the Go collector runs in the processes of the engine: the
// Pulumi CLI, the project processes and the policy pack. They live for
// seconds and their live heap is tens of MB, so the default GOGC=100 spends
// a tenth of a no-op's CPU collecting garbage that exits with the process.
// GOGC=400 collects a quarter as often; GOMEMLIMIT keeps any one of them
// near 1 GiB should a large stack grow its heap. Measured, paired, in
// docs/performance.md (issue #15). A value set in the caller's environment
// wins: GOGC=100 restores the default.
//
// Builds never get it: they run outside the session's variables
// (internal/gobuild, which compiles the Cloudflare SDK with GOGC=25).
var engineGC = [][2]string{{"GOGC", "400"}, {"GOMEMLIMIT", "1GiB"}}

// setEngineGC adds engineGC to vars, except the variables the caller set.
func setEngineGC(vars map[string]string) {
	for _, kv := range engineGC {
		if _, set := os.LookupEnv(kv[0]); !set {
			vars[kv[0]] = kv[1]
		}
	}
}
