package main

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// TestFeedsAndSitemaps reads every feed of the site with an independent parser and the sitemaps
// with encoding/xml, and checks they list the live stories at their permalinks.
func TestFeedsAndSitemaps(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	live, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story})
	if err != nil {
		t.Fatal(err)
	}
	permalinks := map[string]string{}
	for _, a := range live {
		permalinks[m.URL()+a.Path(time.UTC)] = a.Title
	}
	sec := live[0].Section
	parser := gofeed.NewParser()
	for _, path := range []string{"/feed/", "/feed/atom/", "/feed.json", "/section/" + sec.Slug + "/feed/", "/section/" + sec.Slug + "/feed/atom/",
		"/author/" + live[0].Authors[0].Slug + "/feed/", "/tag/" + live[0].Tags[0].Slug + "/feed/"} {
		resp, body := get(t, m, path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, resp.StatusCode)
			continue
		}
		f, err := parser.ParseString(body)
		if err != nil {
			t.Errorf("%s does not parse: %v", path, err)
			continue
		}
		if len(f.Items) == 0 {
			t.Errorf("%s has no items", path)
		}
		for _, it := range f.Items {
			title, ok := permalinks[it.Link]
			if !ok || it.Title != title {
				t.Errorf("%s: item %q links to %q, not a live story's permalink", path, it.Title, it.Link)
			}
			if it.PublishedParsed == nil || len(it.Authors) == 0 || it.Authors[0].Email != "" {
				t.Errorf("%s: item %q lacks a date or a byline, or shows an email", path, it.Title)
			}
		}
		if path == "/feed/" && len(f.Items) != len(live) {
			t.Errorf("/feed/ has %d items, want the %d live stories", len(f.Items), len(live))
		}
	}

	var index struct {
		Maps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(mustGet(t, m, "/sitemap.xml", http.StatusOK)), &index); err != nil || len(index.Maps) < 2 {
		t.Fatalf("sitemap index: %v, %d sitemaps", err, len(index.Maps))
	}
	var urls struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(mustGet(t, m, strings.TrimPrefix(index.Maps[0].Loc, m.URL()), http.StatusOK)), &urls); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, u := range urls.URLs {
		if _, ok := permalinks[u.Loc]; ok {
			found++
		}
	}
	if found != len(live) {
		t.Errorf("the sitemap lists %d of the %d live stories", found, len(live))
	}
	news := mustGet(t, m, "/news-sitemap.xml", http.StatusOK)
	if !strings.Contains(news, "<news:publication_date>") || !strings.Contains(news, "sitemap-news/0.9") {
		t.Errorf("news sitemap lacks Google News fields:\n%.400s", news)
	}
}

// TestFeedIDsSurviveARename: a story's and a comment's ID in every feed is a tag: URI that a new
// slug and headline leave alone, so a feed reader does not show a renamed story twice.
func TestFeedIDsSurviveARename(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	a := liveStory(t, m, 0)
	c := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, Type: comment.Regular, AuthorName: "Ada",
		AuthorEmail: "ada@example.org", Content: "A comment in the feed.", CreatedAt: m.Now()}
	if err := m.Store.CreateComment(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	parser := gofeed.NewParser()
	ids := func(path string) map[string]string { // title → ID
		t.Helper()
		f, err := parser.ParseString(mustGet(t, m, path, http.StatusOK))
		if err != nil {
			t.Fatalf("%s does not parse: %v", path, err)
		}
		out := map[string]string{}
		for _, it := range f.Items {
			out[it.Title] = it.GUID
		}
		return out
	}
	paths := []string{"/feed/", "/feed/atom/", "/feed.json", "/comments/feed/", "/comments/feed/atom/"}
	before := map[string]string{}
	for _, p := range paths {
		for title, id := range ids(p) {
			if !strings.HasPrefix(id, "tag:127.0.0.1,") {
				t.Errorf("%s: %q has the ID %q, want a tag: URI", p, title, id)
			}
			before[p+" "+strings.ReplaceAll(title, a.Title, "STORY")] = id
		}
	}
	want := "tag:127.0.0.1," + a.CreatedAt.UTC().Format("2006-01-02") + ":story/" + itoa64(a.ID)
	if got := before["/feed/ STORY"]; got != want {
		t.Errorf("/feed/ gives the story the ID %q, want %q", got, want)
	}
	a.Slug, a.Title = a.Slug+"-renamed", a.Title+" (renamed)"
	if err := m.Store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		for title, id := range ids(p) {
			key := p + " " + strings.ReplaceAll(title, a.Title, "STORY")
			if old, ok := before[key]; !ok || old != id {
				t.Errorf("%s: after the rename %q has the ID %q, was %q", p, title, id, old)
			}
		}
	}
}

// TestFeedsCarryAbsoluteURLs reads the site's three feeds with an independent parser: a story's
// body picture, its links within the site and its footnote anchor are absolute addresses on the
// site, as a feed reader away from the site needs them.
func TestFeedsCarryAbsoluteURLs(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	body := `<p>See <a href="/section/business/">Business</a>.<sup><a href="#fn1">1</a></sup></p>` +
		`<figure><img src="/media/0123456789abcdef0123456789abcdef/quay-640.jpg" srcset="/media/0123456789abcdef0123456789abcdef/quay-320.jpg 320w, /media/0123456789abcdef0123456789abcdef/quay-640.jpg 640w" alt="The quay"></figure>`
	a := &article.Article{Kind: article.Story, Slug: "quay-news", Title: "News from the quay", Body: "Text.", BodyHTML: body,
		Status: article.Published, PublishedAt: clk.Now().Add(-time.Minute), ImageURL: "/media/0123456789abcdef0123456789abcdef/quay.jpg"}
	if err := m.Store.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	link := m.URL() + a.Path(time.UTC)
	for _, path := range []string{"/feed/", "/feed/atom/", "/feed.json"} {
		f, err := gofeed.NewParser().ParseString(mustGet(t, m, path, http.StatusOK))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var it *gofeed.Item
		for _, x := range f.Items {
			if x.Link == link {
				it = x
			}
		}
		if it == nil {
			t.Fatalf("%s has no item for %s", path, link)
		}
		for _, want := range []string{`href="` + m.URL() + `/section/business/"`, `href="` + link + `#fn1"`,
			`src="` + m.URL() + `/media/0123456789abcdef0123456789abcdef/quay-640.jpg"`,
			`srcset="` + m.URL() + `/media/0123456789abcdef0123456789abcdef/quay-320.jpg 320w, ` + m.URL() + `/media/0123456789abcdef0123456789abcdef/quay-640.jpg 640w"`} {
			if !strings.Contains(it.Content, want) {
				t.Errorf("%s: the story's content lacks %s:\n%s", path, want, it.Content)
			}
		}
		if strings.Contains(it.Content, `="/`) || strings.Contains(it.Content, `="#`) {
			t.Errorf("%s: a relative address is left in the content:\n%s", path, it.Content)
		}
		if it.Image != nil && !strings.HasPrefix(it.Image.URL, m.URL()+"/media/") {
			t.Errorf("%s: item image %q, want an absolute address", path, it.Image.URL)
		}
	}
}
