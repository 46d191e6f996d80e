package comment

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Input{Name: "Ada", Email: "ada@example.org", Content: "Hello"}
	tests := []struct {
		name   string
		change func(*Input)
		want   ValidationError
	}{
		{"valid", func(*Input) {}, nil},
		{"missing name and email", func(in *Input) { in.Name, in.Email = "", "" },
			ValidationError{"name": "Please fill the required fields.", "email": "Please fill the required fields."}},
		{"missing text", func(in *Input) { in.Content = "" }, ValidationError{"content": "Please type your comment text."}},
		{"bad email", func(in *Input) { in.Email = "ada@" }, ValidationError{"email": "Please enter a valid email address."}},
		{"email with name", func(in *Input) { in.Email = "Ada <ada@example.org>" }, ValidationError{"email": "Please enter a valid email address."}},
		{"long text", func(in *Input) { in.Content = strings.Repeat("a", MaxContent+1) }, ValidationError{"content": "Your comment is too long."}},
		{"longest text", func(in *Input) { in.Content = strings.Repeat("é", MaxContent) }, nil},
		{"long name", func(in *Input) { in.Name = strings.Repeat("a", MaxName+1) }, ValidationError{"name": "Your name is too long."}},
		{"long email", func(in *Input) { in.Email = strings.Repeat("a", 95) + "@x.org" }, ValidationError{"email": "Your email address is too long."}},
		{"long url", func(in *Input) { in.URL = "https://example.org/" + strings.Repeat("a", 200) }, ValidationError{"url": "Your website address is too long."}},
		{"javascript url", func(in *Input) { in.URL = "javascript:alert(1)" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"script tag url", func(in *Input) { in.URL = "<script>alert(document.domain)</script>" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"quote breaking url", func(in *Input) { in.URL = `example.org/" onmouseover="alert(1)` }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"spaces in url", func(in *Input) { in.URL = "my site.org" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"no dot url", func(in *Input) { in.URL = "localhost" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"numeric tld url", func(in *Input) { in.URL = "example.123" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"data url", func(in *Input) { in.URL = "data:text/html,<b>x</b>" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"ftp url", func(in *Input) { in.URL = "ftp://example.org/" }, ValidationError{"url": "Please enter a website address, such as https://example.org/, or leave the field empty."}},
		{"idn url", func(in *Input) { in.URL = "https://bücher.example/" }, nil},
		{"ip url", func(in *Input) { in.URL = "http://192.0.2.1:8080/x?y=1#z" }, nil},
		{"bare host url", func(in *Input) { in.URL = "example.org" }, nil},
		{"invalid utf-8", func(in *Input) { in.Content = "a\xffb" }, ValidationError{"content": "This field contains characters we cannot read."}},
		{"nul", func(in *Input) { in.Name = "a\x00b" }, ValidationError{"name": "This field contains characters we cannot read."}},
		{"crlf in name", func(in *Input) { in.Name = "Ada\r\nBcc: x@y.z" }, ValidationError{"name": "This field must be on one line."}},
		{"crlf in email", func(in *Input) { in.Email = "ada@example.org\nBcc: x@y.z" }, ValidationError{"email": "This field must be on one line."}},
		{"staff needs no name", func(in *Input) { in.Name, in.Email, in.StaffID = "", "", 7 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := ok
			tt.change(&in)
			err := in.Validate()
			var got ValidationError
			if err != nil && !errors.As(err, &got) {
				t.Fatalf("Validate() = %v, not a ValidationError", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	base := Input{Name: "Ada", Email: "ada@example.org", Content: "Thoughtful words.", IP: "192.0.2.1", UserAgent: "Firefox"}
	trusted := Facts{Returning: ConfirmedEmail}
	tests := []struct {
		name     string
		settings func(*Settings)
		input    func(*Input)
		facts    Facts
		want     Status
		reason   string
	}{
		{"confirmed email is approved", nil, nil, trusted, Approved, "confirmed email"},
		{"kept token is approved", nil, nil, Facts{Returning: KeptToken}, Approved, "token"},
		{"unrecognised is held", nil, nil, Facts{}, Pending, "not a recognised returning commenter"},
		{"first-time approved when the rule is off", func(s *Settings) { s.HoldUnverified = false }, nil, Facts{}, Approved, ""},
		{"two links held", nil, func(in *Input) { in.Content = "http://a.example and https://b.example" }, trusted, Pending, "2 links"},
		{"one link passes", nil, func(in *Input) { in.Content = "see https://a.example" }, trusted, Approved, ""},
		{"hold all", func(s *Settings) { s.HoldAll = true }, nil, trusted, Pending, "every comment"},
		{"moderation word", func(s *Settings) { s.ModerationWords = []string{"Crypto"} }, func(in *Input) { in.Content = "buy crypto" }, trusted, Pending, "moderation word"},
		{"disallowed word in text", func(s *Settings) { s.DisallowedWords = []string{"casino"} }, func(in *Input) { in.Content = "best CASINO" }, trusted, Spam, "in text"},
		{"disallowed IP", func(s *Settings) { s.DisallowedWords = []string{"192.0.2."} }, nil, trusted, Spam, "in IP address"},
		{"disallowed user agent", func(s *Settings) { s.DisallowedWords = []string{"curl/"} }, func(in *Input) { in.UserAgent = "curl/8.0" }, trusted, Spam, "user agent"},
		{"classifier", nil, nil, Facts{Returning: ConfirmedEmail, SpamScore: 0.97, SpamTrained: true}, Spam, "97% spam"},
		{"untrained classifier ignored", nil, nil, Facts{Returning: ConfirmedEmail, SpamScore: 0.97}, Approved, ""},
		{"staff approved", func(s *Settings) { s.HoldAll = true }, nil, Facts{Staff: true}, Approved, "staff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, in := DefaultSettings(), base
			if tt.settings != nil {
				tt.settings(&s)
			}
			if tt.input != nil {
				tt.input(&in)
			}
			d := s.Decide(in, tt.facts)
			if d.Status != tt.want || !strings.Contains(strings.Join(d.Reasons, "; "), tt.reason) {
				t.Errorf("Decide() = %v %q, want %v with a reason containing %q", d.Status, d.Reasons, tt.want, tt.reason)
			}
		})
	}
}

func TestOpenAndFlood(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	s := DefaultSettings()
	if err := s.CheckOpen(Facts{Now: now, Open: false}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed story: %v, want ErrClosed", err)
	}
	s.CloseAfterDays = 14
	if err := s.CheckOpen(Facts{Now: now, Open: true, Published: now.AddDate(0, 0, -15)}); !errors.Is(err, ErrClosed) {
		t.Errorf("old story: %v, want ErrClosed", err)
	}
	if err := s.CheckOpen(Facts{Now: now, Open: true, Published: now.AddDate(0, 0, -13)}); err != nil {
		t.Errorf("recent story: %v", err)
	}
	if err := s.CheckFlood(Facts{Now: now, LastPostedAt: now.Add(-10 * time.Second)}); !errors.Is(err, ErrFlood) {
		t.Errorf("10 s after the last: %v, want ErrFlood", err)
	}
	if err := s.CheckFlood(Facts{Now: now, LastPostedAt: now.Add(-16 * time.Second)}); err != nil {
		t.Errorf("16 s after the last: %v", err)
	}
	if err := s.CheckFlood(Facts{Now: now, Staff: true, LastPostedAt: now}); err != nil {
		t.Errorf("staff: %v", err)
	}
}

func TestFormToken(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	s := DefaultSettings()
	tok := NewFormToken(secret, 42, now)
	if _, err := s.CheckFormToken(secret, tok, 42, now.Add(time.Second)); !errors.Is(err, ErrTooFast) {
		t.Errorf("after 1 s: %v, want ErrTooFast", err)
	}
	nonce, err := s.CheckFormToken(secret, tok, 42, now.Add(time.Minute))
	if err != nil || len(nonce) != 24 {
		t.Errorf("after 1 min: nonce %q, %v", nonce, err)
	}
	for name, check := range map[string]func() error{
		"other story":  func() error { _, err := s.CheckFormToken(secret, tok, 43, now.Add(time.Minute)); return err },
		"expired":      func() error { _, err := s.CheckFormToken(secret, tok, 42, now.Add(25*time.Hour)); return err },
		"other secret": func() error { _, err := s.CheckFormToken([]byte("x"), tok, 42, now.Add(time.Minute)); return err },
		"garbage":      func() error { _, err := s.CheckFormToken(secret, "not-a-token", 42, now); return err },
		"empty":        func() error { _, err := s.CheckFormToken(secret, "", 42, now); return err },
	} {
		if err := check(); !errors.Is(err, ErrToken) {
			t.Errorf("%s: %v, want ErrToken", name, err)
		}
	}
	held := HeldToken(secret, 9, now.Add(time.Hour))
	if id, ok := CheckHeldToken(secret, held, now); !ok || id != 9 {
		t.Errorf("CheckHeldToken = %d, %v; want 9, true", id, ok)
	}
	if _, ok := CheckHeldToken(secret, held, now.Add(2*time.Hour)); ok {
		t.Error("expired held token accepted")
	}
	v := SignedValue(secret, "verify", "ada@example.org")
	if got, ok := CheckSignedValue(secret, "verify", v); !ok || got != "ada@example.org" {
		t.Errorf("CheckSignedValue = %q, %v", got, ok)
	}
	if _, ok := CheckSignedValue(secret, "unsubscribe", v); ok {
		t.Error("a verification link served as an unsubscribe link")
	}
}

func TestSpamScore(t *testing.T) {
	t.Parallel()
	counts := map[string]TokenCounts{}
	var spamN, hamN int
	train := func(text string, spam bool) {
		for _, tok := range SpamTokens(Input{Content: text}) {
			c := counts[tok]
			if spam {
				c.Spam++
			} else {
				c.Ham++
			}
			counts[tok] = c
		}
		if spam {
			spamN++
		} else {
			hamN++
		}
	}
	for range 5 {
		train("cheap pills casino bonus win money now http://spam.example", true)
		train("I disagree with the mayor about the harbour vote; the council should decide.", false)
	}
	score := func(s string) float64 { return SpamScore(SpamTokens(Input{Content: s}), counts, spamN, hamN) }
	if s := score("casino bonus money pills"); s < 0.9 {
		t.Errorf("spammy text scores %.2f, want ≥ 0.9", s)
	}
	if s := score("the council vote on the harbour"); s > 0.1 {
		t.Errorf("ordinary text scores %.2f, want ≤ 0.1", s)
	}
	if s := SpamScore([]string{"x"}, nil, 0, 0); s != 0.5 {
		t.Errorf("untrained score %.2f, want 0.5", s)
	}
}

func TestThread(t *testing.T) {
	t.Parallel()
	at := func(m int) time.Time { return time.Date(2026, 1, 1, 0, m, 0, 0, time.UTC) }
	list := []*Public{
		{ID: 1, CreatedAt: at(1)},
		{ID: 2, ParentID: 1, CreatedAt: at(2)},
		{ID: 3, ParentID: 2, CreatedAt: at(3)},
		{ID: 4, ParentID: 3, CreatedAt: at(4)}, // depth 4, beyond a max of 3: joins 3's level
		{ID: 5, CreatedAt: at(5), Featured: true},
		{ID: 6, ParentID: 99, CreatedAt: at(6)}, // orphan
	}
	roots := Thread(list, 3, false)
	var shape func([]*Public) []any
	shape = func(cs []*Public) []any {
		var out []any
		for _, c := range cs {
			out = append(out, c.ID, c.Depth)
			if len(c.Replies) > 0 {
				out = append(out, shape(c.Replies))
			}
		}
		return out
	}
	want := []any{int64(5), 1, int64(1), 1, []any{int64(2), 2, []any{int64(3), 3, int64(4), 3}}, int64(6), 1}
	if diff := cmp.Diff(want, shape(roots)); diff != "" {
		t.Errorf("Thread shape mismatch (-want +got):\n%s", diff)
	}
	if n := Count(roots); n != 6 {
		t.Errorf("Count = %d, want 6", n)
	}
}

func TestAvatar(t *testing.T) {
	t.Parallel()
	a := AvatarKey([]byte("s1"), "Ada@Example.org ")
	if a != AvatarKey([]byte("s1"), "ada@example.org") {
		t.Error("avatar key depends on case or spaces")
	}
	if a == AvatarKey([]byte("s2"), "ada@example.org") {
		t.Error("avatar key does not depend on the site's secret")
	}
	if strings.Contains(a, "ada") || len(a) != 24 {
		t.Errorf("AvatarKey = %q", a)
	}
	svg := string(Identicon(a))
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>") {
		t.Errorf("Identicon is not an SVG: %.60s", svg)
	}
}

func TestTrainingAndNotices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to  Status
		spam, ham int
	}{
		{Pending, Spam, 1, 0},
		{Pending, Approved, 0, 1},
		{Spam, Approved, -1, 1},
		{Approved, Spam, 1, -1},
		{Approved, Trash, 0, -1},
		{Pending, Trash, 0, 0},
		{Spam, Spam, 0, 0},
	}
	for _, tt := range tests {
		if s, h := Training(tt.from, tt.to); s != tt.spam || h != tt.ham {
			t.Errorf("Training(%s, %s) = %d, %d; want %d, %d", tt.from, tt.to, s, h, tt.spam, tt.ham)
		}
	}
	if got := Notices(&Comment{Status: Pending}, ""); len(got) != 1 || got[0] != NoticeHeld {
		t.Errorf("new held comment: %v", got)
	}
	if got := Notices(&Comment{Status: Approved, ParentID: 3}, Pending); len(got) != 1 || got[0] != NoticeReply {
		t.Errorf("approved reply: %v", got)
	}
	if got := Notices(&Comment{Status: Approved}, Pending); len(got) != 0 {
		t.Errorf("approved top-level comment: %v", got)
	}
	if got := Notices(&Comment{Status: Spam, ParentID: 3}, ""); len(got) != 0 {
		t.Errorf("spam reply: %v", got)
	}
}
