package policyrun

import (
	"fmt"
	"sort"

	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/internal/offline/crossstack"
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/policies/mockview"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/policies/stackfile"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Project statuses: "ok" for a program that ran to the end, else the
// walker's word for it (internal/engine/walk, through mockrun).
const (
	StatusOK      = "ok"
	StatusFailed  = string(walk.Failed)
	StatusBlocked = string(walk.Blocked)
)

// CrossStackLevel is the level of every cross-stack finding.
const CrossStackLevel = enforcement.Mandatory

// Violation is one policy violation of one project.
type Violation struct {
	Policy string `json:"policy"`
	// Level is advisory or mandatory (disabled policies are not reported).
	Level string `json:"level"`
	// Resource names the resource ("<type> \"<name>\"") or the stack.
	Resource string `json:"resource"`
	URN      string `json:"urn,omitempty"`
	Problem  string `json:"problem"`
	Fix      string `json:"fix"`
}

// Message is the resource, the problem and the fix, as the engine prints
// them.
func (v Violation) Message() string {
	return rules.Violation{Resource: v.Resource, Problem: v.Problem, Fix: v.Fix}.Message()
}

// ProjectReport is the outcome of one project.
type ProjectReport struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Error is why the program failed or was blocked.
	Error string `json:"error,omitempty"`
	// Resources counts the custom resources the program declared.
	Resources  int         `json:"resources"`
	Violations []Violation `json:"violations"`
	Mandatory  int         `json:"mandatory"`
	Advisory   int         `json:"advisory"`
}

// Finding is a cross-stack finding in the report.
type Finding struct {
	Check   string `json:"check"`
	Level   string `json:"level"`
	Project string `json:"project,omitempty"`
	Subject string `json:"subject"`
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
}

// Report is the outcome of an offline policy run.
type Report struct {
	Env string `json:"env"`
	// Level is the environment's default enforcement level.
	Level string `json:"level"`
	// Overrides are the policies whose level differs from Level.
	Overrides  map[string]string `json:"overrides,omitempty"`
	Policies   int               `json:"policies"`
	Projects   []ProjectReport   `json:"projects"`
	CrossStack []Finding         `json:"crossStack"`
	// Mandatory counts mandatory violations and cross-stack findings;
	// Advisory the advisory violations; Failed the programs that failed
	// or were blocked.
	Mandatory int `json:"mandatory"`
	Advisory  int `json:"advisory"`
	Failed    int `json:"failed"`
	// ExitCode is 1 when a mandatory violation exists or a program did
	// not run, else 0.
	ExitCode int `json:"exitCode"`
}

// Run runs every program of env under mocks, evaluates the policies with
// the environment's levels and runs the cross-stack checks. root is the
// repository root. The error is for what prevents the check itself (an
// unknown environment, invalid policy settings); program failures are in
// the report.
func Run(root, env string) (*Report, error) {
	settings, err := environment.Load(root, env)
	if err != nil {
		return nil, err
	}
	levels, err := enforcement.Levels(env, settings.PolicyLevel(), settings.Policy.Overrides)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", settings.File, err)
	}
	res, err := mockrun.Run(env, mockrun.Options{})
	if err != nil {
		return nil, err
	}
	findings, err := crossstack.Check(res, root)
	if err != nil {
		return nil, err
	}
	return Evaluate(root, res, settings.PolicyLevel(), levels, findings)
}

// Evaluate builds the report of a mockrun result: the policies over each
// project's recorded resources (also those a failed program registered
// before failing, as the engine would see them), at the given levels, and
// the cross-stack findings. level is the environment's default level (its
// default by kind when empty), for the report.
func Evaluate(root string, res *mockrun.Result, level string, levels map[string]string, findings []crossstack.Finding) (*Report, error) {
	if level == "" {
		l, err := enforcement.DefaultLevel(res.Env)
		if err != nil {
			return nil, err
		}
		level = l
	}
	rep := &Report{Env: res.Env, Level: level, Policies: len(rules.All()), Projects: []ProjectReport{}, CrossStack: []Finding{}}
	for name, l := range levels {
		if l != level {
			if rep.Overrides == nil {
				rep.Overrides = map[string]string{}
			}
			rep.Overrides[name] = l
		}
	}
	for _, p := range res.Projects {
		pr := ProjectReport{Name: p.Name, Status: StatusOK, Violations: []Violation{}}
		if !p.OK() {
			pr.Status, pr.Error = string(p.Status()), p.Err.Error()
			rep.Failed++
		}
		for _, r := range p.Resources {
			if r.Custom {
				pr.Resources++
			}
		}
		if !p.Blocked() {
			vs, err := evaluate(root, p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
			for _, v := range vs {
				lvl := levels[v.Policy]
				if lvl == "" {
					return nil, fmt.Errorf("policy %q has no enforcement level", v.Policy)
				}
				if lvl == enforcement.Disabled {
					continue
				}
				pr.Violations = append(pr.Violations, Violation{Policy: v.Policy, Level: lvl, Resource: v.Resource, URN: v.URN, Problem: v.Problem, Fix: v.Fix})
				if lvl == enforcement.Mandatory {
					pr.Mandatory++
				} else {
					pr.Advisory++
				}
			}
		}
		// Mandatory first, then by policy and resource.
		sort.SliceStable(pr.Violations, func(i, j int) bool {
			a, b := pr.Violations[i], pr.Violations[j]
			if a.Level != b.Level {
				return a.Level == enforcement.Mandatory
			}
			if a.Policy != b.Policy {
				return a.Policy < b.Policy
			}
			return a.Resource < b.Resource
		})
		rep.Mandatory += pr.Mandatory
		rep.Advisory += pr.Advisory
		rep.Projects = append(rep.Projects, pr)
	}
	for _, f := range findings {
		rep.CrossStack = append(rep.CrossStack, Finding{Check: f.Check, Level: CrossStackLevel, Project: f.Project, Subject: f.Subject, Problem: f.Problem, Fix: f.Fix})
	}
	rep.Mandatory += len(rep.CrossStack)
	if rep.Mandatory > 0 || rep.Failed > 0 {
		rep.ExitCode = 1
	}
	return rep, nil
}

// evaluate runs every policy over one project's resources, with the root
// stack resource carrying the stack configuration entries and the stack
// outputs (the mocks record neither).
func evaluate(root string, p *mockrun.ProjectResult) ([]rules.Violation, error) {
	rs := mockview.Resources(p.Stack, p.Name, p.Resources)
	entries, err := stackfile.Entries(layout.StackConfigFile(root, p.Name, p.Stack), p.Name)
	if err != nil {
		return nil, err
	}
	rs = mockview.WithStackConfig(rs, p.Stack, p.Name, entries)
	for i := range rs {
		if rs[i].Type == rules.StackType && p.Exports != nil {
			rs[i].Outputs = StackOutputs(p.Exports, p.SecretExports)
		}
	}
	return rules.Evaluate(rs, nil)
}

// StackOutputs converts a project's exports into the outputs of its root
// stack resource, secrets wrapped as secrets.
func StackOutputs(exports map[string]any, secrets map[string]bool) resource.PropertyMap {
	out := resource.NewPropertyMapFromMap(exports)
	for k := range secrets {
		if v, ok := out[resource.PropertyKey(k)]; ok {
			out[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	return out
}
