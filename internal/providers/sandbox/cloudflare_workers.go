package sandbox

import (
	"fmt"
	"regexp"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
)

// The Workers script (terraform-provider-cloudflare v5.22.0,
// internal/services/workers_script/schema.go and resource.go):
//   - account_id and script_name RequiresReplace, everything else updates;
//   - observability is Optional with enabled Required, and logs (when set)
//     with enabled and invocation_logs Required; each binding has name and
//     type Required (a ratelimit binding's simple, limit and period); each
//     package dependency name, installed_version and package_json_version;
//   - create is the same call as update, Workers.Scripts.Update, a PUT of
//     /accounts/{account_id}/workers/scripts/{script_name}: uploading a
//     script whose name exists overwrites it (an upsert, recorded as a
//     take-over);
//   - the ID is the script name, the import ID <account_id>/<script_name>.
func init() {
	register(&kind{
		token: WorkersScriptType, label: "Worker script",
		fields: map[string]field{
			"accountId":           {typ: tString, required: true, replace: true},
			"scriptName":          {typ: tString, required: true, replace: true},
			"content":             {typ: tString},
			"contentFile":         {typ: tString},
			"contentSha256":       {typ: tString},
			"contentType":         {typ: tString},
			"mainModule":          {typ: tString},
			"bodyPart":            {typ: tString},
			"bindings":            {typ: tArray, computed: true, nested: []string{"[].name", "[].type", "[].simple.limit", "[].simple.period"}},
			"compatibilityDate":   {typ: tString, computed: true},
			"compatibilityFlags":  {typ: tArray, computed: true},
			"logpush":             {typ: tBool, computed: true},
			"observability":       {typ: tObject, nested: []string{"enabled", "logs.enabled", "logs.invocationLogs"}},
			"placement":           {typ: tObject, computed: true},
			"usageModel":          {typ: tString, computed: true},
			"tailConsumers":       {typ: tArray, nested: []string{"[].service"}},
			"limits":              {typ: tObject},
			"migrations":          {typ: tObject},
			"annotations":         {typ: tObject, computed: true},
			"keepBindings":        {typ: tArray},
			"keepAssets":          {typ: tBool},
			"assets":              {typ: tObject},
			"exports":             {typ: tObject},
			"cacheOptions":        {typ: tObject},
			"packageDependencies": {typ: tArray, nested: []string{"[].name", "[].installedVersion", "[].packageJsonVersion"}},
		},
		opaque:  map[string]bool{"content": true},
		outputs: []string{"createdOn", "modifiedOn", "etag", "handlers", "hasAssets", "hasModules", "startupTimeMs", "lastDeployedFrom", "placementMode", "placementStatus", "migrationTag", "namedHandlers"},
		check:   checkWorkersScript,
		defaults: func(o *Object) {
			setDefault(o.Props, "createdOn", now())
		},
		refs: checkBindings,
		identity: func(o *Object) (string, string, string) {
			name := str(o.Props, "scriptName")
			return str(o.Props, "accountId") + "/" + name, name, name
		},
		upsert: true,
		written: func(_ *state, prev, o *Object) {
			if prev != nil && prev.Props["createdOn"] != nil {
				o.Props["createdOn"] = prev.Props["createdOn"] // an overwrite keeps the script's creation time
			}
			fillScript(o)
		},
		imports: workerImport,
		stateKey: func(id string, props map[string]any) string {
			return str(props, "accountId") + "/" + id
		},
	})
}

// workerImport is the import ID of a script and its cron triggers.
var workerImport = importSpec{
	format: "'<account_id>/<script_name>'", n: 2,
	key: func(parts []string, _ providerserver.Config) (string, error) { return parts[0] + "/" + parts[1], nil },
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// bindingTypes are the Workers binding types of pulumi-cloudflare v6.18.0,
// with the properties each requires.
var bindingTypes = map[string][]string{
	"ai": nil, "ai_search": nil, "ai_search_namespace": nil, "analytics_engine": {"dataset"}, "assets": nil,
	"browser": nil, "d1": nil, "data_blob": {"part"}, "dispatch_namespace": {"namespace"},
	"durable_object_namespace": {"className"}, "hyperdrive": {"id"}, "inherit": nil, "images": nil,
	"json": {"json"}, "kv_namespace": {"namespaceId"}, "media": nil, "mtls_certificate": {"certificateId"},
	"plain_text": {"text"}, "pipelines": {"pipeline"}, "queue": {"queueName"}, "ratelimit": {"namespaceId", "simple"},
	"r2_bucket": {"bucketName"}, "secret_text": {"text"}, "send_email": nil, "service": {"service"},
	"text_blob": {"part"}, "vectorize": {"indexName"}, "version_metadata": nil,
	"secrets_store_secret": {"storeId", "secretName"}, "secret_key": {"algorithm", "format", "usages"},
	"workflow": {"workflowName"}, "wasm_module": {"part"}, "vpc_service": {"serviceId"}, "vpc_network": nil,
}

var compatibilityDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func checkWorkersScript(c *checker) {
	c.identifier("accountId")
	c.physName("scriptName", naming.WorkerScript)
	if present(c.news, "content") && present(c.news, "contentFile") {
		c.fail("content", "content conflicts with contentFile: set one")
	}
	if !present(c.news, "content") && !present(c.news, "contentFile") {
		c.fail("content", "one of content or contentFile is required")
	}
	if present(c.news, "contentFile") && !present(c.news, "contentSha256") {
		c.fail("contentSha256", "contentSha256 is required with contentFile")
	}
	if present(c.news, "mainModule") && present(c.news, "bodyPart") {
		c.fail("mainModule", "mainModule (module syntax) conflicts with bodyPart (service worker syntax)")
	}
	if d, ok := pstr(c.news, "compatibilityDate"); ok && !compatibilityDate.MatchString(d) {
		c.fail("compatibilityDate", "compatibilityDate %q is not a date (YYYY-MM-DD)", d)
	}
	c.oneOf(c.news, "usageModel", "usageModel", "standard", "bundled", "unbound")
	bindings, _ := parr(c.news, "bindings")
	seen := map[string]bool{}
	for i, b := range bindings {
		prop := fmt.Sprintf("bindings[%d]", i)
		if !b.IsObject() {
			c.fail(prop, "a binding must be an object")
			continue
		}
		m := b.ObjectValue()
		name, nameOK := pstr(m, "name")
		switch {
		case nameOK && !jsIdentifier.MatchString(name):
			c.fail(prop+".name", "binding name %q is not a valid JavaScript identifier", name)
		case nameOK && seen[name]:
			c.fail(prop+".name", "binding name %q is used twice: the API answers 10021 \"Binding name '%s' already in use\"", name, name)
		}
		seen[name] = true
		t, ok := pstr(m, "type")
		if !ok {
			continue // missing: a nested required property
		}
		required, known := bindingTypes[t]
		if !known {
			c.fail(prop+".type", "unknown binding type %q", t)
			continue
		}
		for _, r := range required {
			if !present(m, r) {
				c.fail(prop+"."+r, "a %s binding requires %s", t, r)
			}
		}
		if t == "d1" && !present(m, "id") && !present(m, "databaseId") {
			c.fail(prop+".id", "a d1 binding requires id (the database ID)")
		}
	}
}

// checkBindings checks that the objects bindings name exist, as the
// Workers API does on upload.
func checkBindings(st *state, o *Object) error {
	acc, self := str(o.Props, "accountId"), str(o.Props, "scriptName")
	bindings, _ := o.Props["bindings"].([]any)
	for _, x := range bindings {
		b, _ := x.(map[string]any)
		name := str(b, "name")
		fail := func(format string, args ...any) error {
			return fmt.Errorf("failed to make http request: PUT /accounts/%s/workers/scripts/%s: 400 Bad Request: binding %q: %s", acc, self, name, fmt.Sprintf(format, args...))
		}
		switch str(b, "type") {
		case "d1":
			id := str(b, "id")
			if id == "" {
				id = str(b, "databaseId")
			}
			if st.find(D1DatabaseType, func(d *Object) bool { return d.ID == id && str(d.Props, "accountId") == acc }) == nil {
				return fail("[10181] D1 database %s not found", id)
			}
		case "r2_bucket":
			if st.byKey(R2BucketType, r2Key(acc, jurisdictionOf(b), str(b, "bucketName"))) == nil {
				return fail("[10085] R2 bucket %q not found", str(b, "bucketName"))
			}
		case "queue":
			q := str(b, "queueName")
			if st.find(QueueType, func(x *Object) bool { return str(x.Props, "queueName") == q && str(x.Props, "accountId") == acc }) == nil {
				return fail("[11000] queue %q not found", q)
			}
		case "service":
			svc := str(b, "service")
			if svc != self && st.byKey(WorkersScriptType, acc+"/"+svc) == nil {
				return fail("[10143] Could not resolve service binding: target script %q not found", svc)
			}
		case "vectorize":
			idx := str(b, "indexName")
			if st.byKey(VectorizeIndexType, acc+"/"+idx) == nil {
				return fail("Vectorize index %q not found", idx)
			}
		}
	}
	return nil
}

// fillScript sets the computed outputs of a Worker upload.
func fillScript(o *Object) {
	setDefault(o.Props, "bindings", []any{})
	setDefault(o.Props, "compatibilityDate", "")
	setDefault(o.Props, "compatibilityFlags", []any{})
	setDefault(o.Props, "logpush", false)
	setDefault(o.Props, "placement", map[string]any{})
	setDefault(o.Props, "usageModel", "standard")
	setDefault(o.Props, "annotations", map[string]any{})
	o.Props["modifiedOn"] = now()
	o.Props["etag"] = hexID(32)
	o.Props["handlers"] = []any{"fetch"}
	o.Props["hasAssets"] = o.Props["assets"] != nil
	o.Props["hasModules"] = str(o.Props, "mainModule") != ""
	o.Props["startupTimeMs"] = 0.0
	o.Props["lastDeployedFrom"] = "api"
	o.Props["placementMode"] = ""
	o.Props["placementStatus"] = ""
	o.Props["migrationTag"] = ""
	o.Props["namedHandlers"] = []any{}
}
