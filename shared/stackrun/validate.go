package stackrun

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CheckConfigOf runs a project's config check for stack without the engine:
// validate (its config.Load) with the values of its Pulumi.<stack>.yaml and
// the environment settings, under the mocks of shared/mocktest, as a
// preview. A config check declares nothing: a resource it registers is an
// error. A *problems.Error lists every problem, each naming the file, the
// key and the fix.
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
	res, err := mocktest.Run(project, stack, validate, mocktest.Options{NoStackFile: true, Config: values, SecretKeys: secrets, DryRun: true})
	var pe *problems.Error
	if errors.As(err, &pe) {
		return pe
	}
	if err != nil {
		return err
	}
	if len(res.Resources) > 0 {
		r := res.Resources[0]
		return fmt.Errorf("config check: unexpected resource %s %s", r.Type, r.Name)
	}
	return nil
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
