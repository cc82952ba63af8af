package sandbox

import (
	"fmt"
	"net"
	"strings"

	"github.com/clustera/infra/shared/naming"
)

// The DNS record (terraform-provider-cloudflare v5.22.0,
// internal/services/dns_record/schema.go): zone_id and type
// RequiresReplace (a type change replaces the record); name, ttl, content,
// proxied, … update; content ConflictsWith data; proxied Default false;
// priority 0–65535; type OneOfCaseInsensitive of the record types. Create
// is a POST (DNS.Records.New). The ID is the record's 32-hex ID, the import
// ID <zone_id>/<dns_record_id>.
func init() {
	register(&kind{
		token: DNSRecordType, label: "DNS record",
		fields: map[string]field{
			"zoneId":         {typ: tString, required: true, replace: true},
			"name":           {typ: tString, required: true},
			"type":           {typ: tString, required: true, replace: true},
			"ttl":            {typ: tNumber, required: true},
			"content":        {typ: tString},
			"comment":        {typ: tString},
			"proxied":        {typ: tBool, computed: true},
			"priority":       {typ: tNumber},
			"tags":           {typ: tArray, computed: true},
			"settings":       {typ: tObject, computed: true},
			"data":           {typ: tObject},
			"privateRouting": {typ: tBool},
		},
		outputs: []string{"createdOn", "modifiedOn", "proxiable", "meta", "commentModifiedOn", "tagsModifiedOn"},
		check:   checkDNSRecord,
		defaults: func(o *Object) {
			setDefault(o.Props, "proxied", false)
			setDefault(o.Props, "tags", []any{})
			setDefault(o.Props, "settings", map[string]any{})
			setDefault(o.Props, "createdOn", now())
			o.Props["meta"] = "{}"
		},
		identity: func(o *Object) (string, string, string) {
			id := o.ID
			if id == "" {
				id = hexID(16)
			}
			return id, id, str(o.Props, "name")
		},
		unique: dnsConflicts,
		written: func(_ *state, _, o *Object) {
			o.Props["modifiedOn"] = now()
			t := strings.ToUpper(str(o.Props, "type"))
			o.Props["proxiable"] = t == "A" || t == "AAAA" || t == "CNAME"
		},
		imports: accountScoped("'<zone_id>/<dns_record_id>'", "zoneId"),
	})
}

var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "OPENPGPKEY", "PTR", "TXT", "CAA", "CERT", "DNSKEY", "DS", "HTTPS", "LOC", "NAPTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "URI"}

func checkDNSRecord(c *checker) {
	c.identifier("zoneId")
	c.oneOfFold(c.news, "type", "type", dnsTypes...)
	if n, ok := pstr(c.news, "name"); ok && n != "@" {
		if err := naming.Validate(naming.Hostname, strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(n, "*.")), ".")); err != nil {
			c.fail("name", "%v", err)
		}
	}
	if ttl, ok := pnum(c.news, "ttl"); ok && ttl != 1 && (ttl < 60 || ttl > 86400 || ttl != float64(int64(ttl))) {
		c.fail("ttl", "ttl %v is invalid: use 1 (automatic) or 60 to 86400 seconds: the API answers 9141 \"Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.\"", ttl)
	}
	if present(c.news, "content") && present(c.news, "data") {
		c.fail("content", "content conflicts with data: set one (the schema's ConflictsWith)")
	}
	t, _ := pstr(c.news, "type")
	t = strings.ToUpper(t)
	content, hasContent := pstr(c.news, "content")
	switch t {
	case "A", "AAAA", "CNAME", "MX", "NS", "TXT", "PTR":
		if !present(c.news, "content") {
			c.fail("content", "a %s record requires content", t)
		}
	}
	if hasContent {
		switch t {
		case "A":
			if ip := net.ParseIP(content); ip == nil || ip.To4() == nil || strings.Contains(content, ":") {
				c.fail("content", "content %q is not a valid IPv4 address: the API answers 9005 \"Content for A record must be a valid IPv4 address.\"", content)
			}
		case "AAAA":
			if ip := net.ParseIP(content); ip == nil || !strings.Contains(content, ":") {
				c.fail("content", "content %q is not a valid IPv6 address: the API answers 9006 \"Content for AAAA record must be a valid IPv6 address.\"", content)
			}
		case "CNAME":
			if err := naming.Validate(naming.Hostname, strings.TrimSuffix(strings.ToLower(content), ".")); err != nil {
				c.fail("content", "content %q is not a valid hostname for a CNAME record", content)
			}
		}
	}
	if t == "MX" || t == "SRV" || t == "URI" {
		if !present(c.news, "priority") {
			c.fail("priority", "a %s record requires priority", t)
		}
	}
	c.between(c.news, "priority", "priority", 0, 65535)
	if p, ok := pbool(c.news, "proxied"); ok && p && t != "A" && t != "AAAA" && t != "CNAME" {
		c.fail("proxied", "a %s record cannot be proxied: the API answers 9004 \"This record type cannot be proxied.\"", t)
	}
	if cm, ok := pstr(c.news, "comment"); ok && len(cm) > 100 {
		c.fail("comment", "comment is %d characters; the API accepts at most 100", len(cm))
	}
}

// dnsConflicts enforces the DNS API's rules on records of one name.
func dnsConflicts(st *state, o *Object) error {
	zone, name, typ := str(o.Props, "zoneId"), strings.ToLower(str(o.Props, "name")), strings.ToUpper(str(o.Props, "type"))
	for _, x := range st.all(DNSRecordType) {
		if x.Key == o.Key || str(x.Props, "zoneId") != zone || strings.ToLower(str(x.Props, "name")) != name {
			continue
		}
		xt := strings.ToUpper(str(x.Props, "type"))
		if xt == typ && str(x.Props, "content") == str(o.Props, "content") {
			return fmt.Errorf("failed to make http request: POST /zones/%s/dns_records: 400 Bad Request: [81058] An identical record already exists", zone)
		}
		if (xt == "CNAME") != (typ == "CNAME") && (xt == "CNAME" || xt == "A" || xt == "AAAA") && (typ == "CNAME" || typ == "A" || typ == "AAAA") {
			return fmt.Errorf("failed to make http request: POST /zones/%s/dns_records: 400 Bad Request: [81053] An A, AAAA, or CNAME record with that host already exists", zone)
		}
		if xt == "CNAME" && typ == "CNAME" {
			return fmt.Errorf("failed to make http request: POST /zones/%s/dns_records: 400 Bad Request: [81053] A CNAME record with that host already exists", zone)
		}
	}
	return nil
}
