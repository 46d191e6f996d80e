package account

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/argon2"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword = %q, want OWASP's argon2id parameters in PHC form", h)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	tests := []struct {
		hash, password string
		want           bool
	}{
		{h, "correct horse battery staple", true},
		{h, "correct horse battery stapl", false},
		{h, "", false},
		{h, strings.Repeat("x", MaxPasswordLen+1), false},
		{"", "anything", false},
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "anything", false},
		{"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5", "anything", false},
		{"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5", "anything", false},
		{strings.Replace(h, "t=2", "t=3", 1), "correct horse battery staple", false},
	}
	for _, tt := range tests {
		if got := CheckPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("CheckPassword(%.40q, %.20q) = %v, want %v", tt.hash, tt.password, got, tt.want)
		}
	}
	if NeedsRehash(h) {
		t.Errorf("NeedsRehash(%q) = true for a default hash", h)
	}
	weak, _ := Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("pw")
	if !NeedsRehash(weak) || !NeedsRehash("garbage") {
		t.Error("NeedsRehash is false for a weak or malformed hash")
	}
	if !CheckPassword(weak, "pw") {
		t.Error("a hash with other parameters does not verify")
	}
}

func TestAbsentHashCostsTheSame(t *testing.T) {
	t.Parallel()
	p, _, _, err := decodeHash(absentHash)
	if err != nil {
		t.Fatalf("absentHash: %v", err)
	}
	d := DefaultParams()
	if p.Memory != d.Memory || p.Time != d.Time || p.Threads != d.Threads || p.KeyLen != d.KeyLen {
		t.Errorf("absentHash parameters %+v, want DefaultParams %+v", p, d)
	}
}

// TestAuthenticateTiming checks that every sign-in costs the same work, whether the email has an
// account or not, so the time taken tells a stranger nothing. It counts the key derivations and
// their parameters through an injected hasher rather than timing them, since a shared machine's
// clock proves nothing.
func TestAuthenticateTiming(t *testing.T) {
	t.Parallel()
	h, _ := HashPassword("the right password")
	type derivation struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}
	d := DefaultParams()
	want := []derivation{{d.Time, d.Memory, d.Threads, d.KeyLen}}
	tests := []struct {
		name     string
		u        *User
		password string
		ok       bool
	}{
		{"known email, right password", &User{PasswordHash: h}, "the right password", true},
		{"known email, wrong password", &User{PasswordHash: h}, "a wrong password", false},
		{"unknown email", nil, "a wrong password", false},
		{"account without a password", &User{}, "a wrong password", false},
		{"account with a malformed hash", &User{PasswordHash: "$argon2id$garbage"}, "", false},
	}
	for _, tt := range tests {
		var got []derivation
		count := func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			got = append(got, derivation{time, memory, threads, keyLen})
			return argon2.IDKey(password, salt, time, memory, threads, keyLen)
		}
		if ok := authenticate(count, tt.u, tt.password); ok != tt.ok {
			t.Errorf("%s: authenticate = %v, want %v", tt.name, ok, tt.ok)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(derivation{})); diff != "" {
			t.Errorf("%s: key derivations (-want +got):\n%s", tt.name, diff)
		}
	}
	if !Authenticate(&User{PasswordHash: h}, "the right password") || Authenticate(nil, "") {
		t.Error("Authenticate with argon2id disagrees with authenticate")
	}
}

func TestUserValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		u    User
		want []string // fields at fault
	}{
		{User{Email: "ed@example.org", Name: "Ed", Role: Editor}, nil},
		{User{Email: "", Name: "", Role: ""}, []string{"email", "name", "role"}},
		{User{Email: "not an email", Name: "Ed", Role: Editor}, []string{"email"}},
		{User{Email: "Ed <ed@example.org>", Name: "Ed", Role: Editor}, []string{"email"}},
		{User{Email: "ed@localhost", Name: "Ed", Role: Editor}, []string{"email"}},
		{User{Email: "ed@example.org", Name: "Ed\nEvil", Role: Editor}, []string{"name"}},
		{User{Email: "ed@example.org", Name: strings.Repeat("é", 101), Role: Editor}, []string{"name"}},
		{User{Email: "ed@example.org", Name: "Ed", Role: "root"}, []string{"role"}},
	}
	for _, tt := range tests {
		var got []string
		if err := tt.u.Validate(); err != nil {
			v, ok := err.(ValidationError)
			if !ok {
				t.Fatalf("Validate(%+v) = %T, want ValidationError", tt.u, err)
			}
			for k := range v {
				got = append(got, k)
			}
			slices.Sort(got)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Validate(%+v) fields (-want +got):\n%s", tt.u, diff)
		}
	}
	if got := NormalizeEmail("  Ed@Example.ORG "); got != "ed@example.org" {
		t.Errorf("NormalizeEmail = %q", got)
	}
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pw   string
		ok   bool
		note string
	}{
		{"short", false, "too short"},
		{"ten chars!", true, "ten characters"},
		{"ÿÿÿÿÿÿÿÿÿÿ", true, "ten runes"},
		{strings.Repeat("a", MaxPasswordLen+1), false, "too long"},
		{"valid\x00password", false, "NUL"},
		{"ed@example.org", false, "the email"},
	}
	for _, tt := range tests {
		if err := ValidatePassword(tt.pw, "ed@example.org"); (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%s) = %v, want ok %v", tt.note, err, tt.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	tok, hash := NewToken(APITokenPrefix)
	tok2, _ := NewToken(APITokenPrefix)
	if tok == tok2 {
		t.Fatal("NewToken returned one token twice")
	}
	if HashToken(tok) != hash || len(hash) != 64 || strings.Contains(hash, tok) {
		t.Errorf("NewToken hash %q does not match HashToken", hash)
	}
	if !LooksLikeAPIToken(tok) {
		t.Errorf("LooksLikeAPIToken(%q) = false", tok)
	}
	for _, bad := range []string{"", "bs_", tok + "x", tok[3:], "bs_" + strings.Repeat("!", 43)} {
		if LooksLikeAPIToken(bad) {
			t.Errorf("LooksLikeAPIToken(%q) = true", bad)
		}
	}
}

func TestSessionPolicy(t *testing.T) {
	t.Parallel()
	p := SessionPolicy{Idle: time.Hour, Absolute: 24 * time.Hour, TouchEvery: time.Minute}
	t0 := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	s := &Session{CreatedAt: t0, LastSeen: t0.Add(20 * time.Hour)}
	tests := []struct {
		now  time.Time
		want bool
	}{
		{t0.Add(20 * time.Hour), true},
		{t0.Add(20*time.Hour + 59*time.Minute), true},
		{t0.Add(21 * time.Hour), false},                // idle
		{t0.Add(24 * time.Hour), false},                // absolute
		{t0.Add(23*time.Hour + 59*time.Minute), false}, // idle, too
	}
	for _, tt := range tests {
		if got := p.Valid(s, tt.now); got != tt.want {
			t.Errorf("Valid(at +%v) = %v, want %v", tt.now.Sub(t0), got, tt.want)
		}
	}
	s.LastSeen = t0.Add(23*time.Hour + 30*time.Minute)
	if p.Valid(s, t0.Add(24*time.Hour)) {
		t.Error("an active session outlived the absolute limit")
	}
	if p.Valid(nil, t0) {
		t.Error("a nil session is valid")
	}
	if p.NeedsTouch(s, s.LastSeen.Add(30*time.Second)) || !p.NeedsTouch(s, s.LastSeen.Add(time.Minute)) {
		t.Error("NeedsTouch ignores TouchEvery")
	}
	if d := DefaultSessionPolicy(); d.Idle <= 0 || d.Absolute < d.Idle {
		t.Errorf("DefaultSessionPolicy = %+v", d)
	}
	if !SetupTokenValid(t0.Add(time.Second), t0) || SetupTokenValid(t0, t0) || SetupTokenValid(time.Time{}, t0) {
		t.Error("SetupTokenValid is wrong at its boundary")
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	th := Throttle{PerAccount: 5, PerIP: 20, Window: 15 * time.Minute}
	now := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	for _, tt := range []struct {
		oldest time.Time
		want   time.Duration
	}{
		{ago(10 * time.Minute), 5 * time.Minute},
		{ago(14 * time.Minute), time.Minute},
		{ago(15 * time.Minute), time.Second}, // leaving the window: a second, never zero
	} {
		if got := th.Wait(tt.oldest, now); got != tt.want {
			t.Errorf("Wait(%v) = %v, want %v", tt.oldest, got, tt.want)
		}
	}
	if got := th.Since(now); !got.Equal(ago(15 * time.Minute)) {
		t.Errorf("Since = %v", got)
	}
}

// FuzzDecodeHash feeds arbitrary stored hashes to the PHC parser: it must refuse or accept
// without panicking, and never accept parameters that would make a sign-in costly.
func FuzzDecodeHash(f *testing.F) {
	f.Add(absentHash)
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=4194304,t=64,p=255$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, hash string) {
		p, _, key, err := decodeHash(hash)
		if err != nil {
			return
		}
		if p.Memory > 1<<22 || p.Time > 64 || p.Threads < 1 || len(key) < 16 {
			t.Errorf("decodeHash(%q) accepted %+v", hash, p)
		}
	})
}

// BenchmarkCheckPassword is the cost of one sign-in: OWASP's argon2id parameters are meant to
// take tens of milliseconds, which throttling multiplies for a guesser.
func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		CheckPassword(h, "correct horse battery staple")
	}
}
