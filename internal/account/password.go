package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's recommended argon2id parameters: 19 MiB of memory, two passes, one
// thread, a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// absentHash is a hash of a random password with DefaultParams. Authenticate checks the password
// typed for an unknown email against it, so that the answer takes as long as for a known one.
const absentHash = "$argon2id$v=19$m=19456,t=2,p=1$c2lnbi1pbi10aW1pbmctcGFk$W0Y7F4dN0Cq0k8l2cU4Lr3t7c4wJ2rJXkG8P0bOQ0dA"

var b64 = base64.RawStdEncoding

// HashPassword hashes password with DefaultParams and a random salt, in the PHC string form
// ($argon2id$v=19$m=19456,t=2,p=1$salt$key) that records the parameters beside the hash.
func HashPassword(password string) (string, error) {
	return DefaultParams().Hash(password)
}

// Hash hashes password with p and a random salt, in the PHC string form.
func (p Params) Hash(password string) (string, error) {
	if len(password) > MaxPasswordLen {
		return "", errors.New("account: password too long")
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// decodeHash parses a PHC argon2id string.
func decodeHash(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, errors.New("account: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, errors.New("account: unsupported argon2 version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, fmt.Errorf("account: argon2id parameters: %w", err)
	}
	if p.Memory < 8*uint32(p.Threads) || p.Memory > 1<<22 || p.Time < 1 || p.Time > 64 || p.Threads < 1 {
		return Params{}, nil, nil, errors.New("account: argon2id parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("account: argon2id salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return Params{}, nil, nil, errors.New("account: argon2id key malformed")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// deriveKey is argon2.IDKey's signature: the one costly step of checking a password. Tests pass
// their own to count the work each path does.
type deriveKey func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte

// CheckPassword reports whether password matches hash, comparing in constant time. A malformed
// hash matches nothing.
func CheckPassword(hash, password string) bool {
	return checkPassword(argon2.IDKey, hash, password)
}

func checkPassword(derive deriveKey, hash, password string) bool {
	if len(password) > MaxPasswordLen {
		return false
	}
	p, salt, key, err := decodeHash(hash)
	if err != nil {
		return false
	}
	got := derive([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether hash was made with weaker parameters than DefaultParams, so that
// a successful sign-in can store a fresh hash.
func NeedsRehash(hash string) bool {
	p, _, _, err := decodeHash(hash)
	d := DefaultParams()
	return err != nil || p.Memory < d.Memory || p.Time < d.Time || p.KeyLen < d.KeyLen
}

// Authenticate reports whether password is u's. For a nil u (nobody has the email typed), or a
// user without a usable password (imported staff who never set one), it still hashes the
// password once and answers false, so that the time taken does not tell a stranger which
// emails have accounts.
func Authenticate(u *User, password string) bool {
	return authenticate(argon2.IDKey, u, password)
}

func authenticate(derive deriveKey, u *User, password string) bool {
	hash := absentHash
	if u != nil {
		if _, _, _, err := decodeHash(u.PasswordHash); err == nil {
			hash = u.PasswordHash
		}
	}
	return checkPassword(derive, hash, password) && hash != absentHash
}
