package sandbox

import "testing"

func TestR2NotificationIsAPut(t *testing.T) {
	h := newHarness(t)
	h.create(R2BucketType, "raw", map[string]any{"accountId": acc, "name": "local-raw"})
	qid, _ := h.create(QueueType, "q", map[string]any{"accountId": acc, "queueName": "local-q"})
	n := map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": qid, "rules": []any{map[string]any{"actions": []any{"PutObject"}}}}
	_, out := h.create(R2BucketEventNotificationType, "n1", n)
	// A jurisdiction change is an update, not a replacement.
	resp, err := h.diff(R2BucketEventNotificationType, out, pm(map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": qid, "jurisdiction": "eu", "rules": n["rules"]}))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetReplaces()) != 0 || len(resp.GetDiffs()) != 1 {
		t.Fatalf("jurisdiction change: diffs %v replaces %v, want an update", resp.GetDiffs(), resp.GetReplaces())
	}
	// A second stack's notification for the same bucket and queue
	// overwrites the first: a take-over.
	n["rules"] = []any{map[string]any{"actions": []any{"deleteobject"}}} // actions are case-insensitive
	h.create(R2BucketEventNotificationType, "n2", n)
	over, err := h.cloud.TakeOvers()
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].TakenOver.By != urn(R2BucketEventNotificationType, "n2") || over[0].TakenOver.From != urn(R2BucketEventNotificationType, "n1") {
		t.Fatalf("take-overs = %+v", over)
	}
	_, f := h.check(R2BucketEventNotificationType, "n3", pm(map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": qid, "rules": []any{map[string]any{"prefix": "x/"}}}))
	if !hasFailure(f, "rules[0].actions", "required") {
		t.Errorf("a rule without actions: %v", f)
	}
}
