package article

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits on what a story may hold.
const (
	MaxTitleLen      = 300
	MaxStandfirstLen = 1000
	MaxBodyBytes     = 2 << 20
)

// ValidationError maps a field name to a human message. It is a value the form shows beside each
// field, not a failure to log.
type ValidationError map[string]string

// Error lists the fields at fault in a stable order.
func (v ValidationError) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("article: invalid ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + v[k])
	}
	return b.String()
}

// AsValidation returns the ValidationError inside err, if there is one.
func AsValidation(err error) (ValidationError, bool) {
	var v ValidationError
	ok := errors.As(err, &v)
	return v, ok
}

// Validate checks the fields an editor types. It does not check uniqueness, which only the store
// can decide (it answers store.ErrConflict).
func (a *Article) Validate() error {
	v := ValidationError{}
	title := strings.TrimSpace(a.Title)
	switch {
	case title == "":
		v["title"] = "A story needs a headline."
	case utf8.RuneCountInString(title) > MaxTitleLen:
		v["title"] = "The headline is too long (300 characters at most)."
	}
	if utf8.RuneCountInString(a.Standfirst) > MaxStandfirstLen {
		v["standfirst"] = "The standfirst is too long (1,000 characters at most)."
	}
	if len(a.Body) > MaxBodyBytes {
		v["body"] = "The body is too long (2 MB at most)."
	}
	if a.Slug != "" && !ValidSlug(a.Slug) {
		v["slug"] = "Use lower-case letters, digits and single hyphens."
	}
	if !a.Status.Valid() {
		v["status"] = "Unknown status."
	}
	if a.Status == Scheduled && a.PublishedAt.IsZero() {
		v["published_at"] = "A scheduled story needs a date and time."
	}
	if a.ImageURL != "" {
		if u, err := url.Parse(a.ImageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https" && !strings.HasPrefix(a.ImageURL, "/")) {
			v["image_url"] = "Use an http(s) address or a path starting with /."
		} else if strings.TrimSpace(a.ImageAlt) == "" {
			v["image_alt"] = "Describe the image for readers who cannot see it."
		}
	}
	for _, s := range []string{a.Title, a.Standfirst, a.Body, a.ImageAlt} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			v["body"] = "The text contains invalid characters."
		}
	}
	if len(v) > 0 {
		return v
	}
	return nil
}
