package rules

import (
	"strings"
	"unicode"
)

// secretWords are the last words of names that hold secrets.
var secretWords = map[string]bool{
	"token": true, "tokens": true, "password": true, "passwd": true, "passphrase": true,
	"secret": true, "secrets": true, "key": true, "keys": true, "apikey": true,
	"credential": true, "credentials": true, "pem": true,
}

// LooksSecret reports whether a property, binding or configuration key name
// suggests a secret value: its last word is token, password, passphrase,
// secret, key, credentials (or a plural, or pem), as in apiToken,
// DB_PASSWORD, clientSecret, gcp:credentials. Names such as keyId,
// secretName or publicKey do not, nor does a bare "key" (the key of a tag
// or label). For a configuration key ("<namespace>:<name>") only the name
// counts.
func LooksSecret(name string) bool {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	words := splitWords(name)
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	if !secretWords[last] {
		return false
	}
	if len(words) < 2 {
		return last != "key" && last != "keys"
	}
	return words[len(words)-2] != "public"
}

// splitWords splits camelCase, snake_case, kebab-case and dotted names into
// lowercase words.
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, c := range rs {
		switch {
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			flush()
		case unicode.IsUpper(c):
			// A new word starts at an upper-case letter after a lower-case
			// one, or at the last upper-case letter of an acronym
			// followed by a lower-case letter ("APIKey" → api, key).
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || acronymEnd {
				flush()
			}
			cur = append(cur, c)
		default:
			cur = append(cur, c)
		}
	}
	flush()
	return words
}
