package stamp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStampChangesWithEveryBuildInput(t *testing.T) {
	root := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.work", "go 1.26\n")
	write("projects/dns/main.go", "package main\n")
	write("projects/dns/program/program_test.go", "package program\n")
	write("projects/dns/Pulumi.local.yaml", "config: {}\n")
	of := func() string {
		s, err := Of(root, []string{"projects", "shared"}, []string{"go.work"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := of()
	if of() != base {
		t.Fatal("the stamp is not stable")
	}
	// Tests and stack files are not build inputs.
	write("projects/dns/program/program_test.go", "package program // changed\n")
	write("projects/dns/Pulumi.local.yaml", "config: {a: 1}\n")
	if of() != base {
		t.Fatal("a test or a stack file changed the stamp")
	}
	for _, change := range []func(){
		func() { write("projects/dns/main.go", "package main // edited\n") },
		func() { write("projects/dns/program/new.go", "package program\n") },
		func() { write("go.work", "go 1.26\nuse .\n") },
		func() { write("projects/dns/placeholder/index.js", "export default {}\n") },
		func() {
			later := time.Now().Add(time.Hour)
			_ = os.Chtimes(filepath.Join(root, "projects/dns/main.go"), later, later)
		},
	} {
		before := of()
		change()
		if of() == before {
			t.Fatal("a build input changed and the stamp did not")
		}
	}
	bin := filepath.Join(root, "bin", "dns")
	write("bin/dns", "binary")
	s := of()
	if Fresh(bin, s) {
		t.Fatal("fresh without a saved stamp")
	}
	if err := Save(bin, s); err != nil || !Fresh(bin, s) {
		t.Fatalf("saved stamp not fresh: %v", err)
	}
	Clear(bin)
	if Fresh(bin, s) {
		t.Fatal("fresh after Clear")
	}
}
