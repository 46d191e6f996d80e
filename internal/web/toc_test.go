package web

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
)

// TestStoryTOC publishes a story whose body asks for a table of contents and checks that its
// page shows the contents with a link to every h2 and h3, each reaching one heading of the
// page, and that its feed carries the story without the contents or the marker.
func TestStoryTOC(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signIn(n.addUser("Ed Editor", account.Editor))
	body := "[TOC]\n\nThe harbour at dawn.\n\n## The tide\n\nHigh water at noon.\n\n### Neap & spring\n\nSmall, then large.\n\n" +
		"## The boats\n\nTwelve.\n\n## The tide\n\nLow water at six.\n\n```\n[TOC]\n```\n"
	if resp, page := save(b, "/admin/stories/new", newStoryForm(t, b, "Harbour guide", body), "publish"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d\n%.800s", resp.StatusCode, page)
	}
	a := loadArticle(t, n.st, "harbour-guide")
	doc := parseHTML(t, n.browser().mustGet(a.Path(time.UTC), http.StatusOK))

	ids := map[string]*html.Node{}
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && hasAttr(x, "id") {
			if ids[attrOf(x, "id")] != nil {
				t.Errorf("id %q appears twice on the page", attrOf(x, "id"))
			}
			ids[attrOf(x, "id")] = x
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)

	nav := findNode(doc, func(x *html.Node) bool { return x.Data == "nav" && attrOf(x, "class") == "toc" })
	if nav == nil {
		t.Fatal("the story page has no table of contents")
	}
	if got := attrOf(nav, "aria-label"); got != "Contents" {
		t.Errorf("contents' aria-label = %q, want Contents", got)
	}
	var got []string
	var links func(*html.Node, string)
	links = func(x *html.Node, indent string) {
		if x.Type == html.ElementNode && x.Data == "ol" && x.Parent != nav {
			indent += "  "
		}
		if x.Type == html.ElementNode && x.Data == "a" {
			frag := strings.TrimPrefix(attrOf(x, "href"), "#")
			id, err := url.PathUnescape(frag)
			if target := ids[id]; err != nil || target == nil {
				t.Errorf("link %q reaches no element", attrOf(x, "href"))
			} else if textOf(target) != textOf(x) || (target.Data != "h2" && target.Data != "h3") {
				t.Errorf("link %q reaches <%s>%s, not a heading of its words %q", attrOf(x, "href"), target.Data, textOf(target), textOf(x))
			}
			got = append(got, indent+textOf(x)+" "+attrOf(x, "href"))
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			links(c, indent)
		}
	}
	links(nav, "")
	want := []string{"The tide #h-the-tide", "  Neap & spring #h-neap-spring", "The boats #h-the-boats", "The tide #h-the-tide-2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("contents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if pre := findNode(doc, func(x *html.Node) bool { return x.Data == "pre" }); pre == nil || !strings.Contains(textOf(pre), "[TOC]") {
		t.Error("the marker inside a code block was not kept as code")
	}

	var rss struct {
		Items []struct {
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Desc    string `xml:"description"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal([]byte(n.browser().mustGet("/feed/", http.StatusOK)), &rss); err != nil || len(rss.Items) == 0 {
		t.Fatalf("RSS = %+v (%v)", rss.Items, err)
	}
	it := rss.Items[0]
	if !strings.Contains(it.Content+it.Desc, "High water at noon.") {
		t.Errorf("the feed lacks the story's body: %+v", it)
	}
	if strings.Contains(it.Content, "<nav") || strings.Count(it.Content, "[TOC]") != 1 || strings.Count(it.Desc, "[TOC]") != 1 {
		t.Errorf("the feed carries the contents or the marker outside its code block: %+v", it)
	}
}
