package sandbox

import (
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
)

// The R2 bucket (terraform-provider-cloudflare v5.22.0,
// internal/services/r2_bucket/schema.go, plan_modifiers.go, resource.go):
//   - account_id and name RequiresReplace;
//   - location: RequiresReplaceIfConfigured, but locationIgnorePlanModifier
//     and the resource's ModifyPlan ("Location of a bucket cannot be changed
//     after it is already created") plan the state's value, so the planned
//     value never differs and neither Terraform nor the bridge's Diff
//     (pkg/pf/tfbridge/provider_diff.go, checkRequiresReplace) replaces: a
//     changed location is no difference at all (sticky);
//   - jurisdiction: Optional, Computed, Default "default", no
//     RequiresReplace: a change is an update, whose PATCH carries the new
//     jurisdiction header and so addresses the bucket of that name in the
//     new jurisdiction (moved);
//   - storage_class: Optional, Computed, Default "Standard", updated.
//
// The ID is the bucket name; the import ID <account_id>/<bucket_name>/<jurisdiction>.
func init() {
	register(&kind{
		token: R2BucketType, label: "R2 bucket",
		fields: map[string]field{
			"accountId":    {typ: tString, required: true, replace: true},
			"name":         {typ: tString, required: true, replace: true},
			"jurisdiction": {typ: tString, computed: true},
			"location":     {typ: tString, computed: true, sticky: true},
			"storageClass": {typ: tString, computed: true},
		},
		outputs: []string{"creationDate"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("name", naming.R2Bucket)
			c.oneOf(c.news, "jurisdiction", "jurisdiction", "default", "eu", "fedramp")
			if s, ok := pstr(c.news, "location"); ok {
				switch strings.ToLower(s) {
				case "apac", "eeur", "enam", "weur", "wnam", "oc":
				default:
					c.fail("location", "expected location to be one of [\"apac\", \"eeur\", \"enam\", \"weur\", \"wnam\", \"oc\"], got %q", s)
				}
			}
			c.oneOf(c.news, "storageClass", "storageClass", "Standard", "InfrequentAccess")
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "jurisdiction", "default")
			setDefault(o.Props, "location", "ENAM")
			setDefault(o.Props, "storageClass", "Standard")
			setDefault(o.Props, "creationDate", now())
		},
		identity: func(o *Object) (string, string, string) {
			name := str(o.Props, "name")
			return r2Key(str(o.Props, "accountId"), jurisdictionOf(o.Props), name), name, name
		},
		duplicate: func(o *Object) error {
			return fmt.Errorf("failed to make http request: POST /accounts/%s/r2/buckets: 409 Conflict: [10004] The bucket you tried to create already exists, and you own it", str(o.Props, "accountId"))
		},
		// A jurisdiction change: PATCH /accounts/{id}/r2/buckets/{name}
		// with the new cf-r2-jurisdiction header edits the bucket of that
		// name there, if any; the old bucket stays where it is.
		moved: func(st *state, _, o *Object) error {
			target := st.byKey(R2BucketType, o.Key)
			if target == nil {
				return fmt.Errorf("failed to make http request: PATCH /accounts/%s/r2/buckets/%s (jurisdiction %s): 404 Not Found: [10006] The specified bucket does not exist (a bucket cannot move to another jurisdiction: create a new one)", str(o.Props, "accountId"), o.Name, jurisdictionOf(o.Props))
			}
			sc := o.Props["storageClass"]
			*o = *target.clone()
			if sc != nil {
				o.Props["storageClass"] = sc
			}
			return nil
		},
		imports: importSpec{
			format: "'<account_id>/<bucket_name>/<jurisdiction>'", n: 3,
			key: func(parts []string, _ providerserver.Config) (string, error) {
				return r2Key(parts[0], parts[2], parts[1]), nil
			},
		},
		stateKey: func(id string, props map[string]any) string {
			return r2Key(str(props, "accountId"), jurisdictionOf(props), id)
		},
	})
}

// r2Key is the key of a bucket: unique per account and jurisdiction.
func r2Key(account, jurisdiction, name string) string {
	return account + "/" + jurisdiction + "/" + name
}
