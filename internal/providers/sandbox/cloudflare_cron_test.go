package sandbox

import "testing"

func TestCronTriggerIsAPut(t *testing.T) {
	h := newHarness(t)
	h.create(WorkersScriptType, "w", map[string]any{"accountId": acc, "scriptName": "local-cron", "content": "x"})
	cron := map[string]any{"accountId": acc, "scriptName": "local-cron", "schedules": []any{map[string]any{"cron": "*/5 * * * *"}}}
	h.create(WorkersCronTriggerType, "c1", cron)
	cron["schedules"] = []any{map[string]any{"cron": "0 * * * *"}}
	h.create(WorkersCronTriggerType, "c2", cron)
	over, err := h.cloud.TakeOvers()
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].Type != WorkersCronTriggerType || count(h, WorkersCronTriggerType) != 1 {
		t.Fatalf("take-overs = %+v", over)
	}
	_, f := h.check(WorkersCronTriggerType, "c3", pm(map[string]any{"accountId": acc, "scriptName": "local-cron", "schedules": []any{map[string]any{}}}))
	if !hasFailure(f, "schedules[0].cron", "required") {
		t.Errorf("a schedule without cron: %v", f)
	}
}
