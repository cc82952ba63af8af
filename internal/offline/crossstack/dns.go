package crossstack

import (
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/contracts"
)

// DNSRecordsOnlyInDNS reports every DNS record declared by a project other
// than dns: the zone has one owner, so records cannot fight over a name.
func DNSRecordsOnlyInDNS(res *mockrun.Result) []Finding {
	var fs []Finding
	for _, p := range res.Projects {
		if p.Name == contracts.DNSProject {
			continue
		}
		for _, r := range p.Resources {
			if r.Type != rules.TypeDNSRecord {
				continue
			}
			name, _ := rules.Lookup(r.Inputs, "name").Str()
			fs = append(fs, Finding{
				Check:   DNSOwner,
				Project: p.Name,
				Subject: label(p.Name, r),
				Problem: "only the dns project may create DNS records, but " + p.Name + " declares one for " + quote(name),
				Fix:     "move the record to the dns project's stack configuration (dns:nodes) and read what you need from the DNS contract",
			})
		}
	}
	return fs
}

func quote(s string) string {
	if s == "" {
		return "an unknown name"
	}
	return `"` + s + `"`
}
