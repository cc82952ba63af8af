// Package branch maps git branches to the stacks they deploy and to the
// GitHub Environments that hold the secrets for those stacks. The CI
// workflow asks it at run time (`bin/infra branch-stack`, see
// internal/ci/workflow), so a new personal environment needs no workflow
// edit.
//
// Stack takes a branch name, with or without "refs/heads/":
//
//   - the four long-lived branches deploy the shared environments: main →
//     prod, development → dev, testing → testing, staging → staging. The
//     development branch keeps the old repository's name while the stack,
//     the environment and the prefix of every physical name are the design's
//     "dev" (docs/decisions/0063-branch-to-stack-mapping.md);
//   - a branch whose name is a valid personal environment name
//     (environment.ValidPersonalName) deploys the stack of that name when
//     the exists function says the environment exists; EnvironmentExists(root)
//     checks that environments/<name>.yaml is a regular file, and leaves its
//     validity to the deploy;
//   - anything else deploys nothing (preview only), including branches named
//     like a reserved environment (dev, prod, local).
//
// GitHubEnvironment names the GitHub Environment of a stack's secrets: prod
// → production, dev → development, testing → testing, staging → staging,
// every personal stack → development (personal branches use the development
// secrets); local, which needs none, → "". The workflow builds on it:
// internal/ci/workflow's DeployEnvironment, PreviewEnvironment and
// ApprovalEnvironment give prod its deploy, preview and approval
// environments.
package branch
