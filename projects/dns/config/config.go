// Package config reads the configuration of the dns project: the DNS zone
// from the environment settings and the cluster nodes from the stack
// configuration. Load validates everything before any resource is
// registered and reports every problem at once, each naming the node.
package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TTL is the time to live of every record, in seconds, and Proxied tells
// whether records go through the Cloudflare proxy: the nodes are reached
// directly, as in the original infrastructure.
const (
	TTL     = 300
	Proxied = false
)

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// ZoneName is the DNS zone of every record. ZoneID is its ID when the
	// environment file sets cloudflare.zoneId; empty means the program looks
	// the zone up by name (program.zoneID).
	ZoneID, ZoneName string
	// Nodes are the cluster nodes, with normalized domains.
	Nodes []Node
}

// Node is one cluster node: one A record per IP address, all with the
// node's domain.
type Node struct {
	Name   string   `json:"name"`
	IPs    []string `json:"ips"`
	Domain string   `json:"domain"`
}

// Record is one A record.
type Record struct {
	Node string
	FQDN string
	IP   string
}

// Records returns every record, in configuration order.
func (c *Config) Records() []Record {
	var out []Record
	for _, n := range c.Nodes {
		for _, ip := range n.IPs {
			out = append(out, Record{Node: n.Name, FQDN: n.Domain, IP: ip})
		}
	}
	return out
}

// Load reads and validates the configuration of the running stack.
func Load(ctx *pulumi.Context) (*Config, error) {
	env, err := environment.ForStack(ctx)
	if err != nil {
		return nil, fmt.Errorf("dns: environment: %w", err)
	}
	var list problems.List
	env.Require(&list, environment.NeedCloudflareZone)
	r := stackconfig.New(ctx, &list)
	c := &Config{Env: env, ZoneID: env.Cloudflare.ZoneID, ZoneName: env.Cloudflare.ZoneName}
	c.Nodes = readNodes(r, env)
	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

var nodeName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// MaxNodeName keeps the record comment, which names the node, within the
// 100 characters Cloudflare accepts.
const MaxNodeName = 32

func readNodes(r *stackconfig.Reader, env *environment.Settings) []Node {
	var nodes []Node
	if !r.Object("nodes", &nodes) {
		r.Problem("nodes", "is missing", "list the cluster nodes as {name, ips, domain}; use nodes: [] for none")
		return nil
	}
	zone := env.Cloudflare.ZoneName
	names := map[string]int{}
	records := map[string]string{}
	var out []Node
	for i, n := range nodes {
		at := func(field string) string { return fmt.Sprintf("nodes[%d].%s", i, field) }
		label := fmt.Sprintf("node %q", n.Name)
		switch {
		case n.Name == "":
			r.Problem(at("name"), "is missing", "name the node, e.g. \"1\" or \"staging-1\"")
			label = fmt.Sprintf("node #%d", i)
		case !nodeName.MatchString(n.Name) || len(n.Name) > MaxNodeName:
			r.Problemf(at("name"), fmt.Sprintf("use at most %d lowercase letters, digits and '-'", MaxNodeName), "%s: the name is not valid", label)
		default:
			if prev, dup := names[n.Name]; dup {
				r.Problemf(at("name"), "give every node its own name", "%s: the name is also used by nodes[%d]", label, prev)
			}
			names[n.Name] = i
		}

		domain := strings.TrimSuffix(strings.ToLower(n.Domain), ".")
		domainOK := false
		switch {
		case domain == "":
			r.Problemf(at("domain"), fmt.Sprintf("set the node's fully qualified name, e.g. %s-1.%s", env.Name, zone), "%s: the domain is missing", label)
		case naming.Validate(naming.Hostname, domain) != nil:
			r.Problemf(at("domain"), "use a domain name of lowercase letters, digits, '-' and '.'", "%s: %q is not a valid domain name", label, n.Domain)
		case zone != "" && domain != zone && !strings.HasSuffix(domain, "."+zone):
			r.Problemf(at("domain"), fmt.Sprintf("use a name in the zone of %s, such as %s-1.%s", env.File, env.Name, zone),
				"%s: %s is outside the zone %s", label, domain, zone)
		case !env.IsProd() && !carriesEnv(domain, zone, env.Name):
			r.Problemf(at("domain"), fmt.Sprintf("put the environment in the name, e.g. %s-1.%s", env.Name, zone),
				"%s: %s does not carry the environment %q; outside prod every name does, so stacks sharing the zone never collide", label, domain, env.Name)
		default:
			domainOK = true
		}

		if len(n.IPs) == 0 {
			r.Problemf(at("ips"), "list at least one IPv4 address; remove the node to drop its records", "%s has no IP address", label)
		}
		var ips []string
		for j, raw := range n.IPs {
			key := fmt.Sprintf("nodes[%d].ips[%d]", i, j)
			ip, err := parseIPv4(raw)
			if err != nil {
				r.Problemf(key, "use an IPv4 address such as 203.0.113.10", "%s: %v", label, err)
				continue
			}
			if domainOK {
				rec := domain + "/" + ip
				if prev, dup := records[rec]; dup {
					r.Problemf(key, "remove the duplicate address", "%s: %s → %s is already declared by %s", label, domain, ip, prev)
					continue
				}
				records[rec] = label
			}
			ips = append(ips, ip)
		}
		out = append(out, Node{Name: n.Name, IPs: ips, Domain: domain})
	}
	return out
}

// carriesEnv reports whether a label of domain, outside the zone, is the
// environment name or starts with "<env>-".
func carriesEnv(domain, zone, env string) bool {
	sub := strings.TrimSuffix(strings.TrimSuffix(domain, zone), ".")
	if sub == "" {
		return false
	}
	for _, l := range strings.Split(sub, ".") {
		if l == env || strings.HasPrefix(l, env+"-") {
			return true
		}
	}
	return false
}

// parseIPv4 parses an address for an A record: IPv4, in canonical form,
// and routable (not unspecified, loopback, link-local, multicast or the
// broadcast address).
func parseIPv4(raw string) (string, error) {
	ip, err := netip.ParseAddr(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not an IP address", raw)
	case ip.Is6() && !ip.Is4In6():
		return "", fmt.Errorf("%q is an IPv6 address; A records hold IPv4 addresses", raw)
	case ip.Is4In6() || ip.Zone() != "":
		return "", fmt.Errorf("%q is not a plain IPv4 address", raw)
	case ip.IsUnspecified() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "", fmt.Errorf("%q cannot be reached as a node address", raw)
	}
	return ip.String(), nil
}
