package branch

import (
	"os"
	"strings"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

// The long-lived branches that deploy a shared environment.
const (
	Main        = "main"
	Development = "development"
	Testing     = "testing"
	Staging     = "staging"
)

// fixed maps each long-lived branch to its stack. The development branch
// deploys the dev stack: the environments follow the Cloudflare design's
// name, the branch keeps the old repository's.
var fixed = map[string]string{
	Main:        environment.NameProd,
	Development: environment.NameDev,
	Testing:     environment.NameTesting,
	Staging:     environment.NameStaging,
}

// Stack maps a git branch (with or without "refs/heads/") to the stack it
// deploys: main → prod; development → dev; testing → testing; staging →
// staging; a personal branch whose name is a valid personal environment name
// (environment.ValidPersonalName) and for which exists(name) is true →
// itself; anything else → ok=false (preview only, no deploy). A nil exists
// accepts no personal branch.
func Stack(branch string, exists func(stack string) bool) (stack string, ok bool) {
	name := strings.TrimPrefix(branch, "refs/heads/")
	if s, found := fixed[name]; found {
		return s, true
	}
	if environment.ValidPersonalName(name) != nil || exists == nil || !exists(name) {
		return "", false
	}
	return name, true
}

// GitHubEnvironment returns the GitHub Environment holding the secrets for a
// stack: prod → "production", dev → "development", testing → "testing",
// staging → "staging", and every personal stack → "development" (personal
// branches use the development secrets). Any other name, including local
// (which needs no secrets), returns "".
func GitHubEnvironment(stack string) string {
	switch stack {
	case environment.NameProd:
		return "production"
	case environment.NameDev:
		return "development"
	case environment.NameTesting:
		return "testing"
	case environment.NameStaging:
		return "staging"
	}
	if environment.ValidPersonalName(stack) == nil {
		return "development"
	}
	return ""
}

// EnvironmentExists returns an exists function for Stack that reports
// whether environments/<stack>.yaml is present under root. Whether the file
// is valid is left to the deploy, which reports every problem in it.
func EnvironmentExists(root string) func(stack string) bool {
	return func(stack string) bool {
		fi, err := os.Stat(layout.EnvironmentFile(root, stack))
		return err == nil && fi.Mode().IsRegular()
	}
}
