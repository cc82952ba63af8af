package session

import "github.com/clustera/infra/shared/stackconfig"

// LocalEncryptionSalt is the encryptionsalt of every sandboxed stack: the
// committed Pulumi.local.yaml files carry it, and a rehearsal writes it into
// its copy of each stack file. It is LocalPassphrase's, so it is as public.
//
// One salt for all the stacks of an environment is one key derivation
// (PBKDF2, 1,000,000 rounds) per CLI: the CLI caches the secrets manager by
// salt, and so decrypts its own stack and the upstream stacks its
// StackReferences read with the same key. A salt per stack costs one more
// derivation for every StackReference, on the critical path of the
// dependent (docs/decisions/0017-one-encryption-salt-per-environment.md).
const LocalEncryptionSalt = "v1:eJvqdjjQCjI=:v1:YjyFlRIiaG/WDG02:RsEoKqy8xwgzBEVwff2ad3kJiekrFw=="

// rehearsalStackFile returns a rehearsal's copy of a stack file: the
// environment's settings, with the local salt. A rehearsal encrypts with
// LocalPassphrase, so the real environment's salt, if committed, would be
// refused as an incorrect passphrase.
func rehearsalStackFile(data []byte) []byte {
	return stackconfig.WithEncryptionSalt(data, LocalEncryptionSalt)
}
