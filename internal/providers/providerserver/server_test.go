package providerserver

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// echo reports, from Check, the configuration of the calling connection.
type echo struct{ *Base }

func (e echo) Check(ctx context.Context, _ *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	cfg := e.Config(ctx)
	props, err := Marshal(resource.PropertyMap{
		"token":  resource.NewStringProperty(cfg.String("apiToken")),
		"secret": resource.NewBoolProperty(cfg.IsSecret("apiToken")),
	})
	return &pulumirpc.CheckResponse{Inputs: props}, err
}

func dial(t *testing.T, port int) pulumirpc.ResourceProviderClient {
	t.Helper()
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pulumirpc.NewResourceProviderClient(conn)
}

// configure sends the token as the engine does: wrapped as a secret in
// args, in plaintext in the deprecated variables.
func configure(t *testing.T, c pulumirpc.ResourceProviderClient, token string) {
	t.Helper()
	args, err := plugin.MarshalProperties(resource.PropertyMap{
		"apiToken": resource.MakeSecret(resource.NewStringProperty(token)),
		"version":  resource.NewStringProperty("1.0.0"),
	}, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := args.GetFields()["apiToken"].GetStructValue().GetFields()[resource.SigKey]; !ok {
		t.Fatalf("the token is not wrapped with the secret signature: %v", args)
	}
	req := &pulumirpc.ConfigureRequest{Args: args, AcceptSecrets: true}
	//lint:ignore SA1019 the engine still sends the deprecated variables
	req.Variables = map[string]string{"test:config:apiToken": token}
	resp, err := c.Configure(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.GetAcceptSecrets() || !resp.GetSupportsPreview() {
		t.Fatalf("configure response = %v", resp)
	}
}

func checkToken(t *testing.T, c pulumirpc.ResourceProviderClient) (string, bool) {
	t.Helper()
	resp, err := c.Check(context.Background(), &pulumirpc.CheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Unmarshal(resp.GetInputs())
	if err != nil {
		t.Fatal(err)
	}
	return m["token"].StringValue(), m["secret"].BoolValue()
}

func TestServeConfiguresPerConnection(t *testing.T) {
	base := &Base{Package: "test", Version: "1.2.3"}
	port, stop, err := Serve(echo{base})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	a, b := dial(t, port), dial(t, port)
	if _, err := a.Handshake(context.Background(), &pulumirpc.ProviderHandshakeRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Attach(context.Background(), &pulumirpc.PluginAttach{Address: "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	info, err := a.GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil || info.GetVersion() != "1.2.3" {
		t.Fatalf("plugin info = %v, %v", info, err)
	}
	configure(t, a, "token-a")
	configure(t, b, "token-b")
	if tok, secret := checkToken(t, a); tok != "token-a" || !secret {
		t.Errorf("connection a sees %q (secret %v), want its own unwrapped secret token", tok, secret)
	}
	if tok, _ := checkToken(t, b); tok != "token-b" {
		t.Errorf("connection b sees %q, want token-b", tok)
	}
	// Cancel ends a run, not the server.
	if _, err := a.Cancel(context.Background(), &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, port)
	configure(t, c, "token-c")
	if tok, _ := checkToken(t, c); tok != "token-c" {
		t.Errorf("after Cancel a new connection sees %q", tok)
	}
}

func TestConfigForgottenWhenConnectionCloses(t *testing.T) {
	base := &Base{Package: "test", Version: "1.0.0"}
	port, stop, err := Serve(echo{base})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	configure(t, pulumirpc.NewResourceProviderClient(conn), "token")
	_ = conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		base.mu.Lock()
		n := len(base.configs)
		base.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d configurations kept after the connection closed", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDiffConfig(t *testing.T) {
	b := &Base{Package: "test"}
	olds, _ := Marshal(resource.PropertyMap{"apiToken": resource.MakeSecret(resource.NewStringProperty("x")), "version": resource.NewStringProperty("1")})
	same, _ := Marshal(resource.PropertyMap{"apiToken": resource.NewStringProperty("x"), "version": resource.NewStringProperty("2")})
	changed, _ := Marshal(resource.PropertyMap{"apiToken": resource.NewStringProperty("y")})
	resp, err := b.DiffConfig(context.Background(), &pulumirpc.DiffRequest{OldInputs: olds, News: same})
	if err != nil || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("same config: %v %v", resp, err)
	}
	resp, err = b.DiffConfig(context.Background(), &pulumirpc.DiffRequest{OldInputs: olds, News: changed})
	if err != nil || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(resp.GetReplaces()) != 0 {
		t.Fatalf("changed config: %v %v", resp, err)
	}
}

func TestEqual(t *testing.T) {
	s := func(v string) resource.PropertyValue { return resource.NewStringProperty(v) }
	obj := func(m resource.PropertyMap) resource.PropertyValue { return resource.NewObjectProperty(m) }
	if !Equal(resource.MakeSecret(s("a")), s("a")) {
		t.Error("a secret differs from its value")
	}
	if !Equal(obj(resource.PropertyMap{"a": s("1"), "b": resource.NewNullProperty()}), obj(resource.PropertyMap{"a": s("1")})) {
		t.Error("null differs from absent")
	}
	if Equal(obj(resource.PropertyMap{"a": s("1")}), obj(resource.PropertyMap{"a": s("2")})) {
		t.Error("different values are equal")
	}
	if Equal(resource.MakeComputed(s("")), resource.MakeComputed(s(""))) {
		t.Error("unknown values are equal")
	}
}

func TestConfigureFromVariables(t *testing.T) {
	b := &Base{Package: "gcp"}
	req := &pulumirpc.ConfigureRequest{}
	//lint:ignore SA1019 engines that send no args still send the variables
	req.Variables = map[string]string{"gcp:config:project": "proj", "gcp:config:batching": `{"enableBatching":true}`}
	if _, err := b.Configure(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	cfg := b.Config(context.Background())
	if cfg.String("project") != "proj" {
		t.Errorf("project = %q", cfg.String("project"))
	}
	if v, ok := cfg.props["batching"]; !ok || !v.IsObject() {
		t.Errorf("batching = %v, want the decoded JSON object", v)
	}
}
