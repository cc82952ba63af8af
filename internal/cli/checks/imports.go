package checks

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/cli"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/offline/mockrun"
)

// Adopted is an object a stack adopts (imports) on its first deploy: what
// a rehearsal seeds in the sandbox as pre-existing.
type Adopted struct {
	Project  string         `json:"project"`
	Type     string         `json:"type"`
	Name     string         `json:"name"`
	ImportID string         `json:"importId"`
	Inputs   map[string]any `json:"inputs"`
}

// importsCmd runs `infra-check imports -env X`: every program under mocks,
// then the resources it imports, with the inputs the code gives them, as
// JSON on stdout.
func importsCmd(_ context.Context, e cli.Env, args []string) (int, error) {
	fs := flag.NewFlagSet("imports", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := fs.String("env", "", "environment (required)")
	only := fs.String("projects", "", "comma-separated projects to list (with their upstreams, run for their outputs); default all")
	if err := fs.Parse(args); err != nil {
		return report.ExitFailed, err
	}
	if *env = cli.EnvArg(*env); *env == "" {
		return report.ExitFailed, fmt.Errorf("imports needs an environment: -env=prod")
	}
	var opts mockrun.Options
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	res, err := mockrun.Run(*env, opts)
	if err != nil {
		return report.ExitFailed, err
	}
	out := []Adopted{}
	for _, p := range res.Projects {
		if p.Err != nil {
			return report.ExitFailed, fmt.Errorf("%s under mocks: %w", p.Name, p.Err)
		}
		for _, r := range p.Resources {
			if r.ImportID != "" {
				out = append(out, Adopted{Project: p.Name, Type: r.Type, Name: r.Name, ImportID: r.ImportID, Inputs: r.Inputs.Mappable()})
			}
		}
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	return report.ExitOK, enc.Encode(out)
}
