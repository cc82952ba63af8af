package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

const (
	sharedAccount = "2d45fcd3b3e68735a6ab3542fb494c19"
	localAccount  = "10ca1000000000000000000000000001"
	localZoneID   = "10ca1000000000000000000000000002"
)

// zoneRoot writes a repository root with the given environment files.
func zoneRoot(t *testing.T, envs map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"environments", "projects"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range envs {
		if err := os.WriteFile(filepath.Join(root, "environments", name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var testEnvs = map[string]string{
	"local":   "cloudflare:\n  accountId: " + localAccount + "\n  zoneId: " + localZoneID + "\n  zoneName: clustera.test\n",
	"staging": "cloudflare:\n  accountId: " + sharedAccount + "\n  zoneName: clustera.io\n",
	"prod":    "cloudflare:\n  accountId: " + sharedAccount + "\n  zoneName: clustera.io\n",
	"juan1":   "extends: staging\n",
	"broken":  "cloudflare: [\n",
}

// TestEnvironmentZones checks the zones of the environment files: one per
// account and name, local's with its explicit ID, the others with the
// deterministic ID; a file that does not load defines none.
func TestEnvironmentZones(t *testing.T) {
	zones := sandbox.EnvironmentZones(zoneRoot(t, testEnvs))
	want := []sandbox.Zone{
		{ID: sandbox.ZoneID(sharedAccount, "clustera.io"), Name: "clustera.io", AccountID: sharedAccount},
		{ID: localZoneID, Name: "clustera.test", AccountID: localAccount},
	}
	if fmt.Sprint(zones) != fmt.Sprint(want) {
		t.Fatalf("zones %v, want %v", zones, want)
	}
	id := sandbox.ZoneID(sharedAccount, "clustera.io")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || id == sandbox.ZoneID(localAccount, "clustera.io") {
		t.Errorf("ZoneID = %q: not 32 hex characters, or not per account", id)
	}
	// The repository's own environment files.
	root, _ := filepath.Abs("../../..")
	var names []string
	for _, z := range sandbox.EnvironmentZones(root) {
		names = append(names, z.AccountID+"/"+z.Name)
	}
	if got := strings.Join(names, " "); got != sharedAccount+"/clustera.io "+localAccount+"/clustera.test" {
		t.Errorf("repository zones: %s", got)
	}
}

func filter(name, account string) resource.PropertyMap {
	f := resource.PropertyMap{"name": resource.NewStringProperty(name), "match": resource.NewStringProperty("all")}
	if account != "" {
		f["account"] = resource.NewObjectProperty(resource.PropertyMap{"id": resource.NewStringProperty(account)})
	}
	return resource.PropertyMap{"filter": resource.NewObjectProperty(f)}
}

// TestLookupZone checks the data source's rules: a filter that matches one
// zone returns every output of the schema; none or several fail like the
// provider; zoneId looks a zone up by ID; exactly one of them is needed.
func TestLookupZone(t *testing.T) {
	zones := sandbox.EnvironmentZones(zoneRoot(t, testEnvs))
	id := sandbox.ZoneID(sharedAccount, "clustera.io")

	out, err := sandbox.LookupZone(zones, filter("clustera.io", sharedAccount))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"id": id, "zoneId": id, "name": "clustera.io", "status": "active", "type": "full"} {
		if got := out[resource.PropertyKey(k)]; !got.IsString() || got.StringValue() != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	if acc := out["account"].ObjectValue()["id"]; acc.StringValue() != sharedAccount {
		t.Errorf("account = %v", out["account"])
	}
	for _, k := range []string{"activatedOn", "createdOn", "modifiedOn", "cnameSuffix", "developmentMode", "meta", "nameServers",
		"originalDnshost", "originalNameServers", "originalRegistrar", "owner", "paused", "permissions", "plan", "tenant",
		"tenantUnit", "vanityNameServers", "verificationKey", "filter"} {
		if _, ok := out[resource.PropertyKey(k)]; !ok {
			t.Errorf("output %s is missing", k)
		}
	}
	if out, err := sandbox.LookupZone(zones, filter("Clustera.IO", "")); err != nil || out["id"].StringValue() != id {
		t.Errorf("case-insensitive name without account: %v, %v", out["id"], err)
	}
	if out, err := sandbox.LookupZone(zones, resource.PropertyMap{"zoneId": resource.NewStringProperty(localZoneID)}); err != nil || out["name"].StringValue() != "clustera.test" {
		t.Errorf("by ID: %v, %v", out["name"], err)
	}

	for _, tc := range []struct {
		name string
		args resource.PropertyMap
		want string
	}{
		{"unknown zone", filter("clustera.dev", sharedAccount), "failed to find exactly one result: 0 found"},
		{"zone of another account", filter("clustera.test", sharedAccount), "failed to find exactly one result: 0 found"},
		{"unknown ID", resource.PropertyMap{"zoneId": resource.NewStringProperty("0123456789abcdef0123456789abcdef")}, "7003"},
		{"neither", resource.PropertyMap{}, "exactly one of these attributes must be configured: [zone_id,filter]"},
		{"operator", filter("contains:clustera", ""), "only exact zone names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sandbox.LookupZone(zones, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	anyMatch := filter("clustera.dev", localAccount)
	anyMatch["filter"].ObjectValue()["match"] = resource.NewStringProperty("any")
	if out, err := sandbox.LookupZone(zones, anyMatch); err != nil || out["id"].StringValue() != localZoneID {
		t.Errorf("match any: %v, %v", out["id"], err)
	}
}

// TestInvokeOverGRPC checks the data source as the engine calls it: Invoke
// of the sandbox's cloudflare provider; other tokens are not implemented.
func TestInvokeOverGRPC(t *testing.T) {
	sb, err := sandbox.Start(context.Background(), t.TempDir(), sandbox.WithRoot(zoneRoot(t, testEnvs)))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	port := strings.Split(strings.Split(sb.DebugProviders(), ",")[0], ":")[1]
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := pulumirpc.NewResourceProviderClient(conn)
	args, err := providerserver.Marshal(filter("clustera.io", sharedAccount))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: sandbox.GetZoneToken, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	out, err := providerserver.Unmarshal(resp.GetReturn())
	if err != nil || out["zoneId"].StringValue() != sandbox.ZoneID(sharedAccount, "clustera.io") {
		t.Fatalf("zoneId %v, %v", out["zoneId"], err)
	}
	args, _ = providerserver.Marshal(filter("clustera.dev", sharedAccount))
	if _, err := c.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: sandbox.GetZoneToken, Args: args}); err == nil || !strings.Contains(err.Error(), "0 found") {
		t.Errorf("unknown zone: %v", err)
	}
	_, err = c.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "cloudflare:index/getAccount:getAccount", Args: args})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "getAccount") {
		t.Errorf("other function: %v", err)
	}
	if zs := sb.Zones(); len(zs) != 2 {
		t.Errorf("Zones() = %v", zs)
	}
}

// TestZoneLookupThroughTheEngine runs a program that reads the zone through
// the real CLI and engine, in a preview and an update (invokes run in both),
// and one that reads an unknown zone.
func TestZoneLookupThroughTheEngine(t *testing.T) {
	bin := os.Getenv("INFRA_PULUMI")
	if bin == "" {
		t.Skip("INFRA_PULUMI is not set: set it to the pulumi CLI (e.g. INFRA_PULUMI=$PWD/bin/pulumi) to run the engine test")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	sb, err := sandbox.Start(ctx, filepath.Join(tmp, "sandbox"), sandbox.WithRoot(zoneRoot(t, testEnvs)))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: filepath.Dir(filepath.Dir(bin))})
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(tmp, "state")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		t.Fatal(err)
	}
	var got []string
	lookup := func(zone string) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			var res struct {
				ZoneID string `pulumi:"zoneId"`
				Name   string `pulumi:"name"`
			}
			args := map[string]any{"filter": map[string]any{"name": zone, "match": "all", "account": map[string]any{"id": sharedAccount}}}
			if err := ctx.Invoke(sandbox.GetZoneToken, args, &res, pulumi.Version(sandbox.CloudflareVersion)); err != nil {
				return err
			}
			got = append(got, res.Name+"="+res.ZoneID)
			ctx.Export("zoneId", pulumi.String(res.ZoneID))
			return nil
		}
	}
	stack := func(name, zone string) auto.Stack {
		st, err := auto.UpsertStackInlineSource(ctx, name, "sandbox-zone-test", lookup(zone),
			auto.Pulumi(cmd), auto.WorkDir(tmp), auto.PulumiHome(filepath.Join(tmp, "home")),
			auto.Project(workspace.Project{Name: "sandbox-zone-test", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}),
			auto.EnvVars(map[string]string{
				"PULUMI_BACKEND_URL": "file://" + backend, "PULUMI_CONFIG_PASSPHRASE": "sandbox-test",
				"PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
				"PULUMI_DEBUG_PROVIDERS": sb.DebugProviders(),
			}))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	id := sandbox.ZoneID(sharedAccount, "clustera.io")
	st := stack("staging", "clustera.io")
	if _, err := st.Preview(ctx, optpreview.Diff()); err != nil {
		t.Fatalf("preview: %v", err)
	}
	res, err := st.Up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if res.Outputs["zoneId"].Value != id || len(got) != 2 || got[0] != "clustera.io="+id {
		t.Errorf("outputs %v, lookups %v", res.Outputs, got)
	}
	bad := stack("prod", "clustera.dev")
	_, err = bad.Preview(ctx)
	if err == nil || !strings.Contains(err.Error(), "failed to find exactly one result: 0 found") {
		t.Errorf("unknown zone: %v", err)
	}
}
