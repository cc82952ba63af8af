package rules

import (
	"fmt"
	"time"
)

// Policy names of the Worker rules.
const (
	WorkerObservability     = "worker-observability"
	WorkerCompatibilityDate = "worker-compatibility-date"
	WorkerSecretBindings    = "worker-secret-bindings"
)

func workerObservability() Policy {
	return Policy{
		Name:        WorkerObservability,
		Description: "Workers have observability (logs) enabled.",
		Types:       []string{TypeWorkersScript},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != TypeWorkersScript {
				return nil
			}
			const fix = "set observability: {enabled: true, headSamplingRate: 1} on the script"
			o := r.Get("observability")
			if o.Unknown {
				return nil
			}
			if o.Absent {
				return []Violation{violation(WorkerObservability, r, fix, "observability is not set")}
			}
			e := o.Get("enabled")
			if e.Unknown {
				return nil
			}
			if on, ok := e.Bool(); !ok || !on {
				return []Violation{violation(WorkerObservability, r, fix, "observability.enabled is not true")}
			}
			return nil
		},
	}
}

func workerCompatibilityDate() Policy {
	return Policy{
		Name:        WorkerCompatibilityDate,
		Description: "Workers pin a compatibility date (YYYY-MM-DD), so runtime changes never reach them unannounced.",
		Types:       []string{TypeWorkersScript},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != TypeWorkersScript {
				return nil
			}
			const fix = "set compatibilityDate to the date the script was last tested against, e.g. \"2025-01-01\""
			v := r.Get("compatibilityDate")
			if v.Unknown {
				return nil
			}
			s, ok := v.Str()
			if !ok || s == "" {
				return []Violation{violation(WorkerCompatibilityDate, r, fix, "compatibilityDate is not set")}
			}
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return []Violation{violation(WorkerCompatibilityDate, r, fix, "compatibilityDate %q is not a date in the form YYYY-MM-DD", s)}
			}
			return nil
		},
	}
}

func workerSecretBindings() Policy {
	return Policy{
		Name:        WorkerSecretBindings,
		Description: "Worker secrets are bound as secret_text (or secret_key) with a Pulumi secret value, never as plain_text.",
		Types:       []string{TypeWorkersScript},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != TypeWorkersScript {
				return nil
			}
			bindings, ok := r.Get("bindings").Elems()
			if !ok {
				return nil
			}
			var vs []Violation
			for i, b := range bindings {
				typ, ok := b.Get("type").Str()
				if !ok {
					continue
				}
				name, _ := b.Get("name").Str()
				at := fmt.Sprintf("bindings[%d] (%q)", i, name)
				switch typ {
				case "plain_text":
					if LooksSecret(name) {
						vs = append(vs, violation(WorkerSecretBindings, r,
							"bind it with type secret_text and a secret value (pulumi.ToSecret or a secret stack config value)",
							"%s has a secret-looking name but is a plain_text binding", at))
					}
				case "secret_text":
					if t := b.Get("text"); t.Known() && !t.Secret {
						vs = append(vs, violation(WorkerSecretBindings, r,
							"pass the text as a Pulumi secret (pulumi.ToSecret or config.RequireSecret), so it is encrypted in the state",
							"%s is a secret_text binding whose text is not a Pulumi secret", at))
					}
				case "secret_key":
					for _, k := range []string{"keyBase64", "keyJwk"} {
						if t := b.Get(k); t.Known() && !t.Secret {
							vs = append(vs, violation(WorkerSecretBindings, r,
								"pass the key material as a Pulumi secret (pulumi.ToSecret or config.RequireSecret)",
								"%s is a secret_key binding whose %s is not a Pulumi secret", at, k))
						}
					}
				}
			}
			return vs
		},
	}
}
