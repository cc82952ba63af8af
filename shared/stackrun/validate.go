package stackrun

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// noResources is a resource monitor for config checks: they declare nothing.
type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return "", nil, fmt.Errorf("config check: unexpected resource %s %s", args.TypeToken, args.Name)
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("config check: unexpected call %s", args.Token)
}

// CheckConfigOf runs a project's config check for stack without the engine:
// validate (its config.Load) with the values of its Pulumi.<stack>.yaml and
// the environment settings. A *problems.Error lists every problem, each
// naming the file, the key and the fix.
func CheckConfigOf(root, project, stack string, validate func(*pulumi.Context) error) error {
	values, secrets, err := stackconfig.ReadFile(root, project, stack)
	if errors.Is(err, fs.ErrNotExist) {
		var list problems.List
		list.Add(layout.Rel(root, layout.StackConfigFile(root, project, stack)), "(file)", "does not exist",
			fmt.Sprintf("create it (a personal environment: go run mage.go env:new name=%s)", stack))
		return list.Err()
	}
	if err != nil {
		return err
	}
	err = pulumi.RunErr(validate, pulumi.WithMocks(project, stack, noResources{}), func(info *pulumi.RunInfo) {
		info.Config, info.ConfigSecretKeys, info.DryRun = values, secrets, true
	})
	var pe *problems.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

func validate(t Task, p Project) Result {
	if p.Validate == nil {
		return Result{Status: Failed, Error: "this binary has no config check of " + t.Project}
	}
	if err := CheckConfigOf(t.Root, t.Project, t.Stack, p.Validate); err != nil {
		return Result{Status: Failed, Error: err.Error()}
	}
	return Result{Status: Succeeded}
}
