package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestZeroValueAndNil(t *testing.T) {
	var m Masker
	if got := m.String("nothing to hide"); got != "nothing to hide" {
		t.Fatal(got)
	}
	var nilM *Masker
	if got := nilM.String("x sk-live-123456"); got != "x sk-live-123456" || nilM.Len() != 0 || nilM.Strings(nil) != nil {
		t.Fatal("a nil Masker changed text")
	}
}

func TestMasksEveryForm(t *testing.T) {
	const secret = `sk-live-12/34+5"6&<x>`
	var m Masker
	m.Add(secret)
	js, _ := json.Marshal(map[string]string{"token": secret})
	for _, text := range []string{
		"error: 401 for token " + secret + " (unauthorized)",
		"body: " + string(js),
		"GET https://api.example/v1?token=" + url.QueryEscape(secret) + "&x=1",
		"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(secret)),
		"raw " + base64.RawStdEncoding.EncodeToString([]byte(secret)),
	} {
		got := m.String(text)
		if !strings.Contains(got, Mask) {
			t.Errorf("not masked: %q → %q", text, got)
		}
		for _, leak := range []string{"sk-live", "12/34", base64.StdEncoding.EncodeToString([]byte(secret))[:12]} {
			if strings.Contains(got, leak) {
				t.Errorf("%q leaks %q: %q", text, leak, got)
			}
		}
	}
}

func TestShortAndEmptyIgnored(t *testing.T) {
	var m Masker
	m.Add("", "a", "on", "abc")
	if m.Len() != 0 {
		t.Fatalf("%d values registered", m.Len())
	}
	if got := m.String("abc on a"); got != "abc on a" {
		t.Fatal(got)
	}
	m.Add("abcd")
	if got := m.String("xabcdx"); got != "x[secret]x" {
		t.Fatal(got)
	}
}

func TestLongestWinsAndOverlaps(t *testing.T) {
	var m Masker
	m.Add("token", "my-token-value") // the first is inside the second
	if got := m.String("a my-token-value b token c"); got != "a [secret] b [secret] c" {
		t.Fatalf("contained: %q", got)
	}
	var o Masker
	o.Add("abcdef", "defghi") // they overlap in the text
	if got := o.String("xabcdefghiy"); got != "x[secret]y" {
		t.Fatalf("overlapping: %q", got)
	}
	if got := o.String("abcdefabcdef"); got != "[secret][secret]" {
		t.Fatalf("repeated: %q", got)
	}
}

func TestStrings(t *testing.T) {
	var m Masker
	m.Add("hunter22")
	got := m.Strings([]string{"pw hunter22", "ok"})
	if len(got) != 2 || got[0] != "pw [secret]" || got[1] != "ok" {
		t.Fatal(got)
	}
}

func TestConcurrentUse(t *testing.T) {
	var m Masker
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			m.Add(fmt.Sprintf("secret-%d", i))
		}()
		go func() {
			defer wg.Done()
			_ = m.String("secret-1 secret-2")
		}()
	}
	wg.Wait()
	if got := m.String("secret-3"); got != Mask {
		t.Fatal(got)
	}
}
