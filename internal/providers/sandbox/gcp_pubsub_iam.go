package sandbox

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
)

// The Pub/Sub topic IAM member (terraform-provider-google v5.42.0,
// google/tpgiamresource/resource_iam_member.go and iam.go): topic, role,
// member, project and condition ForceNew; condition's title and
// expression Required. Create is a read-modify-write of the topic's IAM
// policy that merges the member into the role's binding
// (resourceIamMemberCreate, MergeBindings): a member already in the policy
// is adopted silently (an upsert, recorded as a take-over). The ID is
// <topic>/<role>/<member, lower-cased unless case-sensitive>, plus
// /<title>/<description>/<expression> with a condition (conditionKey); the
// import ID "<topic> <role> <member>".
func init() {
	register(&kind{
		token: PubSubTopicIAMMemberType, label: "Pub/Sub topic IAM member",
		fields: map[string]field{
			"topic":     {typ: tString, required: true, replace: true},
			"role":      {typ: tString, required: true, replace: true},
			"member":    {typ: tString, required: true, replace: true},
			"project":   {typ: tString, replace: true, computed: true},
			"condition": {typ: tObject, replace: true, nested: []string{"title", "expression"}},
		},
		outputs: []string{"etag"},
		check: func(c *checker) {
			c.project()
			if m, ok := pstr(c.news, "member"); ok && !iamMember.MatchString(m) {
				c.fail("member", "member %q is invalid: use user:, serviceAccount:, group:, domain:, principal:, principalSet:, allUsers or allAuthenticatedUsers", m)
			}
			if r, ok := pstr(c.news, "role"); ok && !iamRole.MatchString(r) {
				c.fail("role", "role %q is invalid: use roles/<name> or projects/<p>/roles/<name>", r)
			}
		},
		refs: func(st *state, o *Object) error {
			path := topicRef(str(o.Props, "project"), str(o.Props, "topic"))
			if st.byKey(PubSubTopicType, path) == nil {
				return fmt.Errorf("retrieving IAM policy for pubsub topic %q: %w", path, gcpNotFound(path))
			}
			return nil
		},
		identity: func(o *Object) (string, string, string) {
			member := str(o.Props, "member")
			if i := strings.Index(member, ":"); i > 0 && !strings.HasPrefix(member, "principal") {
				member = member[:i+1] + strings.ToLower(member[i+1:])
			}
			key := topicRef(str(o.Props, "project"), str(o.Props, "topic")) + "/" + str(o.Props, "role") + "/" + member
			if cond, ok := o.Props["condition"].(map[string]any); ok {
				key += "/" + str(cond, "title") + "/" + str(cond, "description") + "/" + str(cond, "expression")
			}
			return key, key, str(o.Props, "member")
		},
		upsert:  true,
		written: func(_ *state, _, o *Object) { o.Props["etag"] = base64.StdEncoding.EncodeToString([]byte(hexID(4))) },
		imports: importSpec{
			format: "\"projects/{{project}}/topics/{{topic}} roles/{{role}} {{member}}\"", sep: " ", n: 3,
			key: func(parts []string, _ providerserver.Config) (string, error) { return strings.Join(parts, "/"), nil },
		},
	})
}
