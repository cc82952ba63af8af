package projects

import (
	"errors"
	"fmt"

	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackrun"
)

// ValidateConfig runs the config check of every named project for stack in
// this process (stackrun.CheckConfigOf, the check each project's own
// binary runs for the orchestrator), for the offline checks and tests. It
// returns one error with every problem of every project, or nil.
func ValidateConfig(root, stack string, names []string) error {
	var list problems.List
	var other []error
	for _, name := range names {
		p, err := Get(name)
		if err != nil {
			return err
		}
		err = stackrun.CheckConfigOf(root, name, stack, p.Validate)
		if err != nil && !list.Merge(err) {
			other = append(other, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := list.Err(); err != nil {
		other = append([]error{err}, other...)
	}
	return errors.Join(other...)
}
