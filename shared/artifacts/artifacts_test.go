package artifacts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/artifacts"
)

const (
	bucket  = "clustera-worker-artifacts"
	version = "2026.12.01-3"
)

func TestPlaceholderRelease(t *testing.T) {
	base := []byte("export default {};\n")
	r := artifacts.PlaceholderRelease(base, version, []string{"dome-api", "silo"})
	if r.Version != version || len(r.SHA256) != 2 || r.SHA256["dome-api"] == r.SHA256["silo"] {
		t.Fatalf("release %+v", r)
	}
	b := artifacts.PlaceholderBundle(base, "silo", version)
	if !bytes.HasPrefix(b, base) || !strings.Contains(string(b), "release "+version+" of Worker silo") || artifacts.SHA256(b) != r.SHA256["silo"] {
		t.Fatalf("bundle %q", b)
	}
	if other := artifacts.PlaceholderRelease(base, "2026.12.02-1", []string{"silo"}); other.SHA256["silo"] == r.SHA256["silo"] {
		t.Error("two releases of the placeholder hash alike")
	}
	for v, ok := range map[string]bool{version: true, "v1": true, "": false, "a/b": false, "-1": false, strings.Repeat("1", 65): false} {
		if artifacts.ValidVersion(v) != ok {
			t.Errorf("ValidVersion(%q) = %v", v, !ok)
		}
	}
}

func TestFromEnvironment(t *testing.T) {
	t.Setenv(artifacts.EnvEndpoint, "")
	t.Setenv(artifacts.EnvAccessKeyID, "")
	t.Setenv(artifacts.EnvSecretAccessKey, "")
	t.Setenv(artifacts.EnvAWSAccessKeyID, "aws-id")
	t.Setenv(artifacts.EnvAWSSecretAccessKey, "aws-secret")
	st := artifacts.FromEnvironment("https://acc.r2.cloudflarestorage.com", bucket)
	if st.Endpoint != "https://acc.r2.cloudflarestorage.com" || st.AccessKeyID != "aws-id" || st.SecretAccessKey != "aws-secret" {
		t.Fatalf("%+v", st)
	}
	t.Setenv(artifacts.EnvEndpoint, "http://127.0.0.1:9")
	t.Setenv(artifacts.EnvAccessKeyID, "sandbox")
	t.Setenv(artifacts.EnvSecretAccessKey, "sandbox-secret")
	st = artifacts.FromEnvironment("https://acc.r2.cloudflarestorage.com", bucket)
	if st.Endpoint != "http://127.0.0.1:9" || st.AccessKeyID != "sandbox" || st.SecretAccessKey != "sandbox-secret" || st.Bucket != bucket {
		t.Fatalf("%+v", st)
	}
}
