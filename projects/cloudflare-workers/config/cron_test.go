package config

import (
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
)

// TestDeclaredCronsAreValid checks the declared schedules with the checks a
// stack file's crons get.
func TestDeclaredCronsAreValid(t *testing.T) {
	for w, specs := range topology.Crons() {
		for _, spec := range specs {
			if tzPrefix.MatchString(spec) {
				t.Errorf("worker %s: %q sets a time zone", w, spec)
			}
			if err := cronParser(spec); err != nil {
				t.Errorf("worker %s: %q: %v", w, spec, err)
			}
		}
	}
	if err := cronParser("@hourly"); err == nil {
		t.Error("a descriptor passed the Cloudflare cron check")
	}
}
