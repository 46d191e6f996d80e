package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"image"
	"image/jpeg"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/media"
)

// axeSource is axe-core (npm axe-core 4.14.1, MPL-2.0), the accessibility engine of Lighthouse
// and the browsers' developer tools, kept here so the test needs no network.
//
//go:embed testdata/axe.min.js
var axeSource string

// axeViolation is one rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestBrowserAccessibility runs axe-core in Chromium over the public pages and the admin, on a
// desktop and a phone-sized window, and wants no violation of WCAG 2.2 A and AA or axe's best
// practices, and no page wider than the window.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, clk := startMain(t)
	story := liveStory(t, m, 0)
	// The story has a conversation, and the queue a held comment with a long address and link.
	var held int64
	for _, c := range []*comment.Comment{
		{ArticleID: story.ID, Status: comment.Approved, AuthorName: "Ada Reader", AuthorEmail: "ada@example.org",
			Content: "The harbour wall has needed work since 1998.", CreatedAt: clk.Now()},
		{ArticleID: story.ID, Status: comment.Pending, AuthorName: "Bartholomew Longname-Reader",
			AuthorEmail: "bartholomew.longname-reader@subdomain.example-newspaper.org", AuthorIP: "2001:db8:1234:5678::1",
			Content: "See https://example.org/a/very/long/path/that/does/not/break/easily/on/a/phone for the plans.",
			Reasons: []string{"not a recognised returning commenter"}, CreatedAt: clk.Now()},
	} {
		if err := m.Store.CreateComment(t.Context(), c); err != nil {
			t.Fatal(err)
		}
		held = c.ID
	}
	// An invited user's set-password page; opening it uses nothing.
	nia := &account.User{Email: "nia@example.org", Name: "Nia Newcomer", Role: account.Editor, CreatedAt: clk.Now()}
	if err := m.Store.CreateUser(t.Context(), nia); err != nil {
		t.Fatal(err)
	}
	token, link := account.NewPasswordLink(nia, account.LinkInvite, clk.Now())
	if err := m.Store.CreatePasswordLink(t.Context(), link); err != nil {
		t.Fatal(err)
	}
	// A breaking-news banner shows across the public pages, and an accent colour is set.
	plan := `{"breaking":{"id":` + itoa64(story.ID) + `,"until":"` + clk.Now().Add(time.Hour).Format(time.RFC3339) + `"}}`
	if err := m.Store.SaveSettings(t.Context(), map[string]string{"front.plan": plan, "site.accent": "#1d4e89"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Server.LoadSettings(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The library: a picture with alt text, which a draft features, and one without.
	var pictures []string
	for i, alt := range []string{"Cranes at the port", ""} {
		var jb bytes.Buffer
		if err := jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 600+i, 400)), nil); err != nil {
			t.Fatal(err)
		}
		it, _, err := m.Media.Add(t.Context(), m.Store, media.Upload{Name: "port-" + strconv.Itoa(i) + ".jpg", Data: jb.Bytes(), Alt: alt})
		if err != nil {
			t.Fatal(err)
		}
		pictures = append(pictures, "/admin/media/"+itoa64(it.ID)+"/")
		if i == 0 {
			draft := &article.Article{Kind: article.Story, Slug: "port-draft", Title: "The port", Body: "Text.", BodyHTML: "<p>Text.</p>",
				Status: article.Draft, ImageURL: it.URL()}
			if err := m.Store.CreateArticle(t.Context(), draft); err != nil {
				t.Fatal(err)
			}
			pictures = append(pictures, "/admin/stories/"+itoa64(draft.ID)+"/")
		}
	}
	public := []string{"/", "/?page=2", story.Path(time.UTC), "/section/" + story.Section.Slug + "/", "/search?q=harbour",
		"/search?q=zzzzqqq", "/no-such-page/", "/admin/login", "/admin/password/lost", "/admin/password?t=" + token}
	admin := []string{"/admin/", "/admin/stories/", "/admin/stories/new", "/admin/stories/" + itoa64(story.ID) + "/",
		"/admin/comments/", "/admin/comments/?status=pending", "/admin/comments/" + itoa64(held) + "/", "/admin/settings/", "/admin/front/", "/admin/identity/", "/admin/users/", "/admin/users/" + itoa64(nia.ID) + "/", "/admin/sections/", "/admin/profile/", "/admin/media/"}
	admin = append(admin, pictures...)
	check := func(path string) {
		t.Helper()
		step(t, ctx, "open "+path, chromedp.Navigate(m.URL()+path))
		step(t, ctx, "load axe", chromedp.Evaluate[bool](axeSource+";true"))
		out := step(t, ctx, "run axe on "+path, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag",
			values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}).then(function (r) { return JSON.stringify(r.violations); })`,
			chromedp.EvalAwaitPromise))
		// A phone shows every page without sideways scrolling.
		if wide := step(t, ctx, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
			w := step(t, ctx, "widths", chromedp.Evaluate[string](`document.documentElement.scrollWidth + "px wide in a " + window.innerWidth + "px window"`))
			t.Errorf("%s: the page is %s", path, w)
		}
		var vs []axeViolation
		if err := json.Unmarshal([]byte(out), &vs); err != nil {
			t.Fatalf("axe on %s: %v", path, err)
		}
		for _, v := range vs {
			var where []string
			for _, n := range v.Nodes {
				b, _ := json.Marshal(n.Target)
				where = append(where, string(b))
			}
			t.Errorf("%s: axe %s (%s): %s at %s", path, v.ID, v.Impact, v.Help, strings.Join(where, " "))
		}
	}
	for _, size := range [][2]int64{{1280, 1000}, {390, 844}} {
		step(t, ctx, "window size", chromedp.EmulateViewport(size[0], size[1]))
		for _, p := range public {
			check(p)
		}
	}
	// The set-password page takes the token out of the address bar and the history.
	step(t, ctx, "open a set-password link", chromedp.Navigate(m.URL()+"/admin/password?t="+token))
	if at := step(t, ctx, "address", chromedp.Evaluate[string](`location.pathname + location.search`)); at != "/admin/password" {
		t.Errorf("after opening a set-password link the address bar shows %q, want /admin/password", at)
	}
	signInAs(t, ctx, m, &account.User{Email: "ada@example.org", Name: "Ada Admin", Role: account.Administrator, CreatedAt: clk.Now()}, "/admin/login")
	for _, size := range [][2]int64{{1280, 1000}, {390, 844}} {
		step(t, ctx, "window size", chromedp.EmulateViewport(size[0], size[1]))
		for _, p := range admin {
			check(p)
		}
	}
}
