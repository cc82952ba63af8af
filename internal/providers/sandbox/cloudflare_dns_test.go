package sandbox

import (
	"reflect"
	"testing"
)

func TestDNSRecordTypeChangeReplaces(t *testing.T) {
	h := newHarness(t)
	a := map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 300, "proxied": false}
	cname := map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "CNAME", "content": "x.clustera.test", "ttl": 300, "proxied": false}
	resp, err := h.diff(DNSRecordType, pm(a), pm(cname))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resp.GetReplaces(), []string{"type"}) {
		t.Fatalf("replaces = %v, want [type] (type RequiresReplace upstream)", resp.GetReplaces())
	}
	// Create-before-delete: the CNAME cannot sit next to the A record.
	h.create(DNSRecordType, "n", a)
	_, _, err = h.tryCreate(DNSRecordType, "n", cname)
	wantErr(t, err, "81053")
}

func TestDNSRecordCheck(t *testing.T) {
	h := newHarness(t)
	base := map[string]any{"zoneId": zone, "name": "n.clustera.test", "ttl": 300}
	with := func(kv map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range kv {
			out[k] = v
		}
		return out
	}
	if _, f := h.check(DNSRecordType, "n", pm(with(map[string]any{"type": "a", "content": "203.0.113.1"}))); len(f) > 0 {
		t.Errorf("a lower-case type (OneOfCaseInsensitive) failed: %v", f)
	}
	_, f := h.check(DNSRecordType, "n", pm(with(map[string]any{"type": "CAA", "content": "0 issue x", "data": map[string]any{"tag": "issue"}})))
	if !hasFailure(f, "content", "conflicts with data") {
		t.Errorf("content with data: %v", f)
	}
	_, f = h.check(DNSRecordType, "n", pm(with(map[string]any{"type": "TXT", "content": "x", "priority": 70000})))
	if !hasFailure(f, "priority", "range") {
		t.Errorf("priority 70000: %v", f)
	}
}
