package stackconfig

import (
	"regexp"
	"strings"
)

// saltLine is a stack file's top-level encryptionsalt line: the salt and
// check message of the passphrase secrets provider
// (docs/decisions/0017-one-encryption-salt-per-environment.md).
var saltLine = regexp.MustCompile(`(?m)^encryptionsalt:[ \t]*(.*?)[ \t]*(?:\n|$)`)

// EncryptionSalt returns the encryptionsalt of data, the content of a stack
// file, or "" when it has none.
func EncryptionSalt(data []byte) string {
	m := saltLine.FindSubmatch(data)
	if m == nil {
		return ""
	}
	return strings.Trim(string(m[1]), `"'`)
}

// WithEncryptionSalt returns data, the content of a stack file, with its
// encryptionsalt line set to salt: replaced in place, or added at the end
// of the file. An empty salt removes the line.
func WithEncryptionSalt(data []byte, salt string) []byte {
	line := ""
	if salt != "" {
		line = "encryptionsalt: " + salt + "\n"
	}
	if saltLine.Match(data) {
		return saltLine.ReplaceAll(data, []byte(line))
	}
	out := append([]byte(nil), data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, line...)
}
