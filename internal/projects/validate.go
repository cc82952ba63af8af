package projects

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

// ValidateConfig runs the config check of every named project for stack,
// without the engine: the project's config.Load with the values of its
// Pulumi.<stack>.yaml and the environment settings. It returns one error
// with every problem of every project, or nil.
func ValidateConfig(root, stack string, names []string) error {
	var list problems.List
	var other []error
	for _, name := range names {
		p, err := Get(name)
		if err != nil {
			return err
		}
		values, secrets, err := stackconfig.ReadFile(root, name, stack)
		if errors.Is(err, fs.ErrNotExist) {
			list.Add(layout.Rel(root, layout.StackConfigFile(root, name, stack)), "(file)", "does not exist",
				fmt.Sprintf("create it (a personal environment: go run mage.go env:new name=%s)", stack))
			continue
		}
		if err != nil {
			other = append(other, fmt.Errorf("%s: %w", name, err))
			continue
		}
		err = pulumi.RunErr(p.Validate, pulumi.WithMocks(name, stack, noResources{}), func(info *pulumi.RunInfo) {
			info.Config, info.ConfigSecretKeys, info.DryRun = values, secrets, true
		})
		if err != nil && !list.Merge(unwrapProblems(err)) {
			other = append(other, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := list.Err(); err != nil {
		other = append([]error{err}, other...)
	}
	return errors.Join(other...)
}

func unwrapProblems(err error) error {
	var pe *problems.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err
}
