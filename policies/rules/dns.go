package rules

import (
	"net/netip"
)

// Policy names of the DNS rules.
const (
	DNSARecordNotProxied = "dns-a-record-not-proxied"
	DNSARecordTTL        = "dns-a-record-ttl"
	DNSARecordContent    = "dns-a-record-content"
)

// aRecord reports whether r is a Cloudflare DNS record of type A. A record
// whose type is not known yet is not checked.
func aRecord(r Resource) bool {
	if r.Type != TypeDNSRecord {
		return false
	}
	t, ok := r.Get("type").Str()
	return ok && t == "A"
}

func dnsARecordNotProxied() Policy {
	return Policy{
		Name:        DNSARecordNotProxied,
		Description: "DNS A records of cluster nodes point at the nodes directly: they are not proxied through Cloudflare.",
		Types:       []string{TypeDNSRecord},
		Resource: func(r Resource, _ Config) []Violation {
			if !aRecord(r) {
				return nil
			}
			if p, ok := r.Get("proxied").Bool(); ok && p {
				return []Violation{violation(DNSARecordNotProxied, r, "set proxied to false (or leave it unset)", "the A record is proxied through Cloudflare")}
			}
			return nil
		},
	}
}

func dnsARecordTTL() Policy {
	return Policy{
		Name:        DNSARecordTTL,
		Description: "DNS A records use the agreed TTL (300 seconds unless configured).",
		Types:       []string{TypeDNSRecord},
		Properties: map[string]Property{
			"minTtl": {Type: "integer", Description: "Lowest TTL in seconds.", Default: 300},
			"maxTtl": {Type: "integer", Description: "Highest TTL in seconds.", Default: 300},
		},
		Resource: func(r Resource, c Config) []Violation {
			if !aRecord(r) {
				return nil
			}
			lo, hi := c.Float("minTtl"), c.Float("maxTtl")
			fix := sprintf("set ttl to %v", lo)
			if lo != hi {
				fix = sprintf("set ttl between %v and %v seconds", lo, hi)
			}
			v := r.Get("ttl")
			if v.Unknown {
				return nil
			}
			if v.Absent {
				return []Violation{violation(DNSARecordTTL, r, fix, "ttl is not set")}
			}
			n, ok := v.Num()
			if !ok {
				return []Violation{violation(DNSARecordTTL, r, fix, "ttl %s is not a number", describe(v))}
			}
			if n < lo || n > hi {
				what := sprintf("%v seconds", n)
				if n == 1 {
					what = "1 (automatic)"
				}
				return []Violation{violation(DNSARecordTTL, r, fix, "ttl is %s", what)}
			}
			return nil
		},
	}
}

// cgnat is the shared address space of carrier-grade NAT, 100.64.0.0/10:
// not routable on the internet either.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// nonPublic describes why addr is not a public address, or "" when it is.
func nonPublic(addr netip.Addr) string {
	switch {
	case addr.IsPrivate():
		return "a private (RFC 1918) address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.IsUnspecified():
		return "the unspecified address"
	case addr.IsMulticast():
		return "a multicast address"
	case cgnat.Contains(addr):
		return "a carrier-grade NAT (100.64.0.0/10) address"
	}
	return ""
}

func dnsARecordContent() Policy {
	return Policy{
		Name:        DNSARecordContent,
		Description: "DNS A records hold a valid IPv4 address, and a public one in prod.",
		Types:       []string{TypeDNSRecord},
		Resource: func(r Resource, _ Config) []Violation {
			if !aRecord(r) {
				return nil
			}
			v := r.Get("content")
			if v.Unknown {
				return nil
			}
			s, ok := v.Str()
			if !ok {
				return []Violation{violation(DNSARecordContent, r, "set content to the node's IPv4 address", "content is not set")}
			}
			addr, err := netip.ParseAddr(s)
			if err != nil || !addr.Is4() {
				return []Violation{violation(DNSARecordContent, r, "set content to an IPv4 address such as 203.0.113.10 (IPv6 belongs in an AAAA record)", "content %q is not an IPv4 address", s)}
			}
			if why := nonPublic(addr); why != "" && r.IsProd() {
				return []Violation{violation(DNSARecordContent, r, "use the node's public IPv4 address", "content %s is %s, unreachable from the internet", s, why)}
			}
			return nil
		},
	}
}
