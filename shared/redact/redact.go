// Package redact masks secret values in text meant for people and reports:
// provider error messages echo credentials back ("401 for token …"), and
// those messages end up in report.json and the CI step summary.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret.
const Mask = "[secret]"

// MinLen is the shortest value masked: shorter ones ("1", "on") would mask
// ordinary text without protecting anything.
const MinLen = 4

// Masker replaces known secrets in text. The zero value masks nothing and
// is ready to use; a Masker is safe for concurrent use. A nil *Masker masks
// nothing.
type Masker struct {
	mu      sync.RWMutex
	known   map[string]struct{}
	secrets []string // longest first
}

// Add registers secrets: each value as given, and the forms it takes
// when embedded in JSON, in a URL query and in standard base64. Empty
// values and values shorter than MinLen bytes are ignored.
func (m *Masker) Add(secrets ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.known == nil {
		m.known = map[string]struct{}{}
	}
	for _, s := range secrets {
		if len(s) < MinLen {
			continue
		}
		for _, form := range forms(s) {
			if _, ok := m.known[form]; ok || len(form) < MinLen {
				continue
			}
			m.known[form] = struct{}{}
			m.secrets = append(m.secrets, form)
		}
	}
	sort.SliceStable(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

// forms returns s and its encodings.
func forms(s string) []string {
	out := []string{s, jsonEscaped(s, true), jsonEscaped(s, false), url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s))}
	return out
}

// jsonEscaped returns s as it appears between the quotes of a JSON string,
// with or without the HTML escapes of encoding/json (\u003c…).
func jsonEscaped(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if enc.Encode(s) != nil {
		return s
	}
	q := strings.TrimSuffix(b.String(), "\n")
	return q[1 : len(q)-1]
}

// Len returns the number of values (forms included) masked.
func (m *Masker) Len() int {
	if m == nil {
		return 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.secrets)
}

// String returns s with every occurrence of a secret replaced by [secret].
// Where secrets overlap (one contains another, or two overlap in the text)
// the whole span they cover is masked once, so no part of the longer one is
// left behind.
func (m *Masker) String(s string) string {
	if m == nil || s == "" {
		return s
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	type span struct{ from, to int }
	var spans []span
	for _, sec := range m.secrets {
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], sec)
			if i < 0 {
				break
			}
			spans = append(spans, span{off + i, off + i + len(sec)})
			off += i + 1 // overlapping occurrences too
		}
	}
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		from, to := spans[i].from, spans[i].to
		for i++; i < len(spans) && spans[i].from < to; i++ {
			to = max(to, spans[i].to)
		}
		b.WriteString(s[last:from])
		b.WriteString(Mask)
		last = to
	}
	b.WriteString(s[last:])
	return b.String()
}

// Strings masks each of ss, returning a new slice (nil for nil).
func (m *Masker) Strings(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = m.String(s)
	}
	return out
}
