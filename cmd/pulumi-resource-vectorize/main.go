// Command pulumi-resource-vectorize is the in-repo Pulumi provider of
// Cloudflare Vectorize indexes (package "vectorize", see
// internal/providers/vectorize), served as a normal plugin: put it on PATH (or in
// bin/) and a stock `pulumi up` finds it. The API token comes from the
// secret provider config vectorize:apiToken or CLOUDFLARE_API_TOKEN.
package main

import (
	"fmt"
	"os"

	"github.com/clustera/infra/internal/providers/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	err := provider.Main("vectorize", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return vectorize.NewProvider(vectorize.Options{}), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
