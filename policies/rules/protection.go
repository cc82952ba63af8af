package rules

import (
	"fmt"
	"slices"
)

// DataProtection is the policy name of the prod data protection rule.
const DataProtection = "data-protection"

// DataBearingTypes are the types that hold data that cannot be recreated:
// losing one in prod loses data.
var DataBearingTypes = []string{
	TypeD1Database,
	TypeR2Bucket,
	TypeVectorizeIndex,
	TypeKafkaTopic,
	TypePubSubSubscription,
}

// terminationProtected lists the types with a provider-side deletion guard,
// and the property that turns it on.
var terminationProtected = map[string]string{
	TypeKafkaTopic: "terminationProtection",
}

func dataProtection() Policy {
	return Policy{
		Name:        DataProtection,
		Description: "In prod, data-bearing resources (D1, R2, Vectorize, Kafka topics, Pub/Sub subscriptions) are protected from deletion.",
		Types:       DataBearingTypes,
		Properties: map[string]Property{
			"requireRetainOnDelete": {Type: "boolean", Description: "Require retainOnDelete on data-bearing types that have no termination protection of their own. The engine does not tell policy packs about retainOnDelete, so only offline runs can check it.", Default: true},
		},
		Resource: func(r Resource, c Config) []Violation {
			if !r.IsProd() || !slices.Contains(DataBearingTypes, r.Type) {
				return nil
			}
			var vs []Violation
			if !r.Protect {
				vs = append(vs, violation(DataProtection, r, "add pulumi.Protect(true) to the resource options", "the resource is not protected; a prod `pulumi up` could delete it"))
			}
			if prop, ok := terminationProtected[r.Type]; ok {
				v := r.Get(prop)
				if on, known := v.Bool(); !v.Unknown && (!known || !on) {
					vs = append(vs, violation(DataProtection, r, fmt.Sprintf("set %s: true", prop), "%s is not enabled", prop))
				}
			} else if c.Bool("requireRetainOnDelete") && r.RetainOnDelete != nil && !*r.RetainOnDelete {
				vs = append(vs, violation(DataProtection, r, "add pulumi.RetainOnDelete(true) to the resource options", "retainOnDelete is not set, so removing the resource from the program deletes the data"))
			}
			return vs
		},
	}
}
