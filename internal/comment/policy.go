package comment

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The server's limits, as WordPress's.
const (
	MaxContent = 65525
	MaxName    = 245
	MaxEmail   = 100
	MaxURL     = 200
)

// Rejections: a comment that is refused outright, not held. Their texts are shown to the reader
// above the form, which keeps what they typed.
var (
	ErrClosed    = errors.New("Sorry, comments are closed for this item.")
	ErrFlood     = errors.New("You are posting comments too quickly. Slow down.")
	ErrDuplicate = errors.New("Duplicate comment detected; it looks as though you’ve already said that!")
	ErrBanned    = errors.New("Sorry, you cannot comment on this site.")
	ErrParent    = errors.New("You can only reply to a published comment on this story.")
	ErrToken     = errors.New("This form has expired or was already used. Please post your comment again.")
	ErrTooFast   = errors.New("That was quicker than anyone can type. Please take a moment and post again.")
)

// Input is what a reader sends with the form.
type Input struct {
	ArticleID int64
	ParentID  int64
	Name      string
	Email     string // PRIVATE
	URL       string
	Content   string
	Notify    bool
	IP        string // PRIVATE
	UserAgent string // PRIVATE
	StaffID   int64  // set by the server for a signed-in staff member
	// Returning is the returning-commenter token the reader's browser kept from an earlier
	// comment, if any; Remember is their consent to keep one (and their details) in the browser.
	Returning string
	Remember  bool
}

// ValidationError maps form fields (content, name, email, url) to messages.
type ValidationError map[string]string

// Error lists the messages in a stable order.
func (v ValidationError) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + v[k]
	}
	return "comment: " + strings.Join(parts, "; ")
}

// Clean trims the fields and normalises line endings, in place.
func (in *Input) Clean() {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.URL = strings.TrimSpace(in.URL)
	in.Content = strings.TrimSpace(strings.ReplaceAll(in.Content, "\r\n", "\n"))
}

// Validate checks a cleaned Input with WordPress's limits and messages.
func (in Input) Validate() error {
	v := ValidationError{}
	for field, s := range map[string]string{"content": in.Content, "name": in.Name, "email": in.Email, "url": in.URL} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			v[field] = "This field contains characters we cannot read."
		}
	}
	for field, s := range map[string]string{"name": in.Name, "email": in.Email, "url": in.URL} {
		if strings.ContainsAny(s, "\r\n") {
			v[field] = "This field must be on one line."
		}
	}
	if len(v) > 0 {
		return v
	}
	if in.StaffID == 0 && (in.Name == "" || in.Email == "") {
		if in.Name == "" {
			v["name"] = "Please fill the required fields."
		}
		if in.Email == "" {
			v["email"] = "Please fill the required fields."
		}
	}
	if in.Content == "" {
		v["content"] = "Please type your comment text."
	}
	if utf8.RuneCountInString(in.Content) > MaxContent {
		v["content"] = "Your comment is too long."
	}
	if utf8.RuneCountInString(in.Name) > MaxName {
		v["name"] = "Your name is too long."
	}
	if in.Email != "" {
		if utf8.RuneCountInString(in.Email) > MaxEmail {
			v["email"] = "Your email address is too long."
		} else if !validEmail(in.Email) {
			v["email"] = "Please enter a valid email address."
		}
	}
	if in.URL != "" {
		if utf8.RuneCountInString(in.URL) > MaxURL {
			v["url"] = "Your website address is too long."
		} else if !validWebsite(in.URL) {
			v["url"] = "Please enter a website address, such as https://example.org/, or leave the field empty."
		}
	}
	if len(v) > 0 {
		return v
	}
	return nil
}

// NormalURL is the website address as stored: with a scheme.
func (in Input) NormalURL() string {
	if in.URL == "" {
		return ""
	}
	return withScheme(in.URL)
}

// validWebsite reports whether s is a web address: http or https (or no scheme), a host name of
// letters, digits and hyphens with at least two labels (or an IP address), no spaces or
// characters a browser would not send as they are.
func validWebsite(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"'\\^{|}`+"`", r)
	}) {
		return false
	}
	u, err := url.Parse(withScheme(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" {
		return false
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' ||
			strings.ContainsFunc(l, func(r rune) bool { return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			return false
		}
	}
	return !strings.ContainsFunc(labels[len(labels)-1], unicode.IsDigit)
}

func withScheme(u string) string {
	if strings.Contains(u, "://") {
		return u
	}
	return "http://" + u
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// Settings are the discussion settings, WordPress's with a few additions.
type Settings struct {
	// HoldAll holds every comment for a moderator ("Comment must be manually approved").
	HoldAll bool
	// HoldUnverified holds comments unless the commenter is a recognised returning commenter
	// ("Comment author must have a previously approved comment", made unspoofable by a proof:
	// see Returning).
	HoldUnverified bool
	// LinkLimit holds a comment with this many links or more (0: no limit).
	LinkLimit int
	// ModerationWords hold a comment that contains one of them.
	ModerationWords []string
	// DisallowedWords file a comment as spam when its name, email, website, text, IP or user
	// agent contains one of them.
	DisallowedWords []string
	// CloseAfterDays closes comments on stories older than this (0: never).
	CloseAfterDays int
	// MaxDepth is how deep replies nest (2–10).
	MaxDepth int
	// PerPage is how many top-level comments a page shows (0: all).
	PerPage int
	// NewestFirst orders top-level comments newest first.
	NewestFirst bool
	// FloodInterval is the least time between two comments from one IP address or email.
	FloodInterval time.Duration
	// SpamThreshold files a comment as spam when the classifier's score reaches it.
	SpamThreshold float64
	// MinFillTime is the least time between showing the form and posting it.
	MinFillTime time.Duration
	// FormLifetime is how long a form stays valid.
	FormLifetime time.Duration
}

// DefaultSettings are WordPress's defaults plus the proven returning-commenter rule.
func DefaultSettings() Settings {
	return Settings{HoldUnverified: true, LinkLimit: 2, MaxDepth: 5, PerPage: 50,
		FloodInterval: 15 * time.Second, SpamThreshold: 0.9, MinFillTime: 3 * time.Second, FormLifetime: 24 * time.Hour}
}

// Facts are what the store knows that the policy needs.
type Facts struct {
	Now          time.Time
	Published    time.Time // the story's publication time
	Open         bool      // the story takes comments
	Staff        bool      // posted by a signed-in staff member
	Returning    Returning // how the commenter proved an approved comment is theirs
	SpamScore    float64   // the classifier's score
	SpamTrained  bool      // the classifier has seen both spam and not-spam
	LastPostedAt time.Time // latest comment from this IP or email
}

// Decision is the policy's verdict with its reasons, shown in the moderation queue.
type Decision struct {
	Status  Status
	Reasons []string
}

// CheckOpen answers ErrClosed when the story no longer takes comments.
func (s Settings) CheckOpen(f Facts) error {
	if !f.Open {
		return ErrClosed
	}
	if s.CloseAfterDays > 0 && !f.Published.IsZero() && f.Now.Sub(f.Published) > time.Duration(s.CloseAfterDays)*24*time.Hour {
		return ErrClosed
	}
	return nil
}

// CheckFlood answers ErrFlood when the commenter posted too recently; staff are exempt.
func (s Settings) CheckFlood(f Facts) error {
	if f.Staff || f.LastPostedAt.IsZero() || s.FloodInterval <= 0 {
		return nil
	}
	if f.Now.Sub(f.LastPostedAt) < s.FloodInterval {
		return ErrFlood
	}
	return nil
}

// Decide applies the moderation rules in WordPress's order: disallowed words file as spam, then
// the classifier; the hold rules hold; a trusted commenter is approved. Staff are approved.
func (s Settings) Decide(in Input, f Facts) Decision {
	if f.Staff {
		return Decision{Status: Approved, Reasons: []string{"posted by staff"}}
	}
	if r := s.disallowed(in); r != "" {
		return Decision{Status: Spam, Reasons: []string{r}}
	}
	if f.SpamTrained && s.SpamThreshold > 0 && f.SpamScore >= s.SpamThreshold {
		return Decision{Status: Spam, Reasons: []string{fmt.Sprintf("spam classifier: %.0f%% spam", f.SpamScore*100)}}
	}
	var hold []string
	if s.HoldAll {
		hold = append(hold, "every comment is held for moderation")
	}
	if n := CountLinks(in.Content); s.LinkLimit > 0 && n >= s.LinkLimit {
		hold = append(hold, fmt.Sprintf("%d links (comments with %d or more are held)", n, s.LinkLimit))
	}
	if w := findWord(s.ModerationWords, in.Name, in.Email, in.URL, in.Content, in.IP, in.UserAgent); w != "" {
		hold = append(hold, "moderation word “"+w+"”")
	}
	if s.HoldUnverified && f.Returning == Unrecognised {
		hold = append(hold, "not a recognised returning commenter (no approved comment proven to be theirs)")
	}
	if len(hold) > 0 {
		return Decision{Status: Pending, Reasons: hold}
	}
	switch f.Returning {
	case ConfirmedEmail:
		return Decision{Status: Approved, Reasons: []string{"returning commenter: confirmed email address with approved comments"}}
	case KeptToken:
		return Decision{Status: Approved, Reasons: []string{"returning commenter: their browser kept the token of an approved comment"}}
	}
	return Decision{Status: Approved, Reasons: []string{"no rule held it"}}
}

func (s Settings) disallowed(in Input) string {
	fields := []struct{ name, value string }{{"name", in.Name}, {"email", in.Email}, {"website", in.URL},
		{"text", in.Content}, {"IP address", in.IP}, {"user agent", in.UserAgent}}
	for _, f := range fields {
		if w := findWord(s.DisallowedWords, f.value); w != "" {
			return "disallowed word “" + w + "” in " + f.name
		}
	}
	return ""
}

// findWord returns the first word of the list found (case-insensitively) in any value.
func findWord(words []string, values ...string) string {
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		lw := strings.ToLower(w)
		for _, v := range values {
			if strings.Contains(strings.ToLower(v), lw) {
				return w
			}
		}
	}
	return ""
}

// Words splits a settings text area (one word or phrase per line) into a list.
func Words(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
