package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/cli/cliargs"
)

// parseFlags parses the arguments of a command. Flags may come before or
// after the bare arguments, and may be written key=value like the mage
// targets (env=staging is -env=staging); fs.Args() then holds the bare
// arguments. -h prints the flags and returns flag.ErrHelp. Any other mistake
// is one error naming the flag and the fix, without the flag package's
// usage dump.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	defer fs.SetOutput(stderr)
	err := fs.Parse(reorder(fs, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = stderr.Write(buf.Bytes())
		return err
	case err != nil:
		return flagError(fs, err)
	}
	return nil
}

// reorder puts the flags before the bare arguments, so that
// `deploy staging -parallel 2` reads -parallel, and turns key=value into
// -key=value when key is a flag of the command.
func reorder(fs *flag.FlagSet, args []string) []string {
	var flags, bare []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			bare = append(bare, args[i+1:]...)
			break
		}
		if k, _, ok := strings.Cut(a, "="); ok && !strings.HasPrefix(a, "-") && fs.Lookup(k) != nil {
			flags = append(flags, "-"+a)
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			bare = append(bare, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, bare...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

var (
	notDefined   = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	needsValue   = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
	invalidBool  = regexp.MustCompile(`^invalid boolean value "(.*)" for -([^:]*): `)
	invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([^:]*): (.*)$`)
	badSyntax    = regexp.MustCompile(`^bad flag syntax: (.*)$`)
)

// flagError turns an error of the flag package into one error that names
// the flag and the fix.
func flagError(fs *flag.FlagSet, err error) error {
	cmd, msg := fs.Name(), err.Error()
	if m := notDefined.FindStringSubmatch(msg); m != nil {
		names := flagNames(fs)
		fix := fmt.Sprintf("use %s (infra %s -h describes them)", strings.Join(dashed(names), ", "), cmd)
		if s := cliargs.Suggest(m[1], names); s != "" {
			fix = "did you mean -" + s + "?"
		}
		return fmt.Errorf("-%s: infra %s has no such flag; fix: %s", m[1], cmd, fix)
	}
	if m := needsValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("-%s: needs a value; fix: write -%s=<value> (infra %s -h describes it)", m[1], m[1], cmd)
	}
	if m := invalidBool.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("-%s=%s: is not true or false; fix: write -%s alone, or -%s=false", m[2], m[1], m[2], m[2])
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		if _, ok := cliargs.Keys[m[2]]; ok {
			if err := cliargs.Check(m[2], "-"+m[2]+"=", m[1]); err != nil {
				return err
			}
		}
		return fmt.Errorf("-%s=%s: %s; fix: see infra %s -h", m[2], m[1], m[3], cmd)
	}
	if m := badSyntax.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s: is not a flag; fix: write flags as -name=value (infra %s -h describes them)", m[1], cmd)
	}
	return err
}

func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f.Name) })
	sort.Strings(out)
	return out
}

func dashed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "-" + n
	}
	return out
}

// isSet reports whether the flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
