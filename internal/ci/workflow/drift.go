package workflow

import (
	"github.com/clustera/infra/internal/graph"
)

// DriftJobID is the ID of the job of drift.yml.
const DriftJobID = "drift"

// Drift builds drift.yml: every night, `infra drift` on each of
// DriftStacks, from the code of its branch, with the unattended (preview)
// credentials. The graph is not needed today (the orchestrator walks it);
// it is taken for symmetry with Infra.
func Drift(_ *graph.Graph) *Workflow {
	var include []Map
	for _, s := range DriftStacks {
		include = append(include, Map{
			{Key: "stack", Value: s.Stack},
			{Key: "branch", Value: s.Branch},
			{Key: "environment", Value: PreviewEnvironment(s.Stack)},
		})
	}
	co := checkout(false)
	co.With = append(co.With, Entry{Key: "ref", Value: "${{ matrix.branch }}", Comment: "the code the stack is deployed from"})
	return &Workflow{
		Name: "drift",
		On: Triggers{
			Schedule:         []Cron{{Cron: DriftCron}},
			WorkflowDispatch: &struct{}{},
		},
		Defaults: bashDefaults,
		Comments: map[string]string{
			"on.schedule": "UTC, off the full hour.",
			"defaults":    bashComment,
		},
		Permissions: Map{{Key: "contents", Value: "read"}},
		Jobs: Jobs{{
			ID:   DriftJobID,
			Name: "drift ${{ matrix.stack }}",
			Strategy: &Strategy{
				FailFast: false,
				Matrix:   Matrix{Include: include},
			},
			Concurrency:    &Concurrency{Group: "drift-${{ matrix.stack }}", CancelInProgress: false},
			RunsOn:         Runner,
			TimeoutMinutes: 90,
			Environment:    "${{ matrix.environment }}",
			Env:            buildEnv("${{ matrix.stack }}"),
			Steps: append(buildSteps(co, everyModule, true),
				&Step{
					Name: "Detect drift (exit 2 = drift, which fails the job)",
					Env:  secretsEnv(AllSecrets),
					Run:  `bin/infra drift -env "$STACK"`,
				}),
		}},
	}
}
