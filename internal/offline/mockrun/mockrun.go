package mockrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/internal/offline/projects"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project is one program to run: the parts of internal/offline/projects.Project the
// runner needs. Tests build their own to break a contract on purpose.
type Project struct {
	Name      string
	Upstreams []string
	// Deploy declares the resources and returns the contract.
	Deploy func(*pulumi.Context) (contracts.Contract, error)
}

// Registry returns every project of the repository (internal/offline/projects).
func Registry() []Project {
	var out []Project
	for _, p := range projects.All() {
		out = append(out, Project{Name: p.Name, Upstreams: p.Upstreams, Deploy: p.Deploy})
	}
	return out
}

// Options tune a run.
type Options struct {
	// Projects to run; every project of the repository when nil.
	Projects []Project
	// Only, when not nil, runs just these projects and their transitive
	// upstreams (whose outputs they read).
	Only []string
	// Feed, when set, gets a copy of each producer's exports before its
	// consumers read them and returns what they read. Tests use it to drop
	// or rename a key and prove that the consumer's read fails.
	Feed func(producer string, exports map[string]any) map[string]any
	// Config overrides or adds stack configuration keys per project
	// ("<namespace>:<key>" → value, objects as JSON) on top of the
	// project's Pulumi.<stack>.yaml.
	Config map[string]map[string]string
	// Now stamps the computed time stamps (createdOn, ...); the current
	// time when zero.
	Now time.Time
}

// ProjectResult is what one project's run recorded.
type ProjectResult struct {
	Name string
	// Stack is the stack name, which is the environment.
	Stack     string
	Upstreams []string
	// Resources are the resources the program registered, in order.
	Resources []mocktest.Resource
	// StackRefs are the names of the StackReferences the program
	// registered (<org>/<project>/<stack>), sorted.
	StackRefs []string
	// MissingKeys maps an upstream the program read to the keys of its
	// contract that the upstream's exports (as fed) lack. contracts.Read
	// reads every key of the contract, so each of them was read and found
	// missing; the run itself fails only when the program uses the value.
	MissingKeys map[string][]string
	// Exports are the resolved contract outputs (JSON shapes: strings,
	// map[string]any, []any, float64, bool); nil when the program failed.
	Exports map[string]any
	// SecretExports names the exports that are Pulumi secrets.
	SecretExports map[string]bool
	// Err is why the program failed (a *ProgramError), or a
	// *walk.BlockedError naming the failed upstreams when the program was
	// not run; nil on success.
	Err error
}

// Status is the outcome of the project in the walker's vocabulary
// (internal/engine/walk): Succeeded, Failed, or Blocked when an upstream
// failed and the program was not run. It is derived from Err.
func (p *ProjectResult) Status() walk.Status {
	var b *walk.BlockedError
	switch {
	case p.Err == nil:
		return walk.Succeeded
	case errors.As(p.Err, &b):
		return walk.Blocked
	}
	return walk.Failed
}

// OK reports whether the program ran to the end.
func (p *ProjectResult) OK() bool { return p.Status() == walk.Succeeded }

// Blocked reports whether the program was not run because an upstream
// failed.
func (p *ProjectResult) Blocked() bool { return p.Status() == walk.Blocked }

// Result is one run of every project for an environment.
type Result struct {
	Env string
	// Projects are in the order they ran (a topological order, that of
	// internal/graph's TopoSort).
	Projects []*ProjectResult
}

// Get returns the result of a project, or nil.
func (r *Result) Get(name string) *ProjectResult {
	for _, p := range r.Projects {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Failed returns the projects that failed or were blocked, in run order.
func (r *Result) Failed() []*ProjectResult {
	var out []*ProjectResult
	for _, p := range r.Projects {
		if p.Err != nil {
			out = append(out, p)
		}
	}
	return out
}

// Run runs every project's program for env under mocks, upstreams first.
// The error is only for what prevents any run: an unknown environment, a
// malformed project list, an unknown name in Options.Only or a dependency
// cycle. Program failures are in each ProjectResult.
func Run(env string, opts Options) (*Result, error) {
	if _, err := environment.KindOf(env); err != nil {
		return nil, err
	}
	ps := opts.Projects
	if ps == nil {
		ps = Registry()
	}
	byName := map[string]Project{}
	deps := map[string][]string{}
	for _, p := range ps {
		if p.Deploy == nil {
			return nil, fmt.Errorf("mockrun: project %q has no Deploy function", p.Name)
		}
		if _, dup := byName[p.Name]; dup {
			return nil, fmt.Errorf("mockrun: project %q is listed twice", p.Name)
		}
		byName[p.Name] = p
		deps[p.Name] = p.Upstreams
	}
	g, err := graph.New(deps)
	if err != nil {
		return nil, fmt.Errorf("mockrun: %w", err)
	}
	if opts.Only != nil {
		names, err := g.Select(opts.Only, graph.WithUpstreams)
		if err != nil {
			return nil, fmt.Errorf("mockrun: %w", err)
		}
		g = g.Restrict(names)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// The data sources the programs read are answered as the sandbox
	// answers them, from the repository's environment files: the zone of
	// cloudflare.zoneName (internal/providers/sandbox, zones.go).
	var zones []sandbox.Zone
	if root, err := layout.Root(); err == nil {
		zones = sandbox.EnvironmentZones(root)
	}
	results := map[string]*ProjectResult{}
	for _, name := range g.Nodes() {
		results[name] = &ProjectResult{Name: name, Stack: env, Upstreams: g.Upstreams(name)}
	}
	// The walker runs a program once its upstreams succeeded and blocks
	// the dependents of a failed one, as in the engine. One at a time, so
	// runs are reproducible; exports needs no lock.
	exports := map[string]map[string]any{}
	run := func(_ context.Context, name string) error {
		pr := results[name]
		upstreams := map[string]map[string]any{}
		for _, u := range pr.Upstreams {
			fed := copyMap(exports[u])
			if opts.Feed != nil {
				fed = opts.Feed(u, fed)
			}
			upstreams[u] = fed
		}
		runOne(byName[name], env, upstreams, opts.Config[name], now, zones, pr)
		if pr.Err == nil {
			exports[name] = pr.Exports
		}
		return pr.Err
	}
	res := &Result{Env: env}
	for _, w := range walk.Walk(context.Background(), g, run, walk.Options{Parallel: 1}) {
		pr := results[w.Node]
		if w.Status == walk.Blocked {
			pr.Err = w.Err
		}
		res.Projects = append(res.Projects, pr)
	}
	return res, nil
}

// runOne runs one program and fills pr.
func runOne(p Project, env string, upstreams map[string]map[string]any, config map[string]string, now time.Time, zones []sandbox.Zone, pr *ProjectResult) {
	secrets := map[string]bool{}
	deploy := func(ctx *pulumi.Context) (contracts.Contract, error) {
		c, err := p.Deploy(ctx)
		if err != nil {
			return c, err
		}
		secretFields(c, secrets)
		return c, nil
	}
	opts := mocktest.Options{
		Config:    config,
		Upstreams: upstreams,
		Computed:  newComputer(now, upstreams).outputs,
		Call:      invoke(zones),
	}
	var (
		mr  *mocktest.Result
		err error
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("program panicked: %v", r)
			}
		}()
		mr, err = mocktest.RunContract(p.Name, env, deploy, opts)
	}()
	if mr != nil {
		pr.Resources = mr.Resources
		pr.StackRefs = append([]string(nil), mr.StackRefs...)
		sort.Strings(pr.StackRefs)
		pr.MissingKeys = missingKeys(pr.StackRefs, upstreams)
		if err == nil {
			pr.Exports = mr.Exports
			pr.SecretExports = secrets
		}
	}
	if err != nil {
		pr.Err = &ProgramError{Project: p.Name, Stack: env, Err: unwrapRun(err)}
	}
}

// invoke answers the programs' invokes offline: the zone data source from
// the environment files' zones (a zone no environment file names is not
// found, as in Cloudflare); any other function fails, naming it.
func invoke(zones []sandbox.Zone) func(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return func(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
		if args.Token == sandbox.GetZoneToken {
			return sandbox.LookupZone(zones, args.Args)
		}
		return nil, fmt.Errorf("mockrun: the offline run answers no %s; answer it in internal/offline/mockrun (invoke) as the sandbox does", args.Token)
	}
}

// ProgramError is the error of a program that failed under the mocks.
type ProgramError struct {
	Project, Stack string
	Err            error
}

func (e *ProgramError) Error() string {
	return fmt.Sprintf("%s (stack %s): %v", e.Project, e.Stack, e.Err)
}

func (e *ProgramError) Unwrap() error { return e.Err }

// unwrapRun removes the "1 error occurred" list pulumi.RunErr wraps a single
// program error in, so messages read as the program wrote them.
func unwrapRun(err error) error {
	type multi interface{ WrappedErrors() []error }
	var m multi
	if errors.As(err, &m) {
		if errs := m.WrappedErrors(); len(errs) == 1 {
			return errs[0]
		}
	}
	return err
}

// missingKeys returns, per upstream read through a StackReference, the
// keys of its contract absent from the outputs it was fed.
func missingKeys(refs []string, fed map[string]map[string]any) map[string][]string {
	out := map[string][]string{}
	for _, ref := range refs {
		parts := strings.Split(ref, "/")
		if len(parts) != 3 {
			continue
		}
		outs, ok := fed[parts[1]]
		if !ok {
			continue // not fed at all: the read failed (undeclared upstream)
		}
		c, err := contracts.For(parts[1])
		if err != nil {
			continue
		}
		for _, k := range contracts.Keys(c) {
			if _, ok := outs[k]; !ok {
				out[parts[1]] = append(out[parts[1]], k)
			}
		}
	}
	return out
}

// secretFields records which fields of contract c are Pulumi secrets. It
// waits for each field's value, which the mocks resolve.
func secretFields(c contracts.Contract, into map[string]bool) {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for _, f := range contracts.Fields(c) {
		fv := v.FieldByName(f.Go)
		if !fv.IsValid() || fv.FieldByName("OutputState").IsNil() {
			continue // RunContract reports the unset field
		}
		if out, ok := fv.Interface().(pulumi.Output); ok && pulumi.IsSecret(out) {
			into[f.Key] = true
		}
	}
}

// copyMap deep-copies a JSON-shaped map, so a Feed cannot change what was
// recorded.
func copyMap(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		// Exports are JSON shapes by construction (mocktest.RunContract).
		panic(fmt.Sprintf("mockrun: exports are not JSON: %v", err))
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("mockrun: exports are not JSON: %v", err))
	}
	return out
}
