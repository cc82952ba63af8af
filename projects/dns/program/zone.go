package program

import (
	"fmt"
	"regexp"

	"github.com/clustera/infra/projects/dns/config"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ZoneLookupToken is the token of the data source the program reads the
// zone with (cloudflare.LookupZone).
const ZoneLookupToken = "cloudflare:index/getZone:getZone"

var zoneIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// zoneID returns the ID of the zone of every record: cloudflare.zoneId of
// the environment file when it sets one, else the ID of the zone named
// cloudflare.zoneName in the environment's account, read from Cloudflare
// through the provider's zone data source. The lookup runs in previews too.
// A zone that is not found fails naming the file, the key and the fix.
func zoneID(ctx *pulumi.Context, cfg *config.Config) (string, error) {
	if cfg.ZoneID != "" {
		return cfg.ZoneID, nil
	}
	env := cfg.Env
	filter := &cloudflare.GetZoneFilter{Name: pulumi.StringRef(cfg.ZoneName), Match: "all"}
	where := "the zones the API token can read"
	if id := env.Cloudflare.AccountID; id != "" {
		filter.Account = &cloudflare.GetZoneFilterAccount{Id: pulumi.StringRef(id)}
		where = "account " + id
	}
	fail := func(msg string) error {
		var list problems.List
		list.Add(env.File, "cloudflare.zoneName", msg,
			fmt.Sprintf("add the zone %s to %s in Cloudflare (or give the API token Zone Read on it), correct cloudflare.zoneName, or set cloudflare.zoneId to the zone's ID explicitly", cfg.ZoneName, where))
		return list.Err()
	}
	zone, err := cloudflare.LookupZone(ctx, &cloudflare.LookupZoneArgs{Filter: filter})
	if err != nil {
		return "", fail(fmt.Sprintf("no Cloudflare zone %s found in %s: %v", cfg.ZoneName, where, err))
	}
	id := zone.ZoneId
	if id == "" {
		id = zone.Id
	}
	if !zoneIDRE.MatchString(id) {
		return "", fail(fmt.Sprintf("the lookup of zone %s in %s returned the zone ID %q, which is not 32 lowercase hex characters", cfg.ZoneName, where, id))
	}
	return id, nil
}
