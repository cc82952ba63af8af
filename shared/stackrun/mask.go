package stackrun

import (
	"context"
	"io"
	"os"

	"github.com/clustera/infra/shared/redact"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// secretEnv names the environment variables that hold credentials; their
// values never reach a result.
var secretEnv = []string{
	"CLOUDFLARE_API_TOKEN", "AIVEN_TOKEN", "GOOGLE_CREDENTIALS", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
}

// mask replaces every secret value of the stack (its secret config, the
// credentials in the environment) in the result's free text with
// [secret]: provider errors may echo a secret input back. It only runs on
// results with text to mask, since decrypting the config costs the
// passphrase's key derivation.
func mask(ctx context.Context, stack auto.Stack, res *Result) {
	m := EnvSecrets()
	if cfg, err := stack.GetAllConfig(ctx); err == nil {
		for _, v := range cfg {
			if v.Secret {
				m.Add(v.Value)
			}
		}
	}
	apply(m, res)
}

// EnvSecrets returns a Masker of the credentials in the environment.
func EnvSecrets() *redact.Masker {
	var m redact.Masker
	for _, k := range secretEnv {
		m.Add(os.Getenv(k))
	}
	return &m
}

func apply(m *redact.Masker, res *Result) {
	res.Error = m.String(res.Error)
	res.Note = m.String(res.Note)
	res.Violations = m.Strings(res.Violations)
	res.Drift = m.Strings(res.Drift)
}

// maskWriter masks the credentials of the environment in what it writes:
// the project's log and event stream keep no plaintext secret. (A secret
// that a writer's chunks split in two is not caught; the CLI writes lines.)
type maskWriter struct {
	m *redact.Masker
	w io.Writer
}

func masked(w io.Writer, m *redact.Masker) io.Writer {
	if m.Len() == 0 {
		return w
	}
	return maskWriter{m: m, w: w}
}

func (mw maskWriter) Write(p []byte) (int, error) {
	if _, err := mw.w.Write([]byte(mw.m.String(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}
