package program_test

import (
	"reflect"
	"strings"
	"testing"

	storage "github.com/clustera/infra/projects/cloudflare-storage/program"
	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/mocktest"
)

// storageExports runs the real cloudflare-storage program for stack and
// returns its resolved contract outputs.
func storageExports(t *testing.T, stack string) map[string]any {
	t.Helper()
	res, err := mocktest.RunContract(contracts.CloudflareStorageProject, stack, storage.Deploy, mocktest.Options{})
	if err != nil {
		t.Fatalf("cloudflare-storage %s: %v", stack, err)
	}
	if len(res.Exports) != len(contracts.Keys(contracts.CloudflareStorage{})) {
		t.Fatalf("cloudflare-storage exported %v", res.Exports)
	}
	return res.Exports
}

// TestContractWithStorage feeds the outputs of the real storage program to
// the workers program: it succeeds, reads only its declared upstream, and
// binds exactly what storage exported.
func TestContractWithStorage(t *testing.T) {
	for _, stack := range []string{"local", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			exports := storageExports(t, stack)
			opts := options(stack, nil)
			opts.Upstreams = map[string]map[string]any{contracts.CloudflareStorageProject: exports}
			res, err := mocktest.Run(project, stack, program.Program, opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"organization/cloudflare-storage/" + stack}; !reflect.DeepEqual(res.StackRefs, want) {
				t.Errorf("StackRefs = %v, want only %v", res.StackRefs, want)
			}
			if got := contracts.Upstreams(project); !reflect.DeepEqual(got, []string{contracts.CloudflareStorageProject}) {
				t.Errorf("declared upstreams = %v", got)
			}
			names := func(key string) map[string]any { return exports[key].(map[string]any) }
			silo := bindingsOf(find(t, res, scriptType, "silo"))
			if silo["DB"] != "d1 id="+names("d1DatabaseIds")["silo"].(string) {
				t.Errorf("silo DB = %q, storage exported %v", silo["DB"], names("d1DatabaseIds"))
			}
			if silo["BUCKET"] != "r2_bucket bucketName="+names("bucketNames")["silo-content"].(string) {
				t.Errorf("silo BUCKET = %q", silo["BUCKET"])
			}
			if silo["NEW_CONTENT_AI"] != "queue queueName="+names("queueNames")["new-content-ai"].(string) {
				t.Errorf("silo NEW_CONTENT_AI = %q", silo["NEW_CONTENT_AI"])
			}
			if c := bindingsOf(find(t, res, scriptType, "constellation")); c["VECTORIZE"] != "vectorize indexName="+exports["vectorizeIndexName"].(string) {
				t.Errorf("constellation VECTORIZE = %q", c["VECTORIZE"])
			}
			c := find(t, res, consumerType, "new-content-constellation-consumer")
			if c.String("queueId") != names("queueIds")["new-content-constellation"] || c.String("deadLetterQueue") != names("queueNames")["embed-dead-letter"] {
				t.Errorf("constellation consumer = %v", c.Inputs)
			}
		})
	}
}

// TestContractMissingKeyFails removes a key, then a map entry, from the
// storage outputs: the workers program fails naming what is missing.
func TestContractMissingKeyFails(t *testing.T) {
	exports := storageExports(t, "local")
	without := func(key string) map[string]any {
		out := map[string]any{}
		for k, v := range exports {
			if k != key {
				out[k] = v
			}
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		upstream map[string]any
		want     string
	}{
		{"queueIds", without("queueIds"), `stack organization/cloudflare-storage/local has no output "queueIds"`},
		{"vectorizeIndexName", without("vectorizeIndexName"), `stack organization/cloudflare-storage/local has no output "vectorizeIndexName"`},
		{"queueNames entry", func() map[string]any {
			out := without("queueNames")
			q := map[string]any{}
			for k, v := range exports["queueNames"].(map[string]any) {
				if k != "dome-events" {
					q[k] = v
				}
			}
			out["queueNames"] = q
			return out
		}(), `cloudflare-storage output "queueNames" has no entry "dome-events"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := options("local", nil)
			opts.Upstreams = map[string]map[string]any{contracts.CloudflareStorageProject: tc.upstream}
			_, err := mocktest.Run(project, "local", program.Program, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestMissingStorageStackFails checks that a workers stack whose storage
// stack does not exist fails.
func TestMissingStorageStackFails(t *testing.T) {
	opts := options("local", nil)
	opts.Upstreams = nil
	_, err := mocktest.Run(project, "local", program.Program, opts)
	if err == nil || !strings.Contains(err.Error(), `unknown stack "organization/cloudflare-storage/local"`) {
		t.Fatalf("err = %v", err)
	}
}
