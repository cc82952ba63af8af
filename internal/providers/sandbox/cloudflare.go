package sandbox

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
	"github.com/robfig/cron/v3"
)

// Cloudflare type tokens (pulumi-cloudflare v6.18.0).
const (
	D1DatabaseType                = "cloudflare:index/d1Database:D1Database"
	R2BucketType                  = "cloudflare:index/r2Bucket:R2Bucket"
	QueueType                     = "cloudflare:index/queue:Queue"
	QueueConsumerType             = "cloudflare:index/queueConsumer:QueueConsumer"
	R2BucketEventNotificationType = "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification"
	WorkersScriptType             = "cloudflare:index/workersScript:WorkersScript"
	WorkersCronTriggerType        = "cloudflare:index/workersCronTrigger:WorkersCronTrigger"
	DNSRecordType                 = "cloudflare:index/dnsRecord:DnsRecord"
	// VectorizeIndexType is the type token of the in-repo Vectorize
	// provider; the sandbox keeps indexes created through its fake REST API
	// under it.
	VectorizeIndexType = "vectorize:index:Index"
)

var cloudflareIdentifier = regexp.MustCompile(`^[0-9a-f]{32}$`)

// identifier checks a Cloudflare account or zone identifier (32 hex).
func (c *checker) identifier(key string) {
	if s, ok := pstr(c.news, key); ok && !cloudflareIdentifier.MatchString(s) {
		c.fail(key, "%s %q is not a Cloudflare identifier (32 lowercase hex characters): the API answers 7003 \"Could not route to /accounts/%s, perhaps your object identifier is invalid?\"", key, s, s)
	}
}

// name checks a physical name with the shared naming rules.
func (c *checker) physName(key string, kind naming.Kind) {
	if s, ok := pstr(c.news, key); ok {
		if err := naming.Validate(kind, s); err != nil {
			c.fail(key, "%v", err)
		}
	}
}

// importParts splits an import ID "<a>/<b>[/<c>]" into n parts.
func importParts(id string, n int, format string) ([]string, error) {
	parts := strings.Split(id, "/")
	if len(parts) != n {
		return nil, fmt.Errorf("invalid import ID %q: expected %s", id, format)
	}
	return parts, nil
}

func init() {
	register(&kind{
		token: D1DatabaseType, label: "D1 database",
		fields: map[string]field{
			"accountId":           {typ: tString, required: true, replace: true},
			"name":                {typ: tString, required: true, replace: true},
			"jurisdiction":        {typ: tString, replace: true},
			"primaryLocationHint": {typ: tString, replace: true},
			"readReplication":     {typ: tObject},
		},
		outputs: []string{"uuid", "createdAt", "fileSize", "numTables", "version"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("name", naming.D1Database)
			c.oneOf(c.news, "jurisdiction", "jurisdiction", "eu", "fedramp")
			c.oneOf(c.news, "primaryLocationHint", "primaryLocationHint", "wnam", "enam", "weur", "eeur", "apac", "oc")
			if rr, ok := pobj(c.news, "readReplication"); ok {
				if !present(rr, "mode") {
					c.fail("readReplication.mode", "Missing required argument. The argument \"readReplication.mode\" is required")
				}
				c.oneOf(rr, "mode", "readReplication.mode", "auto", "disabled")
			}
		},
		create: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "name")
			if st.find(D1DatabaseType, func(x *Object) bool {
				return str(x.Props, "accountId") == acc && str(x.Props, "name") == name
			}) != nil {
				return fmt.Errorf("failed to make http request: POST /accounts/%s/d1/database: 400 Bad Request: [7502] A database with that name already exists", acc)
			}
			setDefault(o.Props, "uuid", uuid4())
			setDefault(o.Props, "createdAt", now())
			setDefault(o.Props, "fileSize", 0.0)
			setDefault(o.Props, "numTables", 0.0)
			setDefault(o.Props, "version", "production")
			o.Key, o.ID, o.Name = str(o.Props, "uuid"), str(o.Props, "uuid"), name
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 && strings.Contains(id, "/") {
				parts, err := importParts(id, 2, "'<account_id>/<database_id>'")
				if err != nil {
					return nil, err
				}
				return st.find(D1DatabaseType, func(o *Object) bool {
					return str(o.Props, "accountId") == parts[0] && o.ID == parts[1]
				}), nil
			}
			return st.byKey(D1DatabaseType, id), nil
		},
	})

	register(&kind{
		token: R2BucketType, label: "R2 bucket",
		fields: map[string]field{
			"accountId":    {typ: tString, required: true, replace: true},
			"name":         {typ: tString, required: true, replace: true},
			"jurisdiction": {typ: tString, replace: true, computed: true},
			"location":     {typ: tString, replace: true, computed: true},
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
		create: func(st *state, o *Object) error {
			setDefault(o.Props, "jurisdiction", "default")
			setDefault(o.Props, "location", "ENAM")
			setDefault(o.Props, "storageClass", "Standard")
			setDefault(o.Props, "creationDate", now())
			acc, name, jur := str(o.Props, "accountId"), str(o.Props, "name"), str(o.Props, "jurisdiction")
			o.Key, o.ID, o.Name = acc+"/"+jur+"/"+name, name, name
			if st.byKey(R2BucketType, o.Key) != nil {
				return fmt.Errorf("failed to make http request: POST /accounts/%s/r2/buckets: 409 Conflict: [10004] The bucket you tried to create already exists, and you own it", acc)
			}
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				parts, err := importParts(id, 3, "'<account_id>/<bucket_name>/<jurisdiction>'")
				if err != nil {
					return nil, err
				}
				return st.byKey(R2BucketType, parts[0]+"/"+parts[2]+"/"+parts[1]), nil
			}
			jur := str(props, "jurisdiction")
			if jur == "" {
				jur = "default"
			}
			return st.byKey(R2BucketType, str(props, "accountId")+"/"+jur+"/"+id), nil
		},
	})

	register(&kind{
		token: QueueType, label: "queue",
		fields: map[string]field{
			"accountId": {typ: tString, required: true, replace: true},
			"queueName": {typ: tString, required: true},
			"settings":  {typ: tObject, computed: true},
		},
		outputs: []string{"queueId", "createdOn", "modifiedOn", "consumers", "consumersTotalCount", "producers", "producersTotalCount"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("queueName", naming.Queue)
			if s, ok := pobj(c.news, "settings"); ok {
				c.between(s, "deliveryDelay", "settings.deliveryDelay", 0, 43200)
				c.between(s, "messageRetentionPeriod", "settings.messageRetentionPeriod", 60, 1209600)
			}
		},
		create: func(st *state, o *Object) error {
			if err := uniqueQueueName(st, o); err != nil {
				return err
			}
			setDefault(o.Props, "queueId", hexID(16))
			setDefault(o.Props, "createdOn", now())
			o.Props["modifiedOn"] = now()
			settings, _ := o.Props["settings"].(map[string]any)
			if settings == nil {
				settings = map[string]any{}
			}
			setDefault(settings, "deliveryDelay", 0.0)
			setDefault(settings, "deliveryPaused", false)
			setDefault(settings, "messageRetentionPeriod", 345600.0)
			o.Props["settings"] = settings
			o.Props["consumers"] = []any{}
			o.Props["consumersTotalCount"] = 0.0
			o.Props["producers"] = []any{}
			o.Props["producersTotalCount"] = 0.0
			o.Key, o.ID, o.Name = str(o.Props, "queueId"), str(o.Props, "queueId"), str(o.Props, "queueName")
			return nil
		},
		update: func(st *state, old, o *Object) error {
			if err := uniqueQueueName(st, o); err != nil {
				return err
			}
			o.Props["modifiedOn"] = now()
			o.Name = str(o.Props, "queueName")
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 && strings.Contains(id, "/") {
				parts, err := importParts(id, 2, "'<account_id>/<queue_id>'")
				if err != nil {
					return nil, err
				}
				return st.find(QueueType, func(o *Object) bool {
					return str(o.Props, "accountId") == parts[0] && o.ID == parts[1]
				}), nil
			}
			return st.byKey(QueueType, id), nil
		},
		decorate: func(st *state, o *Object) {
			consumers := []any{}
			for _, c := range st.all(QueueConsumerType) {
				if str(c.Props, "queueId") == o.ID {
					consumers = append(consumers, map[string]any{
						"consumerId": str(c.Props, "consumerId"), "createdOn": str(c.Props, "createdOn"),
						"queueName": str(o.Props, "queueName"), "scriptName": str(c.Props, "scriptName"),
						"type": str(c.Props, "type"),
					})
				}
			}
			o.Props["consumers"] = consumers
			o.Props["consumersTotalCount"] = float64(len(consumers))
		},
	})

	register(&kind{
		token: QueueConsumerType, label: "queue consumer",
		fields: map[string]field{
			"accountId":       {typ: tString, required: true, replace: true},
			"queueId":         {typ: tString, required: true, replace: true},
			"type":            {typ: tString, required: true},
			"scriptName":      {typ: tString, computed: true},
			"deadLetterQueue": {typ: tString},
			"settings":        {typ: tObject, computed: true},
		},
		outputs: []string{"consumerId", "createdOn", "queueName"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.oneOf(c.news, "type", "type", "worker", "http_pull")
			t, _ := pstr(c.news, "type")
			if t == "worker" && !present(c.news, "scriptName") {
				c.fail("scriptName", "scriptName is required when type is \"worker\": the API answers 11002 \"a worker consumer needs script_name\"")
			}
			if t == "http_pull" && present(c.news, "scriptName") {
				c.fail("scriptName", "scriptName must not be set when type is \"http_pull\"")
			}
			c.physName("deadLetterQueue", naming.Queue)
			if s, ok := pobj(c.news, "settings"); ok {
				c.between(s, "batchSize", "settings.batchSize", 1, 100)
				c.between(s, "maxRetries", "settings.maxRetries", 0, 100)
				c.between(s, "maxWaitTimeMs", "settings.maxWaitTimeMs", 0, 60000)
				c.between(s, "maxConcurrency", "settings.maxConcurrency", 1, 250)
				c.between(s, "retryDelay", "settings.retryDelay", 0, 43200)
				c.between(s, "visibilityTimeoutMs", "settings.visibilityTimeoutMs", 0, 43200000)
				if present(s, "visibilityTimeoutMs") && t == "worker" {
					c.fail("settings.visibilityTimeoutMs", "settings.visibilityTimeoutMs applies to http_pull consumers only")
				}
			}
		},
		create: func(st *state, o *Object) error {
			if err := checkConsumer(st, o, ""); err != nil {
				return err
			}
			setDefault(o.Props, "consumerId", hexID(16))
			setDefault(o.Props, "createdOn", now())
			setDefault(o.Props, "settings", map[string]any{})
			// The real provider reports the account ID as the consumer's
			// ID (the Terraform resource has no ID of its own).
			o.Key, o.ID, o.Name = str(o.Props, "consumerId"), str(o.Props, "accountId"), str(o.Props, "queueName")
			return nil
		},
		update: func(st *state, old, o *Object) error {
			return checkConsumer(st, o, str(old.Props, "consumerId"))
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				return nil, fmt.Errorf("the cloudflare provider does not support importing %s", QueueConsumerType)
			}
			return st.byKey(QueueConsumerType, str(props, "consumerId")), nil
		},
	})

	register(&kind{
		token: R2BucketEventNotificationType, label: "R2 event notification",
		fields: map[string]field{
			"accountId":    {typ: tString, required: true, replace: true},
			"bucketName":   {typ: tString, required: true, replace: true},
			"queueId":      {typ: tString, required: true, replace: true},
			"jurisdiction": {typ: tString, replace: true, computed: true},
			"rules":        {typ: tArray, required: true},
		},
		outputs: []string{"queueName"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("bucketName", naming.R2Bucket)
			c.oneOf(c.news, "jurisdiction", "jurisdiction", "default", "eu", "fedramp")
			rules, ok := parr(c.news, "rules")
			if ok && len(rules) == 0 {
				c.fail("rules", "rules must have at least one rule")
			}
			for i, r := range rules {
				if !r.IsObject() {
					c.fail(fmt.Sprintf("rules[%d]", i), "a rule must be an object")
					continue
				}
				actions, ok := parr(r.ObjectValue(), "actions")
				if !ok && !present(r.ObjectValue(), "actions") {
					c.fail(fmt.Sprintf("rules[%d].actions", i), "Missing required argument. The argument \"actions\" is required")
				}
				if ok && len(actions) == 0 {
					c.fail(fmt.Sprintf("rules[%d].actions", i), "actions must list at least one action")
				}
				for j, a := range actions {
					switch a.StringValue() {
					case "PutObject", "CopyObject", "DeleteObject", "CompleteMultipartUpload", "LifecycleDeletion":
					default:
						c.fail(fmt.Sprintf("rules[%d].actions[%d]", i, j), "expected an action in [PutObject, CopyObject, DeleteObject, CompleteMultipartUpload, LifecycleDeletion], got %v", a)
					}
				}
			}
		},
		create: func(st *state, o *Object) error {
			setDefault(o.Props, "jurisdiction", "default")
			acc, bucket, jur, qid := str(o.Props, "accountId"), str(o.Props, "bucketName"), str(o.Props, "jurisdiction"), str(o.Props, "queueId")
			if st.byKey(R2BucketType, acc+"/"+jur+"/"+bucket) == nil {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/event_notifications/r2/%s/configuration/queues/%s: 404 Not Found: [10006] The specified bucket does not exist", acc, bucket, qid)
			}
			q := st.byKey(QueueType, qid)
			if q == nil || str(q.Props, "accountId") != acc {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/event_notifications/r2/%s/configuration/queues/%s: 404 Not Found: queue %s does not exist", acc, bucket, qid, qid)
			}
			o.Props["queueName"] = str(q.Props, "queueName")
			// The real provider reports the account ID as the ID; the API
			// keeps one configuration per bucket and queue (a PUT).
			o.Key, o.ID, o.Name = acc+"/"+jur+"/"+bucket+"/"+qid, acc, bucket
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				return nil, fmt.Errorf("the cloudflare provider does not support importing %s", R2BucketEventNotificationType)
			}
			jur := str(props, "jurisdiction")
			if jur == "" {
				jur = "default"
			}
			return st.byKey(R2BucketEventNotificationType, str(props, "accountId")+"/"+jur+"/"+str(props, "bucketName")+"/"+str(props, "queueId")), nil
		},
	})

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
			"bindings":            {typ: tArray, computed: true},
			"compatibilityDate":   {typ: tString, computed: true},
			"compatibilityFlags":  {typ: tArray, computed: true},
			"logpush":             {typ: tBool, computed: true},
			"observability":       {typ: tObject},
			"placement":           {typ: tObject, computed: true},
			"usageModel":          {typ: tString, computed: true},
			"tailConsumers":       {typ: tArray},
			"limits":              {typ: tObject},
			"migrations":          {typ: tObject},
			"annotations":         {typ: tObject, computed: true},
			"keepBindings":        {typ: tArray},
			"keepAssets":          {typ: tBool},
			"assets":              {typ: tObject},
			"exports":             {typ: tObject},
			"cacheOptions":        {typ: tObject},
			"packageDependencies": {typ: tArray},
		},
		opaque:  map[string]bool{"content": true},
		outputs: []string{"createdOn", "modifiedOn", "etag", "handlers", "hasAssets", "hasModules", "startupTimeMs", "lastDeployedFrom", "placementMode", "placementStatus", "migrationTag", "namedHandlers"},
		check:   checkWorkersScript,
		create: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "scriptName")
			o.Key, o.ID, o.Name = acc+"/"+name, name, name
			if st.byKey(WorkersScriptType, o.Key) != nil {
				// The real API's upload is a PUT that silently overwrites;
				// the sandbox refuses, so two stacks claiming one Worker
				// are caught.
				return fmt.Errorf("a Worker named %q already exists in account %s (the real API would overwrite it; the sandbox refuses so name collisions between stacks are caught)", name, acc)
			}
			if err := checkBindings(st, o); err != nil {
				return err
			}
			setDefault(o.Props, "createdOn", now())
			fillScript(o)
			return nil
		},
		update: func(st *state, _, o *Object) error {
			if err := checkBindings(st, o); err != nil {
				return err
			}
			fillScript(o)
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				parts, err := importParts(id, 2, "'<account_id>/<script_name>'")
				if err != nil {
					return nil, err
				}
				return st.byKey(WorkersScriptType, parts[0]+"/"+parts[1]), nil
			}
			return st.byKey(WorkersScriptType, str(props, "accountId")+"/"+id), nil
		},
	})

	register(&kind{
		token: WorkersCronTriggerType, label: "Worker cron trigger",
		fields: map[string]field{
			"accountId":  {typ: tString, required: true, replace: true},
			"scriptName": {typ: tString, required: true, replace: true},
			"schedules":  {typ: tArray, required: true},
		},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("scriptName", naming.WorkerScript)
			schedules, _ := parr(c.news, "schedules")
			parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
			for i, s := range schedules {
				if !s.IsObject() {
					c.fail(fmt.Sprintf("schedules[%d]", i), "a schedule must be an object with a cron property")
					continue
				}
				expr, ok := pstr(s.ObjectValue(), "cron")
				if !ok {
					if !present(s.ObjectValue(), "cron") {
						c.fail(fmt.Sprintf("schedules[%d].cron", i), "Missing required argument. The argument \"cron\" is required")
					}
					continue
				}
				if _, err := parser.Parse(expr); err != nil {
					c.fail(fmt.Sprintf("schedules[%d].cron", i), "invalid cron expression %q: %v (the API answers 10100 \"invalid cron string\")", expr, err)
				}
			}
		},
		create: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "scriptName")
			if st.byKey(WorkersScriptType, acc+"/"+name) == nil {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/workers/scripts/%s/schedules: 404 Not Found: [10007] This Worker script does not exist on your account", acc, name)
			}
			// Schedules are a PUT on the script: one set per script.
			o.Key, o.ID, o.Name = acc+"/"+name, name, name
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				parts, err := importParts(id, 2, "'<account_id>/<script_name>'")
				if err != nil {
					return nil, err
				}
				return st.byKey(WorkersCronTriggerType, parts[0]+"/"+parts[1]), nil
			}
			return st.byKey(WorkersCronTriggerType, str(props, "accountId")+"/"+id), nil
		},
	})

	register(&kind{
		token: DNSRecordType, label: "DNS record",
		fields: map[string]field{
			"zoneId":         {typ: tString, required: true, replace: true},
			"name":           {typ: tString, required: true},
			"type":           {typ: tString, required: true},
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
		create: func(st *state, o *Object) error {
			if err := dnsConflicts(st, o, ""); err != nil {
				return err
			}
			setDefault(o.Props, "proxied", false)
			setDefault(o.Props, "tags", []any{})
			setDefault(o.Props, "settings", map[string]any{})
			setDefault(o.Props, "createdOn", now())
			o.Props["modifiedOn"] = now()
			t := str(o.Props, "type")
			o.Props["proxiable"] = t == "A" || t == "AAAA" || t == "CNAME"
			o.Props["meta"] = "{}"
			id := hexID(16)
			o.Key, o.ID, o.Name = id, id, str(o.Props, "name")
			return nil
		},
		update: func(st *state, old, o *Object) error {
			if err := dnsConflicts(st, o, old.ID); err != nil {
				return err
			}
			o.Props["modifiedOn"] = now()
			t := str(o.Props, "type")
			o.Props["proxiable"] = t == "A" || t == "AAAA" || t == "CNAME"
			o.Name = str(o.Props, "name")
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				parts, err := importParts(id, 2, "'<zone_id>/<dns_record_id>'")
				if err != nil {
					return nil, err
				}
				return st.find(DNSRecordType, func(o *Object) bool {
					return str(o.Props, "zoneId") == parts[0] && o.ID == parts[1]
				}), nil
			}
			return st.byKey(DNSRecordType, id), nil
		},
	})

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
		create: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "name")
			o.Key, o.ID, o.Name = acc+"/"+name, acc+"/"+name, name
			if st.byKey(VectorizeIndexType, o.Key) != nil {
				return errVectorizeDuplicate
			}
			setDefault(o.Props, "description", "")
			setDefault(o.Props, "createdOn", now())
			return nil
		},
	})
}

func uniqueQueueName(st *state, o *Object) error {
	acc, name, id := str(o.Props, "accountId"), str(o.Props, "queueName"), str(o.Props, "queueId")
	if st.find(QueueType, func(x *Object) bool {
		return str(x.Props, "accountId") == acc && str(x.Props, "queueName") == name && x.ID != id
	}) != nil {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues: 409 Conflict: [11009] A queue with the name %q already exists", acc, name)
	}
	return nil
}

// checkConsumer enforces the consumer rules of the Queues API: the queue
// and the Worker exist, and a queue has one consumer.
func checkConsumer(st *state, o *Object, self string) error {
	acc, qid := str(o.Props, "accountId"), str(o.Props, "queueId")
	q := st.byKey(QueueType, qid)
	if q == nil || str(q.Props, "accountId") != acc {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 404 Not Found: [11000] queue %s does not exist", acc, qid, qid)
	}
	o.Props["queueName"] = str(q.Props, "queueName")
	if existing := st.find(QueueConsumerType, func(x *Object) bool {
		return str(x.Props, "queueId") == qid && x.Key != self
	}); existing != nil {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 400 Bad Request: [11004] queue already has a consumer (%s %q); a queue has exactly one consumer", acc, qid, str(existing.Props, "type"), str(existing.Props, "scriptName"))
	}
	if str(o.Props, "type") == "worker" {
		script := str(o.Props, "scriptName")
		if st.byKey(WorkersScriptType, acc+"/"+script) == nil {
			return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 404 Not Found: [10007] Worker %q does not exist on your account", acc, qid, script)
		}
	}
	if dlq := str(o.Props, "deadLetterQueue"); dlq != "" && dlq == str(q.Props, "queueName") {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 400 Bad Request: a queue cannot be its own dead letter queue", acc, qid)
	}
	return nil
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
		case !present(m, "name"):
			c.fail(prop+".name", "Missing required argument. The argument \"name\" is required")
		case nameOK && !jsIdentifier.MatchString(name):
			c.fail(prop+".name", "binding name %q is not a valid JavaScript identifier", name)
		case nameOK && seen[name]:
			c.fail(prop+".name", "binding name %q is used twice: the API answers 10021 \"Binding name '%s' already in use\"", name, name)
		}
		seen[name] = true
		t, ok := pstr(m, "type")
		if !ok {
			if !present(m, "type") {
				c.fail(prop+".type", "Missing required argument. The argument \"type\" is required")
			}
			continue
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
			jur := str(b, "jurisdiction")
			if jur == "" {
				jur = "default"
			}
			if st.byKey(R2BucketType, acc+"/"+jur+"/"+str(b, "bucketName")) == nil {
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

var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "OPENPGPKEY", "PTR", "TXT", "CAA", "CERT", "DNSKEY", "DS", "HTTPS", "LOC", "NAPTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "URI"}

func checkDNSRecord(c *checker) {
	c.identifier("zoneId")
	c.oneOf(c.news, "type", "type", dnsTypes...)
	if n, ok := pstr(c.news, "name"); ok && n != "@" {
		if err := naming.Validate(naming.Hostname, strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(n, "*.")), ".")); err != nil {
			c.fail("name", "%v", err)
		}
	}
	if ttl, ok := pnum(c.news, "ttl"); ok && ttl != 1 && (ttl < 60 || ttl > 86400 || ttl != float64(int64(ttl))) {
		c.fail("ttl", "ttl %v is invalid: use 1 (automatic) or 60 to 86400 seconds: the API answers 9141 \"Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.\"", ttl)
	}
	t, _ := pstr(c.news, "type")
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
		c.between(c.news, "priority", "priority", 0, 65535)
	}
	if p, ok := pbool(c.news, "proxied"); ok && p && t != "A" && t != "AAAA" && t != "CNAME" {
		c.fail("proxied", "a %s record cannot be proxied: the API answers 9004 \"This record type cannot be proxied.\"", t)
	}
	if cm, ok := pstr(c.news, "comment"); ok && len(cm) > 100 {
		c.fail("comment", "comment is %d characters; the API accepts at most 100", len(cm))
	}
}

// dnsConflicts enforces the DNS API's rules on records of one name.
func dnsConflicts(st *state, o *Object, self string) error {
	zone, name, typ := str(o.Props, "zoneId"), strings.ToLower(str(o.Props, "name")), str(o.Props, "type")
	for _, x := range st.all(DNSRecordType) {
		if x.ID == self || str(x.Props, "zoneId") != zone || strings.ToLower(str(x.Props, "name")) != name {
			continue
		}
		xt := str(x.Props, "type")
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

// httpsURL reports whether s is an absolute https URL.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
