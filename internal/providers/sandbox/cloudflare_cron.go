package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
	"github.com/robfig/cron/v3"
)

// The Worker cron trigger (terraform-provider-cloudflare v5.22.0,
// internal/services/workers_cron_trigger/schema.go and resource.go):
// account_id and script_name RequiresReplace; schedules Required, each
// with cron Required. Create is Workers.Scripts.Schedules.Update, a PUT of
// the script's whole schedule set: an upsert (one set per script). The ID
// is the script name, the import ID <account_id>/<script_name>.
func init() {
	register(&kind{
		token: WorkersCronTriggerType, label: "Worker cron trigger",
		fields: map[string]field{
			"accountId":  {typ: tString, required: true, replace: true},
			"scriptName": {typ: tString, required: true, replace: true},
			"schedules":  {typ: tArray, required: true, nested: []string{"[].cron"}},
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
					continue
				}
				if _, err := parser.Parse(expr); err != nil {
					c.fail(fmt.Sprintf("schedules[%d].cron", i), "invalid cron expression %q: %v (the API answers 10100 \"invalid cron string\")", expr, err)
				}
			}
		},
		refs: func(st *state, o *Object) error {
			acc, name := str(o.Props, "accountId"), str(o.Props, "scriptName")
			if st.byKey(WorkersScriptType, acc+"/"+name) == nil {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/workers/scripts/%s/schedules: 404 Not Found: [10007] This Worker script does not exist on your account", acc, name)
			}
			return nil
		},
		identity: func(o *Object) (string, string, string) {
			name := str(o.Props, "scriptName")
			return str(o.Props, "accountId") + "/" + name, name, name
		},
		upsert:  true,
		imports: workerImport,
		stateKey: func(id string, props map[string]any) string {
			return str(props, "accountId") + "/" + id
		},
	})
}
