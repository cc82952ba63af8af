package session

import (
	"os"
	"testing"
)

func TestEngineProcessesGetTheGCSettings(t *testing.T) {
	for _, kv := range engineGC {
		if v, ok := os.LookupEnv(kv[0]); ok {
			t.Setenv(kv[0], v) // restored after the test
			os.Unsetenv(kv[0])
		}
	}
	s, err := open(t, "local")
	if err != nil {
		t.Fatal(err)
	}
	env := s.EnvVars()
	for _, kv := range engineGC {
		if env[kv[0]] != kv[1] {
			t.Errorf("%s=%q, want %q", kv[0], env[kv[0]], kv[1])
		}
	}
}

func TestTheCallersGCSettingsWin(t *testing.T) {
	for _, kv := range engineGC {
		t.Setenv(kv[0], "caller-"+kv[0])
	}
	s, err := open(t, "local")
	if err != nil {
		t.Fatal(err)
	}
	env := s.EnvVars()
	for _, kv := range engineGC {
		if v, set := env[kv[0]]; set {
			t.Errorf("%s=%q overrides the caller's value", kv[0], v)
		}
	}
}
