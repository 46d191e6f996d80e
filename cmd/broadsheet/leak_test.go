package main

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// emailForms returns the shapes in which a leaked address could appear: as typed, lowercased,
// uppercased, URL-encoded, HTML-escaped, and the MD5 (Gravatar's), SHA-1 and SHA-256 hashes of
// its lowercased form.
func emailForms(email string) []string {
	low := strings.ToLower(email)
	forms := []string{email, low, strings.ToUpper(email), url.QueryEscape(low), url.PathEscape(low),
		strings.ReplaceAll(low, "@", "&#64;"), html.EscapeString(low)}
	for _, sum := range [][]byte{hash(md5.New(), low), hash(sha1.New(), low), hash(sha256.New(), low)} {
		forms = append(forms, hex.EncodeToString(sum), strings.ToUpper(hex.EncodeToString(sum)))
	}
	return forms
}

func hash(h interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}, s string) []byte {
	h.Write([]byte(s))
	return h.Sum(nil)
}

var linkAttr = regexp.MustCompile(`(?:href|src|srcset|action)="([^"]+)"|<(?:link|loc|id|url)>([^<]+)</|"(?:url|id|external_url|avatar)":\s*"([^"]+)"`)

// TestAttackEmailLeakCrawl gives comments on several stories (approved, held and spam) emails
// in mixed case, and staff their own, then crawls every public URL the site links to — pages,
// archives, search, feeds of every kind, JSON Feed, sitemaps, avatars, robots.txt — and the
// exports an operator makes without --private: no form of any address appears anywhere.
func TestAttackEmailLeakCrawl(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	var emails []string
	for i, status := range []string{"approved", "approved", "approved", "pending", "spam"} {
		a := liveStory(t, m, i)
		path := a.Path(time.UTC)
		email := fmt.Sprintf("Leaky.Reader%d@Example.ORG", i)
		emails = append(emails, email)
		form := fill(t, m, clk, path, fmt.Sprintf("Leaky Reader %d", i), email, fmt.Sprintf("A comment that must not leak its author's address, number %d.", i))
		form.Set("url", fmt.Sprintf("https://reader%d.example.net/", i))
		resp, _ := post(t, m, "/comments", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment %d = %d", i, resp.StatusCode)
		}
		if status != "pending" {
			id := commentID(t, resp.Header.Get("Location"))
			if _, err := m.Store.SetCommentStatus(t.Context(), []int64{id}, comment.Status(status)); err != nil {
				t.Fatalf("set comment %d %s: %v", id, status, err)
			}
		}
	}
	users, err := m.Store.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		emails = append(emails, u.Email)
	}
	var forms []string
	for _, e := range emails {
		forms = append(forms, emailForms(e)...)
	}
	check := func(where, body string) {
		for _, f := range forms {
			if strings.Contains(body, f) {
				t.Errorf("%s contains %q", where, f)
			}
		}
	}

	queue := []string{"/", "/feed/", "/feed/atom/", "/feed.json", "/comments/feed/", "/comments/feed/atom/", "/sitemap.xml",
		"/news-sitemap.xml", "/robots.txt", "/search?q=comment", "/search?q=leak"}
	seen := map[string]bool{}
	base, _ := url.Parse(m.URL())
	for len(queue) > 0 && len(seen) < 600 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		resp, body := get(t, m, p)
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
		check(p, body)
		for _, h := range resp.Header {
			check(p+" (headers)", strings.Join(h, " "))
		}
		for _, mm := range linkAttr.FindAllStringSubmatch(body, -1) {
			for _, raw := range mm[1:] {
				for _, one := range strings.Split(html.UnescapeString(raw), ",") {
					u, err := base.Parse(strings.Fields(one + " x")[0])
					if err != nil || u.Host != base.Host || strings.HasPrefix(u.Path, "/admin") || strings.HasPrefix(u.Path, "/api") {
						continue
					}
					if next := u.RequestURI(); !seen[next] {
						queue = append(queue, next)
					}
				}
			}
		}
	}
	var avatars int
	for p := range seen {
		if strings.HasPrefix(p, "/avatars/") {
			avatars++
		}
	}
	if len(seen) < 60 || avatars == 0 {
		t.Errorf("crawled %d URLs with %d avatars; want the whole site, avatars included", len(seen), avatars)
	}
	for _, format := range []string{"wxr", "jsonl"} {
		code, out, errOut := cli(t, m, "export", "--format", format)
		if code != 0 {
			t.Fatalf("export %s: %d %s", format, code, errOut)
		}
		for _, e := range emails[:5] {
			for _, f := range emailForms(e) {
				if strings.Contains(out, f) {
					t.Errorf("export --format %s without --private contains %q", format, f)
				}
			}
		}
	}
	t.Logf("crawled %d public URLs (%d avatars) and 2 exports for %d search strings: no leak", len(seen), avatars, len(forms))
}
