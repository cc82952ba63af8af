package sandbox

import "testing"

func TestWorkerUploadOverAnExistingNameTakesItOver(t *testing.T) {
	h := newHarness(t)
	w := map[string]any{"accountId": acc, "scriptName": "local-api", "content": "v1"}
	_, first := h.create(WorkersScriptType, "api", w)
	w["content"] = "v2"
	id, second, err := h.tryCreate(WorkersScriptType, "api-copy", w)
	if err != nil {
		t.Fatalf("a second upload of local-api: %v (the API's PUT overwrites)", err)
	}
	if id != "local-api" || count(h, WorkersScriptType) != 1 {
		t.Errorf("id %q, %d scripts; want local-api, 1", id, count(h, WorkersScriptType))
	}
	if a, b := first["createdOn"], second["createdOn"]; !a.DeepEquals(b) {
		t.Errorf("createdOn %v after the overwrite, want the first %v", b, a)
	}
	over, err := h.cloud.TakeOvers()
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 {
		t.Fatalf("take-overs = %+v, want one", over)
	}
	to := over[0].TakenOver
	if over[0].Name != "local-api" || to.By != urn(WorkersScriptType, "api-copy") || to.From != urn(WorkersScriptType, "api") || to.At == "" {
		t.Errorf("take-over = %+v of %s", to, over[0].Name)
	}
	// An object made out of band (by hand) has no previous URN.
	if _, err := h.cloud.Put(WorkersScriptType, map[string]any{"accountId": acc, "scriptName": "local-hand", "content": "x"}); err != nil {
		t.Fatal(err)
	}
	h.create(WorkersScriptType, "hand", map[string]any{"accountId": acc, "scriptName": "local-hand", "content": "y"})
	over, _ = h.cloud.TakeOvers()
	if len(over) != 2 || over[1].Name != "local-hand" || over[1].TakenOver.From != "" {
		t.Errorf("take-overs = %+v", over)
	}
	if err := h.cloud.ClearTakeOvers(); err != nil {
		t.Fatal(err)
	}
	if over, _ = h.cloud.TakeOvers(); len(over) != 0 {
		t.Errorf("take-overs after ClearTakeOvers = %+v", over)
	}
	// A plain create records nothing.
	h.create(WorkersScriptType, "new", map[string]any{"accountId": acc, "scriptName": "local-new", "content": "x"})
	if over, _ = h.cloud.TakeOvers(); len(over) != 0 {
		t.Errorf("take-overs after a plain create = %+v", over)
	}
}

func TestWorkerNestedRequired(t *testing.T) {
	h := newHarness(t)
	script := func(extra map[string]any) map[string]any {
		m := map[string]any{"accountId": acc, "scriptName": "local-api", "content": "x"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name  string
		extra map[string]any
		prop  string
	}{
		{"observability without enabled", map[string]any{"observability": map[string]any{"headSamplingRate": 1}}, "observability.enabled"},
		{"logs without invocationLogs", map[string]any{"observability": map[string]any{"enabled": true, "logs": map[string]any{"enabled": true}}}, "observability.logs.invocationLogs"},
		{"binding without name", map[string]any{"bindings": []any{map[string]any{"type": "ai"}}}, "bindings[0].name"},
		{"binding without type", map[string]any{"bindings": []any{map[string]any{"name": "AI"}}}, "bindings[0].type"},
		{"tail consumer without service", map[string]any{"tailConsumers": []any{map[string]any{"environment": "production"}}}, "tailConsumers[0].service"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f := h.check(WorkersScriptType, "api", pm(script(c.extra)))
			if !hasFailure(f, c.prop, "Missing required argument") {
				t.Fatalf("failures = %v, want %s required", f, c.prop)
			}
		})
	}
	if _, f := h.check(WorkersScriptType, "api", pm(script(map[string]any{"observability": map[string]any{"enabled": true, "logs": map[string]any{"enabled": true, "invocationLogs": false}}}))); len(f) > 0 {
		t.Errorf("complete observability failed: %v", f)
	}
}
