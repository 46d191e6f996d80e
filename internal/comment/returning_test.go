package comment

import (
	"strings"
	"testing"
	"time"
)

func TestReturningToken(t *testing.T) {
	t.Parallel()
	secret := []byte("a site secret")
	tok := ReturningToken(secret, 42)
	if id, ok := CheckReturningToken(secret, tok); !ok || id != 42 {
		t.Errorf("CheckReturningToken(ReturningToken(42)) = %d, %v; want 42, true", id, ok)
	}
	held := HeldToken(secret, 42, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, bad := range []string{"", "garbage", tok[:len(tok)-1], ReturningToken([]byte("another site"), 42), held,
		SignedValue(secret, "returning", "42")} {
		if id, ok := CheckReturningToken(secret, bad); ok {
			t.Errorf("CheckReturningToken(%q) = %d, true; want a forged or foreign token refused", bad, id)
		}
	}
}

// TestRecognise covers the trust rule's combinations: whether the site sends mail (so an
// address can be confirmed) × whether the browser sent a token × whether the comment it names
// was approved.
func TestRecognise(t *testing.T) {
	t.Parallel()
	in := Input{Name: "Ada Lovelace", Email: "ada@example.org"}
	approved := &Comment{Status: Approved, AuthorName: "Ada Lovelace", AuthorEmail: "Ada@Example.org"}
	pending := &Comment{Status: Pending, AuthorName: "Ada Lovelace", AuthorEmail: "ada@example.org"}
	tests := []struct {
		name      string
		confirmed bool // only possible when the site sends mail
		kept      *Comment
		want      Returning
	}{
		{"no mail, no token, approved before", false, nil, Unrecognised},
		{"no mail, token of an approved comment", false, approved, KeptToken},
		{"no mail, token of a comment still held", false, pending, Unrecognised},
		{"no mail, no token, never approved", false, nil, Unrecognised},
		{"mail, confirmed with an approved comment, no token", true, nil, ConfirmedEmail},
		{"mail, confirmed, token of an approved comment", true, approved, KeptToken},
		{"mail, unconfirmed, token of an approved comment", false, approved, KeptToken},
		{"mail, unconfirmed, token of a held comment", false, pending, Unrecognised},
		{"token of another name's approved comment", false, &Comment{Status: Approved, AuthorName: "Eve", AuthorEmail: "ada@example.org"}, Unrecognised},
		{"token of another email's approved comment", false, &Comment{Status: Approved, AuthorName: "Ada Lovelace", AuthorEmail: "eve@example.org"}, Unrecognised},
		{"token of a spam comment", false, &Comment{Status: Spam, AuthorName: "Ada Lovelace", AuthorEmail: "ada@example.org"}, Unrecognised},
	}
	for _, tt := range tests {
		if got := Recognise(in, tt.confirmed, tt.kept); got != tt.want {
			t.Errorf("%s: Recognise = %v, want %v", tt.name, got, tt.want)
		}
		d := DefaultSettings().Decide(in, Facts{Returning: Recognise(in, tt.confirmed, tt.kept)})
		if want := map[bool]Status{true: Approved, false: Pending}[tt.want != Unrecognised]; d.Status != want {
			t.Errorf("%s: Decide = %v %q, want %v", tt.name, d.Status, d.Reasons, want)
		}
	}
}

func TestTrustRule(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	if r := s.TrustRule(false); !strings.Contains(r, "token") || strings.Contains(r, "confirmed their email") || strings.Count(r, ". ") > 0 {
		t.Errorf("TrustRule without mail = %q, want one sentence naming the token and no email confirmation", r)
	}
	if r := s.TrustRule(true); !strings.Contains(r, "confirmed their email address") || !strings.Contains(r, "token") {
		t.Errorf("TrustRule with mail = %q, want the confirmed email and the token", r)
	}
	s.HoldUnverified = false
	if r := s.TrustRule(false); !strings.Contains(r, "trusts everyone") {
		t.Errorf("TrustRule with the rule off = %q", r)
	}
	s.HoldAll = true
	if r := s.TrustRule(true); r != "Every comment waits for a moderator." {
		t.Errorf("TrustRule holding all = %q", r)
	}
}
