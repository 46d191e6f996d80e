package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// TestBrowserTOC opens a story with a table of contents in Chromium and follows its links,
// one of them to a heading in Cyrillic (whose link the sanitiser writes percent-encoded):
// each brings its heading to the top of the window.
func TestBrowserTOC(t *testing.T) {
	t.Parallel()
	ctx := browserContext(t)
	m, _ := startMain(t)
	long := strings.Repeat("A paragraph long enough to push the next heading well down the page. ", 40)
	a := rewriteLiveStory(t, m, func(string) string {
		return "[TOC]\n\n" + long + "\n\n## The tide\n\n" + long + "\n\n### Neap tides\n\n" + long +
			"\n\n## Порт\n\n" + long + "\n\n## The boats\n\n" + long + "\n\n" + long + "\n"
	})
	step(t, ctx, "open the story", chromedp.Navigate(m.URL()+a.Path(time.UTC)))
	links := step(t, ctx, "contents", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("nav.toc a"), a => a.textContent)`))
	if strings.Join(links, "|") != "The tide|Neap tides|Порт|The boats" {
		t.Fatalf("contents = %q", links)
	}
	hrefs := step(t, ctx, "contents' links", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("nav.toc a"), a => a.getAttribute("href"))`))
	for i, want := range links {
		step(t, ctx, "back to the top", chromedp.Evaluate[bool](`window.scrollTo(0, 0); true`))
		step(t, ctx, "follow "+want, chromedp.Click(chromedp.CSS(`nav.toc a[href="`+hrefs[i]+`"]`)))
		got := step(t, ctx, "where "+want+" led", chromedp.Evaluate[string](`(function () {
			const h = document.getElementById(decodeURIComponent(location.hash.slice(1)));
			if (!h) return "no element for " + location.hash;
			const top = h.getBoundingClientRect().top;
			return h.textContent + (top >= 0 && top < 40 && window.scrollY > 0 ? "" : " at " + top + "px, scrolled " + window.scrollY);
		})()`))
		if got != want {
			t.Errorf("link %q led to %q", want, got)
		}
	}
}

// rewriteLiveStory gives the demo site's latest live story the body edit returns for its
// body, rendered as a save would, and returns the story.
func rewriteLiveStory(t *testing.T, m *Main, edit func(body string) string) *article.Article {
	t.Helper()
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("ListArticles: %v", err)
	}
	a, err := m.Store.Article(t.Context(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Body = edit(a.Body)
	if err := m.Renderer.Prepare(a); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return a
}
