package contracts

// Entry is the registry entry of one project: every fact about it that
// cannot be read from its folder (projects/<name>/: Pulumi.yaml, go.mod,
// the stack files, program/ and config/).
type Entry struct {
	// Contract is the zero value of the project's output type; its Project
	// method names the project, which is also its folder under projects/.
	Contract Contract
	// Upstreams are the projects whose outputs it reads (Read).
	Upstreams []string
	// Credentials are the cloud credentials (Credential*) its CI deploy job
	// gets besides the state backend's: least privilege, so the dns job
	// never sees the Aiven token. Empty for a project with no cloud API.
	Credentials []string
}

// Name returns the project's name.
func (e Entry) Name() string { return e.Contract.Project() }

// The cloud credentials a deploy job can get, each named by the
// environment variable (and GitHub secret) that holds it.
const (
	CredentialCloudflare = "CLOUDFLARE_API_TOKEN"
	CredentialAiven      = "AIVEN_TOKEN"
	CredentialGCP        = "GOOGLE_CREDENTIALS"
	// The R2 keys of the artifact store: cloudflare-workers fetches the
	// Worker bundles from an R2 bucket through its S3 API, with the same
	// keys as the state backend; listed on their own so the project keeps
	// them if the state ever moves away from R2.
	CredentialR2AccessKeyID     = "AWS_ACCESS_KEY_ID"
	CredentialR2SecretAccessKey = "AWS_SECRET_ACCESS_KEY"
)

// registry is the one list of the projects of the repository: adding a
// project is its folder, one entry here (and its contract type, types.go)
// and its line in go.work (docs/runbooks/add-project.md). Every other list
// is derived from it: Projects, the graph, the CI jobs and their secrets;
// the offline program table (internal/offline/projects) is generated from
// the folders and checked against it.
var registry = []Entry{
	{Contract: CloudflareStorage{}, Credentials: []string{CredentialCloudflare}},
	{Contract: CloudflareWorkers{}, Upstreams: []string{CloudflareStorageProject},
		Credentials: []string{CredentialCloudflare, CredentialR2AccessKeyID, CredentialR2SecretAccessKey}},
	{Contract: DNS{}, Credentials: []string{CredentialCloudflare}},
	{Contract: GCPGmail{}, Upstreams: []string{KafkaIntegrationsProject}, Credentials: []string{CredentialGCP}},
	{Contract: KafkaDataPlane{}, Credentials: []string{CredentialAiven}},
	{Contract: KafkaIntegrations{}, Upstreams: []string{KafkaDataPlaneProject}, Credentials: []string{CredentialAiven}},
}
