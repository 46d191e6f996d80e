package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestTitleWithSpecialCharacters publishes a headline holding &, quotes and <: the page's
// <title>, <h1>, og:title, JSON-LD headline and every feed's title give back exactly those
// characters once decoded, neither escaped twice nor read as markup.
func TestTitleWithSpecialCharacters(t *testing.T) {
	t.Parallel()
	const title = `Fish & "chips" <3 at <em>Bob's</em>`
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Ed Editor", account.Editor))
	f := newStoryForm(t, b, title, "The harbour's best, said everyone.")
	if resp, body := save(b, "/admin/stories/new", f, "publish"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d\n%.800s", resp.StatusCode, body)
	}
	a := loadArticle(t, n.st, "fish-chips-3-at-em-bobs-em")
	doc := parseHTML(t, n.browser().mustGet(a.Path(time.UTC), http.StatusOK))
	text := func(tag string) string {
		x := findNode(doc, func(x *html.Node) bool { return x.Type == html.ElementNode && x.Data == tag })
		if x == nil {
			t.Fatalf("the page has no <%s>", tag)
		}
		return textOf(x)
	}
	if got := text("h1"); got != title {
		t.Errorf("<h1> = %q, want %q", got, title)
	}
	if got := text("title"); !strings.HasPrefix(got, title) {
		t.Errorf("<title> = %q, want it to start with %q", got, title)
	}
	og := findNode(doc, func(x *html.Node) bool { return x.Data == "meta" && attrOf(x, "property") == "og:title" })
	if og == nil || attrOf(og, "content") != title {
		t.Errorf("og:title = %q, want %q", attrOf(og, "content"), title)
	}
	ld := findNode(doc, func(x *html.Node) bool { return x.Data == "script" && attrOf(x, "type") == "application/ld+json" })
	var news struct{ Headline string }
	if ld == nil || json.Unmarshal([]byte(textOf(ld)), &news) != nil || news.Headline != title {
		t.Errorf("JSON-LD headline = %q, want %q", news.Headline, title)
	}

	var rss struct {
		Items []struct {
			Title string `xml:"title"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal([]byte(n.browser().mustGet("/feed/", http.StatusOK)), &rss); err != nil || len(rss.Items) == 0 || rss.Items[0].Title != title {
		t.Errorf("RSS title = %+v (%v), want %q", rss.Items, err, title)
	}
	var atom struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(n.browser().mustGet("/feed/atom/", http.StatusOK)), &atom); err != nil || len(atom.Entries) == 0 || atom.Entries[0].Title != title {
		t.Errorf("Atom title = %+v (%v), want %q", atom.Entries, err, title)
	}
	var jf struct {
		Items []struct{ Title string } `json:"items"`
	}
	if err := json.Unmarshal([]byte(n.browser().mustGet("/feed.json", http.StatusOK)), &jf); err != nil || len(jf.Items) == 0 || jf.Items[0].Title != title {
		t.Errorf("JSON Feed title = %+v (%v), want %q", jf.Items, err, title)
	}
}
