package sandbox

import "testing"

func TestR2BucketLocationIsKept(t *testing.T) {
	h := newHarness(t)
	props := map[string]any{"accountId": acc, "name": "local-raw", "location": "weur"}
	id, out := h.create(R2BucketType, "raw", props)
	// A changed location is no difference (the provider plans the state's
	// value), and an update for another reason keeps the first location.
	resp, err := h.diff(R2BucketType, out, pm(map[string]any{"accountId": acc, "name": "local-raw", "location": "apac"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDiffs()) != 0 || len(resp.GetReplaces()) != 0 {
		t.Fatalf("location change: diffs %v replaces %v, want none", resp.GetDiffs(), resp.GetReplaces())
	}
	out, err = h.update(R2BucketType, "raw", id, out, map[string]any{"accountId": acc, "name": "local-raw", "location": "apac", "storageClass": "InfrequentAccess"})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := pstr(out, "location"); l != "weur" {
		t.Errorf("location after update = %q, want the first one (weur)", l)
	}
	if s, _ := pstr(out, "storageClass"); s != "InfrequentAccess" {
		t.Errorf("storageClass after update = %q", s)
	}
}

func TestR2BucketJurisdictionChangeIsAnUpdate(t *testing.T) {
	h := newHarness(t)
	id, out := h.create(R2BucketType, "raw", map[string]any{"accountId": acc, "name": "local-raw"})
	eu := map[string]any{"accountId": acc, "name": "local-raw", "jurisdiction": "eu"}
	resp, err := h.diff(R2BucketType, out, pm(eu))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetReplaces()) != 0 || len(resp.GetDiffs()) != 1 {
		t.Fatalf("jurisdiction change: diffs %v replaces %v, want an update", resp.GetDiffs(), resp.GetReplaces())
	}
	// The PATCH addresses the bucket of that name in the EU: none.
	_, err = h.update(R2BucketType, "raw", id, out, eu)
	wantErr(t, err, "[10006] The specified bucket does not exist")
	// With one there, the update edits it and the old bucket stays.
	h.create(R2BucketType, "raw-eu", eu)
	if _, err := h.update(R2BucketType, "raw", id, out, eu); err != nil {
		t.Fatal(err)
	}
	if n := count(h, R2BucketType); n != 2 {
		t.Errorf("%d buckets after the update, want 2 (the default one stays)", n)
	}
}

func count(h *harness, typ string) int {
	objs, err := h.cloud.Objects()
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if o.Type == typ {
			n++
		}
	}
	return n
}
