// Package fetch fetches the Worker bundles a stack pins from the artifact
// store (package artifacts): every bundle is verified against the SHA-256
// of its pin before use and cached by that hash, so a deploy downloads each
// bundle once per machine, and a cached file is verified again before it is
// used. The fetch is the same on a laptop, in CI and against the sandbox's
// store. See docs/decisions/0025-worker-code-pinned-and-fetched.md.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/atomicfile"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Fetcher fetches, verifies and caches bundles. It is safe for concurrent
// use.
type Fetcher struct {
	Store artifacts.Store
	// CacheDir holds verified bundles named by their SHA-256; "" disables
	// the cache.
	CacheDir string
	// PinFile names the stack file holding the pins, for messages
	// ("projects/cloudflare-workers/Pulumi.staging.yaml").
	PinFile string
	// MaxRetries bounds the S3 client's retries of one request; 0 means 3.
	MaxRetries int

	once   sync.Once
	client *minio.Client
	err    error
}

// Fetch returns the bundle of p, verified against p.SHA256: from the cache
// when a cached copy still hashes to the pin, else from the store (and
// then caches it). Failures are *artifacts.Error.
func (f *Fetcher) Fetch(ctx context.Context, p artifacts.Pin) ([]byte, error) {
	if data, ok := f.cached(p.SHA256); ok {
		return data, nil
	}
	data, err := f.download(ctx, p)
	if err != nil {
		return nil, err
	}
	if got := artifacts.SHA256(data); got != p.SHA256 {
		return nil, &artifacts.Error{Kind: artifacts.Mismatch, Pin: p,
			Msg: fmt.Sprintf("sha256 mismatch for %s in bucket %s: the pin in %s says %s, the object is %s", p.Key(), f.Store.Bucket, f.pinFile(), p.SHA256, got),
			Fix: fmt.Sprintf("if the application pipeline republished release %s, pin the sha256 it reported for the new object (never the hash of an object nobody built); otherwise restore the published object, or pin another release", p.Version)}
	}
	f.store(p.SHA256, data)
	return data, nil
}

func (f *Fetcher) pinFile() string {
	if f.PinFile == "" {
		return "the stack configuration"
	}
	return f.PinFile
}

// cached returns the cached bundle of sum after verifying it again; a
// cached file that no longer hashes to its name is removed.
func (f *Fetcher) cached(sum string) ([]byte, bool) {
	if f.CacheDir == "" || !artifacts.ValidSHA256(sum) {
		return nil, false
	}
	path := filepath.Join(f.CacheDir, sum)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	if artifacts.SHA256(data) != sum || len(data) == 0 || len(data) > artifacts.MaxBundleBytes {
		_ = os.Remove(path)
		return nil, false
	}
	return data, true
}

// store caches a verified bundle; a cache that cannot be written only
// costs a download next time.
func (f *Fetcher) store(sum string, data []byte) {
	if f.CacheDir == "" || !artifacts.ValidSHA256(sum) {
		return
	}
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		return
	}
	_ = atomicfile.Write(filepath.Join(f.CacheDir, sum), data, 0o644)
}

func (f *Fetcher) download(ctx context.Context, p artifacts.Pin) ([]byte, error) {
	st := f.Store
	fail := func(kind artifacts.Kind, fix, format string, args ...any) error {
		return &artifacts.Error{Kind: kind, Pin: p, Msg: fmt.Sprintf(format, args...), Fix: fix}
	}
	if st.AccessKeyID == "" || st.SecretAccessKey == "" {
		return nil, fail(artifacts.NoCredentials,
			fmt.Sprintf("export %s and %s: the R2 API token of the state backend, with Object Read on bucket %s", artifacts.EnvAWSAccessKeyID, artifacts.EnvAWSSecretAccessKey, st.Bucket),
			"%s (bucket %s) is not cached and %s/%s are not set, so it cannot be fetched", p.Key(), st.Bucket, artifacts.EnvAWSAccessKeyID, artifacts.EnvAWSSecretAccessKey)
	}
	c, err := f.s3()
	if err != nil {
		return nil, fail(artifacts.Unreachable, "fix the store's endpoint (artifacts.endpoint, or cloudflare.accountId for R2)", "artifact store %s: %v", st.Endpoint, err)
	}
	obj, err := c.GetObject(ctx, st.Bucket, p.Key(), minio.GetObjectOptions{})
	if err != nil {
		return nil, f.classify(p, err)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		return nil, f.classify(p, err)
	}
	switch {
	case info.Size == 0:
		return nil, fail(artifacts.Invalid, "publish the Worker's bundle again from the application pipeline, or pin a release that has it",
			"%s in bucket %s is empty", p.Key(), st.Bucket)
	case info.Size > artifacts.MaxBundleBytes:
		return nil, fail(artifacts.Invalid, "shrink the Worker's bundle (Cloudflare rejects larger scripts), publish it as a new release and pin that",
			"%s in bucket %s is %d bytes, above the %d-byte script limit", p.Key(), st.Bucket, info.Size, artifacts.MaxBundleBytes)
	}
	data, err := io.ReadAll(io.LimitReader(obj, artifacts.MaxBundleBytes+1))
	if err != nil {
		return nil, f.classify(p, err)
	}
	if len(data) > artifacts.MaxBundleBytes {
		return nil, fail(artifacts.Invalid, "shrink the Worker's bundle, publish it as a new release and pin that",
			"%s in bucket %s is above the %d-byte script limit", p.Key(), st.Bucket, artifacts.MaxBundleBytes)
	}
	return data, nil
}

// classify turns an S3 client error into an *artifacts.Error.
func (f *Fetcher) classify(p artifacts.Pin, err error) error {
	st := f.Store
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || (resp.Code == "" && resp.StatusCode == 404):
		return &artifacts.Error{Kind: artifacts.NotFound, Pin: p,
			Msg: fmt.Sprintf("%s is not in bucket %s", p.Key(), st.Bucket),
			Fix: fmt.Sprintf("publish release %s of Worker %s from the application pipeline, or pin a version that exists (%s)", p.Version, p.Worker, f.pinFile())}
	case resp.Code == minio.NoSuchBucket:
		return &artifacts.Error{Kind: artifacts.NotFound, Pin: p,
			Msg: fmt.Sprintf("bucket %s does not exist at %s, so %s cannot be fetched", st.Bucket, st.Endpoint, p.Key()),
			Fix: "set artifacts.bucket (and artifacts.endpoint) of the environment file to the bucket the application pipeline publishes to"}
	case resp.StatusCode == 401 || resp.StatusCode == 403 || resp.Code == "AccessDenied" || resp.Code == "InvalidAccessKeyId" || resp.Code == "SignatureDoesNotMatch":
		return &artifacts.Error{Kind: artifacts.Denied, Pin: p,
			Msg: fmt.Sprintf("bucket %s at %s refused to serve %s: %s", st.Bucket, st.Endpoint, p.Key(), describe(err)),
			Fix: fmt.Sprintf("export %s/%s of an R2 API token with Object Read on bucket %s (the state backend's token)", artifacts.EnvAWSAccessKeyID, artifacts.EnvAWSSecretAccessKey, st.Bucket)}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) || resp.StatusCode == 0 {
		return &artifacts.Error{Kind: artifacts.Unreachable, Pin: p,
			Msg: fmt.Sprintf("cannot fetch %s from %s: %s", p.Key(), st.Endpoint, describe(err)),
			Fix: "check the network and the store's endpoint (artifacts.endpoint, or the account's R2 endpoint), then run again"}
	}
	return &artifacts.Error{Kind: artifacts.Unreachable, Pin: p,
		Msg: fmt.Sprintf("fetching %s from bucket %s at %s failed: %s", p.Key(), st.Bucket, st.Endpoint, describe(err)),
		Fix: "run again; if it persists, check the store (R2 status) and the token's permissions"}
}

func describe(err error) string {
	resp := minio.ToErrorResponse(err)
	if resp.Code != "" {
		return fmt.Sprintf("%s (HTTP %d): %s", resp.Code, resp.StatusCode, resp.Message)
	}
	return err.Error()
}

func (f *Fetcher) s3() (*minio.Client, error) {
	f.once.Do(func() {
		u, err := url.Parse(f.Store.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			f.err = fmt.Errorf("endpoint %q is not an http(s) URL of a host", f.Store.Endpoint)
			return
		}
		retries := f.MaxRetries
		if retries <= 0 {
			retries = 3
		}
		f.client, f.err = minio.New(u.Host, &minio.Options{
			Creds:        credentials.NewStaticV4(f.Store.AccessKeyID, f.Store.SecretAccessKey, ""),
			Secure:       u.Scheme == "https",
			Region:       "auto", // R2's only region
			BucketLookup: minio.BucketLookupPath,
			MaxRetries:   retries,
		})
	})
	return f.client, f.err
}
