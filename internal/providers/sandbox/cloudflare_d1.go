package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
)

// The D1 database (terraform-provider-cloudflare v5.22.0,
// internal/services/d1_database/schema.go): account_id, name,
// jurisdiction and primary_location_hint RequiresReplace; read_replication
// updates, its mode Required; the ID is the database uuid.
func init() {
	register(&kind{
		token: D1DatabaseType, label: "D1 database",
		fields: map[string]field{
			"accountId":           {typ: tString, required: true, replace: true},
			"name":                {typ: tString, required: true, replace: true},
			"jurisdiction":        {typ: tString, replace: true},
			"primaryLocationHint": {typ: tString, replace: true},
			"readReplication":     {typ: tObject, nested: []string{"mode"}},
		},
		outputs: []string{"uuid", "createdAt", "fileSize", "numTables", "version"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("name", naming.D1Database)
			c.oneOf(c.news, "jurisdiction", "jurisdiction", "eu", "fedramp")
			c.oneOf(c.news, "primaryLocationHint", "primaryLocationHint", "wnam", "enam", "weur", "eeur", "apac", "oc")
			if rr, ok := pobj(c.news, "readReplication"); ok {
				c.oneOf(rr, "mode", "readReplication.mode", "auto", "disabled")
			}
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "uuid", uuid4())
			setDefault(o.Props, "createdAt", now())
			setDefault(o.Props, "fileSize", 0.0)
			setDefault(o.Props, "numTables", 0.0)
			setDefault(o.Props, "version", "production")
		},
		identity: func(o *Object) (string, string, string) {
			return str(o.Props, "uuid"), str(o.Props, "uuid"), str(o.Props, "name")
		},
		// Names are unique per account (POST /accounts/{id}/d1/database).
		unique: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "name")
			if st.find(D1DatabaseType, func(x *Object) bool {
				return x.Key != o.Key && str(x.Props, "accountId") == acc && str(x.Props, "name") == name
			}) != nil {
				return fmt.Errorf("failed to make http request: POST /accounts/%s/d1/database: 400 Bad Request: [7502] A database with that name already exists", acc)
			}
			return nil
		},
		imports: func() importSpec {
			s := accountScoped("'<account_id>/<database_id>'", "accountId")
			s.bare = true
			return s
		}(),
	})
}
