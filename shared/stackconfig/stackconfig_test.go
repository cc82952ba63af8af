package stackconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type mocks struct{}

func (mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name, args.Inputs, nil
}
func (mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

func run(t *testing.T, cfg map[string]string, secret []string, fn func(r *Reader)) error {
	t.Helper()
	var list problems.List
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		fn(New(ctx, &list))
		return list.Err()
	}, pulumi.WithMocks("dns", "staging", mocks{}), func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.ConfigSecretKeys = secret
	})
	return err
}

func TestReadsTypedValues(t *testing.T) {
	var (
		s   string
		n   int
		f   float64
		b   bool
		obj []struct {
			Name string `json:"name"`
		}
		set  bool
		miss string
	)
	err := run(t, map[string]string{
		"dns:s": "hello", "dns:n": "7", "dns:f": "0.5", "dns:b": "true", "dns:nodes": `[{"name":"a"}]`,
	}, nil, func(r *Reader) {
		s = r.RequireString("s", "")
		n = r.Int("n", 1)
		f = r.Float("f", 1)
		b = r.Bool("b", false)
		set = r.Object("nodes", &obj)
		miss = r.String("absent", "default")
	})
	if err != nil {
		t.Fatal(err)
	}
	if s != "hello" || n != 7 || f != 0.5 || !b || !set || len(obj) != 1 || obj[0].Name != "a" || miss != "default" {
		t.Fatalf("got %q %d %v %v %v %v %q", s, n, f, b, set, obj, miss)
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	err := run(t, map[string]string{"dns:n": "seven", "dns:nodes": `[{"nmae":"a"}]`}, nil, func(r *Reader) {
		r.RequireString("zone", "set the zone")
		r.Int("n", 1)
		var obj []struct {
			Name string `json:"name"`
		}
		r.Object("nodes", &obj)
	})
	var e *problems.Error
	if !errors.As(err, &e) || len(e.Problems) != 3 {
		t.Fatalf("err = %v", err)
	}
	for _, p := range e.Problems {
		if p.File != "projects/dns/Pulumi.staging.yaml" || !strings.HasPrefix(p.Key, "dns:") {
			t.Errorf("problem %+v does not name the stack file and key", p)
		}
	}
}

func TestSecretMustBeEncrypted(t *testing.T) {
	err := run(t, map[string]string{"dns:token": "plain"}, nil, func(r *Reader) {
		r.SecretString("token")
	})
	if err == nil || !strings.Contains(err.Error(), "plaintext") || !strings.Contains(err.Error(), "--secret") {
		t.Fatalf("err = %v", err)
	}
	err = run(t, map[string]string{"dns:token": "enc"}, []string{"dns:token"}, func(r *Reader) {
		if _, ok := r.SecretString("token"); !ok {
			t.Error("secret not found")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
