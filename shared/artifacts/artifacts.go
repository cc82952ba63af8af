// Package artifacts describes the Worker bundles a stack pins and the
// artifact store the application pipeline publishes them to: an R2 bucket
// read through its S3 API, one object per Worker and release,
// workers/<worker>/<version>/index.js, each pinned by its SHA-256. The
// fetch itself (verification, cache) is package artifacts/fetch; this
// package links no S3 client, so the orchestrator and the sandbox can share
// its names. See docs/decisions/0025-worker-code-pinned-and-fetched.md.
package artifacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// Environment variables the fetch reads. The orchestrator sets the
// INFRA_ARTIFACTS_* ones for the sandbox (env=local and rehearsals): they
// override the endpoint of environments/<env>.yaml and the credentials.
// Everywhere else the credentials are the R2 token of the state backend.
const (
	EnvEndpoint        = "INFRA_ARTIFACTS_ENDPOINT"
	EnvAccessKeyID     = "INFRA_ARTIFACTS_ACCESS_KEY_ID"
	EnvSecretAccessKey = "INFRA_ARTIFACTS_SECRET_ACCESS_KEY"
	// EnvCache overrides the cache folder (default: the user cache folder,
	// $XDG_CACHE_HOME/clustera-infra/workers on Linux).
	EnvCache = "INFRA_ARTIFACTS_CACHE"

	EnvAWSAccessKeyID     = "AWS_ACCESS_KEY_ID"
	EnvAWSSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
)

// MaxBundleBytes is the largest bundle accepted: 10 MiB, Cloudflare's
// compressed script limit of the paid plan (an uncompressed bundle above it
// is certainly too large).
const MaxBundleBytes = 10 << 20

// MainModule is the file name of every bundle's main module: the object
// key's last element.
const MainModule = "index.js"

// ObjectKey is the key of a Worker's bundle of a release in the store.
func ObjectKey(worker, version string) string {
	return "workers/" + worker + "/" + version + "/" + MainModule
}

var (
	versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$`)
	sha256RE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ValidVersion reports whether v can name a release: 1-64 letters, digits,
// '.', '_' and '-', starting with a letter or digit (it is a path element
// of the object key).
func ValidVersion(v string) bool { return versionRE.MatchString(v) }

// ValidSHA256 reports whether s is a SHA-256 in lowercase hex.
func ValidSHA256(s string) bool { return sha256RE.MatchString(s) }

// SHA256 returns the lowercase hex SHA-256 of data.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Release is what a stack pins (cloudflare-workers:release): one version
// of the application's Workers and the SHA-256 of each Worker's bundle.
type Release struct {
	Version string            `json:"version"`
	SHA256  map[string]string `json:"sha256"`
}

// Pin is one bundle to fetch: the Worker, the release and its hash.
type Pin struct {
	Worker, Version, SHA256 string
}

// Key is the pin's object key.
func (p Pin) Key() string { return ObjectKey(p.Worker, p.Version) }

// Pins returns the release's pins for the given Workers, in their order.
func (r Release) Pins(workers []string) []Pin {
	out := make([]Pin, 0, len(workers))
	for _, w := range workers {
		out = append(out, Pin{Worker: w, Version: r.Version, SHA256: r.SHA256[w]})
	}
	return out
}

// PlaceholderBundle is the bundle the sandbox's store publishes for a
// Worker at a release: the committed placeholder module (base) followed by
// a comment naming both, so each Worker and release has its own,
// deterministic hash. Committed pins of placeholder releases are
// SHA256(PlaceholderBundle(...)); see PlaceholderRelease.
func PlaceholderBundle(base []byte, worker, version string) []byte {
	var b bytes.Buffer
	b.Write(base)
	if len(base) > 0 && base[len(base)-1] != '\n' {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "// clustera-infra placeholder release %s of Worker %s (published by the sandbox's artifact store)\n", version, worker)
	return b.Bytes()
}

// PlaceholderRelease returns the pins of a placeholder release of the
// Workers: what the sandbox's store serves for that version.
func PlaceholderRelease(base []byte, version string, workers []string) Release {
	r := Release{Version: version, SHA256: map[string]string{}}
	for _, w := range workers {
		r.SHA256[w] = SHA256(PlaceholderBundle(base, w, version))
	}
	return r
}

// Store is where the bundles are: an S3 endpoint and a bucket, with the
// credentials to read it.
type Store struct {
	// Endpoint is an http(s) URL: https://<account>.r2.cloudflarestorage.com,
	// or the sandbox's http://127.0.0.1:<port>.
	Endpoint string
	Bucket   string
	// AccessKeyID and SecretAccessKey are an R2 API token with Object Read
	// on the bucket (the state backend's).
	AccessKeyID, SecretAccessKey string
}

// Kind classifies a fetch failure.
type Kind string

// The kinds of fetch failure.
const (
	// NotFound: the object (or the bucket) does not exist.
	NotFound Kind = "not-found"
	// Mismatch: the object's SHA-256 is not the pin's.
	Mismatch Kind = "sha256-mismatch"
	// Invalid: the object is empty or too large.
	Invalid Kind = "invalid"
	// NoCredentials: the bundle is not cached and no credentials are set.
	NoCredentials Kind = "no-credentials"
	// Denied: the store refused the credentials.
	Denied Kind = "denied"
	// Unreachable: the store could not be reached or answered an error.
	Unreachable Kind = "unreachable"
)

// Error is a failed fetch of one bundle: what is wrong and how to fix it.
type Error struct {
	Kind Kind
	Pin  Pin
	Msg  string
	Fix  string
}

func (e *Error) Error() string { return e.Msg + "; fix: " + e.Fix }

// DefaultCacheDir is $INFRA_ARTIFACTS_CACHE, else clustera-infra/workers in
// the user cache folder ($XDG_CACHE_HOME or ~/.cache on Linux); "" when
// there is none.
func DefaultCacheDir() string {
	if d := os.Getenv(EnvCache); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "clustera-infra", "workers")
}

// FromEnvironment returns the store of an environment: the endpoint and
// bucket of its environment file, with $INFRA_ARTIFACTS_ENDPOINT (the
// sandbox) overriding the endpoint, and the credentials of
// $INFRA_ARTIFACTS_ACCESS_KEY_ID/$INFRA_ARTIFACTS_SECRET_ACCESS_KEY, else
// $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY.
func FromEnvironment(endpoint, bucket string) Store {
	st := Store{Endpoint: endpoint, Bucket: bucket,
		AccessKeyID: os.Getenv(EnvAWSAccessKeyID), SecretAccessKey: os.Getenv(EnvAWSSecretAccessKey)}
	if e := os.Getenv(EnvEndpoint); e != "" {
		st.Endpoint = e
	}
	if id, secret := os.Getenv(EnvAccessKeyID), os.Getenv(EnvSecretAccessKey); id != "" || secret != "" {
		st.AccessKeyID, st.SecretAccessKey = id, secret
	}
	return st
}
