// Package program declares the DNS A records of the cluster nodes in the
// environment's Cloudflare zone: one record per node address, with a fixed
// TTL, not proxied. The zone's ID is looked up by its name unless the
// environment file sets it. Its outputs are the DNS contract.
package program

import (
	"fmt"
	"sort"

	"github.com/clustera/infra/projects/dns/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/tags"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NodeType is the component type of one node's records.
const NodeType = "clustera:dns:Node"

// RecordType is the type of every record.
const RecordType = "A"

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy validates the configuration, resolves the zone, declares the
// records and returns the contract. Nothing is registered when the
// configuration is invalid or the zone is not found.
func Deploy(ctx *pulumi.Context) (contracts.DNS, error) {
	var zero contracts.DNS
	cfg, err := config.Load(ctx)
	if err != nil {
		return zero, err
	}
	zone, err := zoneID(ctx, cfg)
	if err != nil {
		return zero, err
	}
	recordTags := pulumi.ToStringArray(tags.For(ctx).Cloudflare())
	records := pulumi.StringMap{}
	fqdns := map[string]bool{}
	for _, n := range cfg.Nodes {
		comp := &pulumi.ResourceState{}
		if err := ctx.RegisterComponentResource(NodeType, n.Name, comp); err != nil {
			return zero, fmt.Errorf("node %s: %w", n.Name, err)
		}
		for _, ip := range n.IPs {
			rec, err := cloudflare.NewDnsRecord(ctx, n.Domain+"-"+ip, &cloudflare.DnsRecordArgs{
				ZoneId:  pulumi.String(zone),
				Name:    pulumi.String(n.Domain),
				Type:    pulumi.String(RecordType),
				Content: pulumi.String(ip),
				Ttl:     pulumi.Float64(config.TTL),
				Proxied: pulumi.Bool(config.Proxied),
				Comment: pulumi.String(fmt.Sprintf("Cluster node %s (%s), managed by Pulumi project %s", n.Name, cfg.Env.Name, ctx.Project())),
				Tags:    recordTags,
			}, pulumi.Parent(comp))
			if err != nil {
				return zero, fmt.Errorf("node %s: record %s → %s: %w", n.Name, n.Domain, ip, err)
			}
			records[n.Domain+"/"+ip] = rec.ID().ToStringOutput()
			fqdns[n.Domain] = true
		}
		if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{"domain": pulumi.String(n.Domain)}); err != nil {
			return zero, err
		}
	}
	sorted := make([]string, 0, len(fqdns))
	for d := range fqdns {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	return contracts.DNS{
		FQDNs:   pulumi.ToStringArray(sorted).ToStringArrayOutput(),
		Records: records.ToStringMapOutput(),
	}, nil
}
