package sandbox

import "github.com/clustera/infra/shared/naming"

// The Vectorize index, as the in-repo provider (internal/providers/vectorize,
// ADR 0005) manages it through the fake REST API (vectorizeapi.go): every
// property replaces; names are unique per account (the API answers 409).
func init() {
	register(&kind{
		token: VectorizeIndexType, label: "Vectorize index",
		fields: map[string]field{
			"accountId":   {typ: tString, required: true, replace: true},
			"name":        {typ: tString, required: true, replace: true},
			"dimensions":  {typ: tNumber, required: true, replace: true},
			"metric":      {typ: tString, required: true, replace: true},
			"description": {typ: tString, replace: true},
		},
		outputs: []string{"createdOn"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("name", naming.VectorizeIndex)
			c.between(c.news, "dimensions", "dimensions", 1, 1536)
			c.oneOf(c.news, "metric", "metric", "cosine", "euclidean", "dot-product")
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "description", "")
			setDefault(o.Props, "createdOn", now())
		},
		identity: func(o *Object) (string, string, string) {
			name := str(o.Props, "name")
			key := str(o.Props, "accountId") + "/" + name
			return key, key, name
		},
		duplicate: func(*Object) error { return errVectorizeDuplicate },
		imports:   importSpec{format: "<account_id>/<name>"},
	})
}
