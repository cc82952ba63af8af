package stackconfig

import "testing"

func TestEncryptionSalt(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"encryptionsalt: v1:abc:v1:x:y\nconfig: {}\n", "v1:abc:v1:x:y"},
		{"# comment\nconfig:\n  a: b\nencryptionsalt: \"v1:q\"", "v1:q"},
		{"config:\n  encryptionsalt: not-top-level\n", ""},
		{"config: {}\n", ""},
	} {
		if got := EncryptionSalt([]byte(c.data)); got != c.want {
			t.Errorf("EncryptionSalt(%q) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestWithEncryptionSalt(t *testing.T) {
	for _, c := range []struct{ name, data, salt, want string }{
		{"replaces", "# c\nencryptionsalt: v1:old\nconfig: {}\n", "v1:new", "# c\nencryptionsalt: v1:new\nconfig: {}\n"},
		{"adds at the end", "# c\nconfig: {}\n", "v1:new", "# c\nconfig: {}\nencryptionsalt: v1:new\n"},
		{"adds after a last line without newline", "config: {}", "v1:new", "config: {}\nencryptionsalt: v1:new\n"},
		{"removes", "encryptionsalt: v1:old\nconfig: {}\n", "", "config: {}\n"},
		{"removes a last line", "config: {}\nencryptionsalt: v1:old", "", "config: {}\n"},
		{"leaves a nested key", "config:\n  encryptionsalt: x\n", "", "config:\n  encryptionsalt: x\n"},
	} {
		got := string(WithEncryptionSalt([]byte(c.data), c.salt))
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		if c.salt != "" {
			if s := EncryptionSalt([]byte(got)); s != c.salt {
				t.Errorf("%s: the result's salt is %q, want %q", c.name, s, c.salt)
			}
		}
		if _, err := Parse("Pulumi.x.yaml", "p", []byte(got)); err != nil {
			t.Errorf("%s: the result is not a stack file: %v", c.name, err)
		}
	}
}
