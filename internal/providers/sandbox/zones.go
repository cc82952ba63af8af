package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// GetZoneToken is the token of pulumi-cloudflare's zone data source
// (cloudflare.LookupZone), the one function the sandbox serves: the dns
// project resolves the zone ID from cloudflare.zoneName with it.
const GetZoneToken = "cloudflare:index/getZone:getZone"

// Option configures Start.
type Option func(*options)

type options struct {
	root string
}

// WithRoot names the repository whose environments/*.yaml define the
// sandbox's DNS zones and whose committed Worker releases seed its
// artifact store. Without it, Start looks for the root from the working
// directory (or $INFRA_ROOT) and serves neither when there is none.
func WithRoot(root string) Option { return func(o *options) { o.root = root } }

func (o *options) rootDir() string {
	if o.root != "" {
		return o.root
	}
	if root, err := layout.Root(); err == nil {
		return root
	}
	return ""
}

// Zone is a DNS zone that exists in the sandbox before any stack runs, as
// a zone exists in a Cloudflare account: no stack manages it, the dns
// project only looks it up.
type Zone struct {
	ID, Name, AccountID string
}

// ZoneID is the deterministic ID of the sandbox zone name in an account:
// 32 lowercase hex characters, as Cloudflare's zone IDs.
func ZoneID(accountID, name string) string {
	sum := sha256.Sum256([]byte("clustera sandbox zone\x00" + accountID + "\x00" + strings.ToLower(name)))
	return hex.EncodeToString(sum[:16])
}

// EnvironmentZones returns the zones of every environments/*.yaml under
// root: the zone cloudflare.zoneName of the environment's account, with the
// file's cloudflare.zoneId when it sets one (local does), else ZoneID. An
// environment file that does not load defines no zone (the runs of that
// environment report its problems). The zones are sorted by name, then
// account; environments sharing an account and zone share the zone.
func EnvironmentZones(root string) []Zone {
	files, _ := filepath.Glob(filepath.Join(root, "environments", "*.yaml"))
	seen := map[string]bool{}
	var zones []Zone
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		s, err := environment.Load(root, name)
		if err != nil || s.Cloudflare.ZoneName == "" {
			continue
		}
		z := Zone{ID: s.Cloudflare.ZoneID, Name: strings.ToLower(s.Cloudflare.ZoneName), AccountID: s.Cloudflare.AccountID}
		if z.ID == "" {
			z.ID = ZoneID(z.AccountID, z.Name)
		}
		key := z.AccountID + "/" + z.Name
		if seen[key] {
			continue
		}
		seen[key] = true
		zones = append(zones, z)
	}
	sort.Slice(zones, func(i, j int) bool {
		if zones[i].Name != zones[j].Name {
			return zones[i].Name < zones[j].Name
		}
		return zones[i].AccountID < zones[j].AccountID
	})
	return zones
}

// ZoneFunction returns the getZone data source over zones, for
// providerserver.Base.Functions.
func ZoneFunction(zones []Zone) providerserver.Function {
	return func(_ context.Context, args resource.PropertyMap) (resource.PropertyMap, error) {
		return LookupZone(zones, args)
	}
}

// LookupZone answers the getZone data source of pulumi-cloudflare v6 over
// zones, as the real provider does: exactly one of zoneId and filter; a
// filter (name, account.id, account.name, status, type; match "all", the
// default, or "any") must match exactly one zone, else the lookup fails
// with the provider's "failed to find exactly one result". The result has
// every output of the data source's schema.
func LookupZone(zones []Zone, args resource.PropertyMap) (resource.PropertyMap, error) {
	zoneID, hasID := zoneArg(args, "zoneId")
	filter, hasFilter := zoneObject(args, "filter")
	switch {
	case hasID == hasFilter:
		return nil, fmt.Errorf("invalid attribute combination: exactly one of these attributes must be configured: [zone_id,filter]")
	case hasID:
		for _, z := range zones {
			if z.ID == zoneID {
				return zoneResult(z, resource.NewNullProperty()), nil
			}
		}
		// The API answers GET /zones/<unknown id> with code 7003.
		return nil, fmt.Errorf("failed to make http request: GET \"https://api.cloudflare.com/client/v4/zones/%s\": 404 Not Found {\"success\":false,\"errors\":[{\"code\":7003,\"message\":\"Could not route to /client/v4/zones/%s, perhaps your object identifier is invalid?\"}]}", zoneID, zoneID)
	}
	match := "all"
	if m, ok := zoneArg(filter, "match"); ok && m != "" {
		match = strings.ToLower(m)
	}
	if match != "all" && match != "any" {
		return nil, fmt.Errorf("filter.match: value must be one of: [\"any\" \"all\"], got: %q", match)
	}
	var tests []func(Zone) bool
	if name, ok := zoneArg(filter, "name"); ok {
		if op, _, found := strings.Cut(name, ":"); found && op != "equal" {
			return nil, fmt.Errorf("sandbox: filter.name %q: the sandbox models only exact zone names (no %s: operator)", name, op)
		}
		name = strings.ToLower(strings.TrimPrefix(name, "equal:"))
		tests = append(tests, func(z Zone) bool { return z.Name == name })
	}
	if account, ok := zoneObject(filter, "account"); ok {
		if id, ok := zoneArg(account, "id"); ok {
			tests = append(tests, func(z Zone) bool { return z.AccountID == id })
		}
		if name, ok := zoneArg(account, "name"); ok {
			tests = append(tests, func(z Zone) bool { return accountName(z.AccountID) == name })
		}
	}
	if status, ok := zoneArg(filter, "status"); ok {
		tests = append(tests, func(Zone) bool { return status == "active" })
	}
	if types, ok := filter["types"]; ok && types.IsArray() && len(types.ArrayValue()) > 0 {
		full := false
		for _, t := range types.ArrayValue() {
			full = full || (t.IsString() && t.StringValue() == "full")
		}
		tests = append(tests, func(Zone) bool { return full })
	}
	var found []Zone
	for _, z := range zones {
		ok := match == "all"
		for _, test := range tests {
			if match == "all" {
				ok = ok && test(z)
			} else {
				ok = ok || test(z)
			}
		}
		if ok {
			found = append(found, z)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("failed to find exactly one result: %d found", len(found))
	}
	return zoneResult(found[0], args["filter"]), nil
}

func accountName(id string) string { return "Sandbox account " + id }

// zoneResult is the data source's output for z, every attribute of the
// schema present (as the bridge returns them), with the filter echoed.
func zoneResult(z Zone, filter resource.PropertyValue) resource.PropertyMap {
	s := resource.NewStringProperty
	strs := func(xs ...string) resource.PropertyValue {
		arr := make([]resource.PropertyValue, len(xs))
		for i, x := range xs {
			arr[i] = s(x)
		}
		return resource.NewArrayProperty(arr)
	}
	const created = "2024-01-01T00:00:00Z"
	out := resource.PropertyMap{
		"id":     s(z.ID),
		"zoneId": s(z.ID),
		"name":   s(z.Name),
		"account": resource.NewObjectProperty(resource.PropertyMap{
			"id": s(z.AccountID), "name": s(accountName(z.AccountID)),
		}),
		"activatedOn":         s(created),
		"createdOn":           s(created),
		"modifiedOn":          s(created),
		"cnameSuffix":         s(""),
		"developmentMode":     resource.NewNumberProperty(0),
		"meta":                resource.NewObjectProperty(resource.PropertyMap{"cdnOnly": resource.NewBoolProperty(false), "customCertificateQuota": resource.NewNumberProperty(0), "dnsOnly": resource.NewBoolProperty(false), "foundationDns": resource.NewBoolProperty(false), "pageRuleQuota": resource.NewNumberProperty(3), "phishingDetected": resource.NewBoolProperty(false), "step": resource.NewNumberProperty(2)}),
		"nameServers":         strs("ada.ns.cloudflare.com", "bob.ns.cloudflare.com"),
		"originalDnshost":     s(""),
		"originalNameServers": strs(),
		"originalRegistrar":   s(""),
		"owner":               resource.NewObjectProperty(resource.PropertyMap{"id": s(z.AccountID), "name": s(accountName(z.AccountID)), "type": s("organization")}),
		"paused":              resource.NewBoolProperty(false),
		"permissions":         strs(),
		"plan":                resource.NewObjectProperty(resource.PropertyMap{"canSubscribe": resource.NewBoolProperty(false), "currency": s("USD"), "externallyManaged": resource.NewBoolProperty(false), "frequency": s(""), "id": s("0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), "isSubscribed": resource.NewBoolProperty(true), "legacyDiscount": resource.NewBoolProperty(false), "legacyId": s("free"), "name": s("Free Website"), "price": resource.NewNumberProperty(0)}),
		"status":              s("active"),
		"tenant":              resource.NewObjectProperty(resource.PropertyMap{"id": s(""), "name": s("")}),
		"tenantUnit":          resource.NewObjectProperty(resource.PropertyMap{"id": s("")}),
		"type":                s("full"),
		"vanityNameServers":   strs(),
		"verificationKey":     s(""),
	}
	if filter.IsObject() {
		out["filter"] = filter
	}
	return out
}

// zoneArg returns the string at key, unwrapping secrets; ok only for a
// non-empty string.
func zoneArg(m resource.PropertyMap, key resource.PropertyKey) (string, bool) {
	v, ok := m[key]
	if !ok {
		return "", false
	}
	v = providerserver.Plain(v)
	if !v.IsString() || v.StringValue() == "" {
		return "", false
	}
	return v.StringValue(), true
}

func zoneObject(m resource.PropertyMap, key resource.PropertyKey) (resource.PropertyMap, bool) {
	v, ok := m[key]
	if !ok {
		return nil, false
	}
	v = providerserver.Plain(v)
	if !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}
