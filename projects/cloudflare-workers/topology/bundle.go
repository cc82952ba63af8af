package topology

import "github.com/clustera/infra/shared/artifacts"

// ReleaseKey is the stack file key, in the cloudflare-workers namespace,
// that pins the release of the Worker code
// (docs/decisions/0025-worker-code-pinned-and-fetched.md).
const ReleaseKey = "release"

// PinKey is the key, under ReleaseKey, of the SHA-256 that pins the
// Worker's bundle in every stack file.
func (w Worker) PinKey() string { return ReleaseKey + ".sha256." + w.Name }

// BundleKey is the object key of the Worker's bundle of a release in the
// artifact store of an environment (environments/<env>.yaml artifacts):
// what the application pipeline publishes and the deploy fetches.
func (w Worker) BundleKey(version string) string { return artifacts.ObjectKey(w.Name, version) }
