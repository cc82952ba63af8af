// Package environment loads the settings shared by every project of one
// environment from environments/<name>.yaml. They are the single source of
// truth for the Cloudflare account and DNS zone, the artifact store of the
// Worker bundles, the Aiven project and Kafka service, and the GCP project
// and region: no project copies them into its own stack file.
package environment

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Kind classifies an environment.
type Kind string

const (
	// Local is the sandbox on one machine: fake cloud, file state in the repo.
	Local Kind = "local"
	// Shared is a team environment (dev, testing, staging).
	Shared Kind = "shared"
	// Prod is production.
	Prod Kind = "prod"
	// Personal is one engineer's environment, named like juan1.
	Personal Kind = "personal"
)

// Well-known environment names.
const (
	NameLocal   = "local"
	NameDev     = "dev"
	NameTesting = "testing"
	NameStaging = "staging"
	NameProd    = "prod"
)

// DefaultOrg is the only organization file and S3 state backends accept in
// StackReference names.
const DefaultOrg = "organization"

var personalName = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)

// ErrUnknown is wrapped by errors for an environment name that is not valid.
var ErrUnknown = errors.New("unknown environment")

// KindOf returns the kind of an environment name, or an error when the name
// can never be an environment.
func KindOf(name string) (Kind, error) {
	switch name {
	case NameLocal:
		return Local, nil
	case NameDev, NameTesting, NameStaging:
		return Shared, nil
	case NameProd:
		return Prod, nil
	}
	if personalName.MatchString(name) {
		return Personal, nil
	}
	return "", fmt.Errorf("%w %q; fix: use local, dev, testing, staging, prod, or a personal name of 2 to 16 lowercase letters and digits that starts with a letter, such as juan1", ErrUnknown, name)
}

// ValidPersonalName reports whether name may name a personal environment.
func ValidPersonalName(name string) error {
	k, err := KindOf(name)
	if err != nil {
		return err
	}
	if k != Personal {
		return fmt.Errorf("%q is a reserved environment name; pick a personal name such as juan1", name)
	}
	return nil
}

// Settings are the environment-wide settings.
type Settings struct {
	// Name of the environment; also the Pulumi stack name in every project.
	Name string `yaml:"-"`
	// Kind derived from Name.
	Kind Kind `yaml:"-"`
	// File the settings were read from, relative to the repository root.
	File string `yaml:"-"`

	// Extends names another environment whose settings this one starts from.
	Extends string `yaml:"extends"`
	// Description is free text shown by tooling.
	Description string `yaml:"description"`

	Pulumi     PulumiSettings     `yaml:"pulumi"`
	Cloudflare CloudflareSettings `yaml:"cloudflare"`
	Artifacts  ArtifactsSettings  `yaml:"artifacts"`
	Aiven      AivenSettings      `yaml:"aiven"`
	GCP        GCPSettings        `yaml:"gcp"`
	Policy     PolicySettings     `yaml:"policy"`
}

// PulumiSettings describe where the environment's state lives.
type PulumiSettings struct {
	// Org is the organization in StackReference names. Empty means the
	// backend's own: "organization" on file and S3 backends, the logged-in
	// organization on Pulumi Cloud. Set it to read stacks of another Pulumi
	// Cloud organization.
	Org string `yaml:"org"`
	// Backend is the expected PULUMI_BACKEND_URL, shown in the error when it
	// is unset. It is never used as a fallback.
	Backend string `yaml:"backend"`
}

// CloudflareSettings identify the Cloudflare account and DNS zone.
type CloudflareSettings struct {
	AccountID string `yaml:"accountId"`
	// ZoneID is optional: without it the dns project looks the zone up by
	// ZoneName in the account at deploy time. When set, it wins.
	ZoneID   string `yaml:"zoneId"`
	ZoneName string `yaml:"zoneName"`
}

// ArtifactsSettings locate the artifact store the application pipeline
// publishes the Worker bundles to: an R2 bucket read through its S3 API
// (docs/decisions/0025-worker-code-pinned-and-fetched.md).
type ArtifactsSettings struct {
	// Bucket is the bucket name.
	Bucket string `yaml:"bucket"`
	// Endpoint is the S3 endpoint; empty means the account's R2 endpoint,
	// https://<cloudflare.accountId>.r2.cloudflarestorage.com.
	Endpoint string `yaml:"endpoint"`
}

// ArtifactsEndpoint returns the S3 endpoint of the artifact store: the
// configured one, else the R2 endpoint of the Cloudflare account; "" when
// neither is known.
func (s *Settings) ArtifactsEndpoint() string {
	switch {
	case s.Artifacts.Endpoint != "":
		return s.Artifacts.Endpoint
	case s.Cloudflare.AccountID != "":
		return "https://" + s.Cloudflare.AccountID + ".r2.cloudflarestorage.com"
	}
	return ""
}

// AivenSettings identify the Aiven Kafka service and its limits.
type AivenSettings struct {
	Project       string `yaml:"project"`
	KafkaService  string `yaml:"kafkaService"`
	Brokers       int    `yaml:"brokers"`
	MaxPartitions int    `yaml:"maxPartitions"`
}

// GCPSettings identify the GCP project and region.
type GCPSettings struct {
	Project string `yaml:"project"`
	Region  string `yaml:"region"`
}

// PolicySettings set the policy enforcement level of the environment.
type PolicySettings struct {
	// Level is "advisory" or "mandatory"; empty means the default of the
	// kind: advisory for local, dev, testing and personal environments,
	// mandatory for staging and prod.
	Level string `yaml:"level"`
	// Overrides sets the level of single policies by name.
	Overrides map[string]string `yaml:"overrides"`
}

// IsProd reports whether the environment is production.
func (s *Settings) IsProd() bool { return s.Kind == Prod }

// PolicyLevel returns the default enforcement level of the environment.
func (s *Settings) PolicyLevel() string {
	if s.Policy.Level != "" {
		return s.Policy.Level
	}
	switch s.Kind {
	case Prod:
		return "mandatory"
	case Shared:
		if s.Name == NameStaging {
			return "mandatory"
		}
	}
	return "advisory"
}

// Load reads environments/<name>.yaml under root, following extends, and
// validates it. Every problem is reported at once.
func Load(root, name string) (*Settings, error) {
	kind, err := KindOf(name)
	if err != nil {
		return nil, err
	}
	s, err := load(root, name, map[string]bool{})
	if err != nil {
		return nil, err
	}
	s.Name, s.Kind = name, kind
	s.File = layout.Rel(root, layout.EnvironmentFile(root, name))
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// ForStack loads the settings of the environment a program runs in: the
// environment named like the stack.
func ForStack(ctx *pulumi.Context) (*Settings, error) {
	root, err := layout.RootOf(ctx)
	if err != nil {
		return nil, err
	}
	return Load(root, ctx.Stack())
}

func load(root, name string, seen map[string]bool) (*Settings, error) {
	if seen[name] {
		return nil, fmt.Errorf("environments: extends cycle through %q", name)
	}
	seen[name] = true
	path := layout.EnvironmentFile(root, name)
	display := layout.Rel(root, path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %q: %s does not exist; fix: check the name, or create it (a personal environment: go run mage.go env:new name=%s)", ErrUnknown, name, display, name)
	}
	var own Settings
	if err := readSettingsFile(path, display, &own); err != nil {
		return nil, err
	}
	if own.Extends == "" {
		return &own, nil
	}
	if err := checkExtends(root, display, own.Extends, seen); err != nil {
		return nil, err
	}
	base, err := load(root, own.Extends, seen)
	if err != nil {
		return nil, fmt.Errorf("environment %q extends %q: %w", name, own.Extends, err)
	}
	merged := merge(*base, own)
	return &merged, nil
}

// checkExtends reports an extends that names no environment file, or that
// leads back to a file already read, as a problem of the extends key.
func checkExtends(root, display, base string, seen map[string]bool) error {
	const fix = "name an existing environment, such as dev (personal environments extend dev), or remove the key"
	var list problems.List
	baseFile := layout.Rel(root, layout.EnvironmentFile(root, base))
	switch _, err := os.Stat(layout.EnvironmentFile(root, base)); {
	case seen[base]:
		list.Addf(display, "extends", "remove extends from one of the environments of the cycle", "%q leads back to %s: the environments extend each other in a cycle", base, baseFile)
	case validName(base) != nil || errors.Is(err, fs.ErrNotExist):
		list.Addf(display, "extends", fix, "%q is not an environment: %s does not exist", base, baseFile)
	}
	return list.Err()
}

func validName(name string) error {
	_, err := KindOf(name)
	return err
}

// merge overlays the non-zero fields of over onto base.
func merge(base, over Settings) Settings {
	out := base
	out.Extends = over.Extends
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	num := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	str(&out.Description, over.Description)
	str(&out.Pulumi.Org, over.Pulumi.Org)
	str(&out.Pulumi.Backend, over.Pulumi.Backend)
	str(&out.Cloudflare.AccountID, over.Cloudflare.AccountID)
	str(&out.Cloudflare.ZoneID, over.Cloudflare.ZoneID)
	str(&out.Cloudflare.ZoneName, over.Cloudflare.ZoneName)
	str(&out.Artifacts.Bucket, over.Artifacts.Bucket)
	str(&out.Artifacts.Endpoint, over.Artifacts.Endpoint)
	str(&out.Aiven.Project, over.Aiven.Project)
	str(&out.Aiven.KafkaService, over.Aiven.KafkaService)
	num(&out.Aiven.Brokers, over.Aiven.Brokers)
	num(&out.Aiven.MaxPartitions, over.Aiven.MaxPartitions)
	str(&out.GCP.Project, over.GCP.Project)
	str(&out.GCP.Region, over.GCP.Region)
	// A personal environment never inherits the policy level of its base:
	// it gets the default of its own kind unless it sets one.
	out.Policy = over.Policy
	return out
}

var (
	hex32     = regexp.MustCompile(`^[0-9a-f]{32}$`)
	gcpProjID = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	region    = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]$`)
	zoneName  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	// bucketName is R2's rule: 3-63 lowercase letters, digits and '-',
	// starting and ending with a letter or digit.
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	// endpoint is an https URL of a host, without a path.
	endpoint = regexp.MustCompile(`^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?/?$`)
)

// Need names a group of settings a project requires.
type Need int

// The groups of settings projects require.
const (
	NeedCloudflareAccount Need = iota
	// NeedCloudflareZone needs the zone name; the zone ID is optional
	// (looked up by name at deploy time when absent).
	NeedCloudflareZone
	// NeedArtifacts needs the artifact store of the Worker bundles: the
	// bucket, and an endpoint or the account that derives it.
	NeedArtifacts
	NeedAiven
	NeedGCP
)

// Validate checks the format of every setting that is present, and the
// policy levels. Whether a setting is required depends on the project; see
// Require.
func (s *Settings) Validate() error {
	var p problems.List
	s.check(&p, false)
	return p.Err()
}

// Require records a problem for every setting of the needed groups that is
// missing or invalid.
func (s *Settings) Require(list *problems.List, needs ...Need) {
	var p problems.List
	s.check(&p, true, needs...)
	list.Merge(p.Err())
}

func (s *Settings) check(p *problems.List, required bool, needs ...Need) {
	f := s.File
	want := map[Need]bool{}
	for _, n := range needs {
		want[n] = true
	}
	// field checks one value: a problem when it is required by a needed
	// group and missing, or present and malformed.
	field := func(group Need, key, val, missingFix string, re *regexp.Regexp, badFix string) {
		switch {
		case val == "":
			// An empty missingFix marks an optional setting.
			if required && want[group] && missingFix != "" {
				p.Add(f, key, "is missing", missingFix)
			}
		case re != nil && !re.MatchString(val) && (!required || want[group]):
			p.Addf(f, key, badFix, "%q is not valid", val)
		}
	}
	field(NeedCloudflareAccount, "cloudflare.accountId", s.Cloudflare.AccountID,
		"set the 32-character Cloudflare account ID", hex32, "use the 32 lowercase hex characters shown in the Cloudflare dashboard")
	// The zone ID is never required: without it the zone is looked up by
	// name. When present it must be well-formed.
	field(NeedCloudflareZone, "cloudflare.zoneId", s.Cloudflare.ZoneID,
		"", hex32, "use the 32 lowercase hex characters of the zone ID, or remove the key to look the zone up by cloudflare.zoneName")
	field(NeedCloudflareZone, "cloudflare.zoneName", s.Cloudflare.ZoneName,
		"set the DNS zone, e.g. clustera.io (its ID is looked up by name in the account at deploy time)", zoneName, "use a domain name such as clustera.io")
	field(NeedArtifacts, "artifacts.bucket", s.Artifacts.Bucket,
		"set the R2 bucket the application pipeline publishes the Worker bundles to, e.g. clustera-worker-artifacts", bucketName,
		"use an R2 bucket name: 3-63 lowercase letters, digits and '-'")
	field(NeedArtifacts, "artifacts.endpoint", s.Artifacts.Endpoint, "", endpoint,
		"use the bucket's S3 endpoint as https://<host>, e.g. https://<account>.r2.cloudflarestorage.com, or remove the key to derive it from cloudflare.accountId")
	if required && want[NeedArtifacts] && s.Artifacts.Endpoint == "" && s.Cloudflare.AccountID == "" {
		p.Add(f, "artifacts.endpoint", "is missing, and no cloudflare.accountId derives it",
			"set cloudflare.accountId (the endpoint is then https://<account>.r2.cloudflarestorage.com) or artifacts.endpoint")
	}
	field(NeedAiven, "aiven.project", s.Aiven.Project, "set the Aiven project that holds the Kafka service", nil, "")
	field(NeedAiven, "aiven.kafkaService", s.Aiven.KafkaService, "set the name of the Aiven Kafka service", nil, "")
	count := func(key string, val int, fix string) {
		switch {
		case val < 0:
			p.Addf(f, key, fix, "must be at least 1, got %d", val)
		case val == 0 && required && want[NeedAiven]:
			p.Add(f, key, "is missing", fix)
		}
	}
	count("aiven.brokers", s.Aiven.Brokers, "set the number of Kafka brokers of the service (3 on Aiven business plans)")
	count("aiven.maxPartitions", s.Aiven.MaxPartitions, "set the highest partition count a topic may ask for")
	field(NeedGCP, "gcp.project", s.GCP.Project, "set the GCP project ID", gcpProjID, "use a project ID (6-30 lowercase letters, digits, hyphens)")
	field(NeedGCP, "gcp.region", s.GCP.Region, "set the GCP region, e.g. us-central1", region, "use a region such as us-central1")
	if required {
		return
	}
	switch s.Policy.Level {
	case "", "advisory", "mandatory", "disabled":
	default:
		p.Addf(f, "policy.level", "use advisory, mandatory or disabled", "unknown level %q", s.Policy.Level)
	}
	for name, lvl := range s.Policy.Overrides {
		switch lvl {
		case "advisory", "mandatory", "disabled":
		default:
			p.Addf(f, "policy.overrides."+name, "use advisory, mandatory or disabled", "unknown level %q", lvl)
		}
	}
	if s.IsProd() && s.Policy.Level != "" && s.Policy.Level != "mandatory" {
		p.Add(f, "policy.level", "prod must enforce policies", "remove the key or set it to mandatory")
	}
}
