package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// TestNewsSitemapInIndex: the sitemap index lists the news sitemap only while a story is in its
// 48-hour window, since an empty news sitemap is not valid; robots.txt names the index alone.
func TestNewsSitemapInIndex(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	old := &article.Article{Kind: article.Story, Slug: "last-week", Title: "Last week", Body: "Old.", BodyHTML: "<p>Old.</p>",
		BodyText: "Old.", Status: article.Published, PublishedAt: n.clock.now().Add(-72 * time.Hour)}
	if err := n.st.CreateArticle(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	reader := n.browser()
	if idx := reader.mustGet("/sitemap.xml", http.StatusOK); strings.Contains(idx, "news-sitemap") {
		t.Errorf("with no story of the last 48 hours the index lists the news sitemap:\n%s", idx)
	}
	if robots := reader.mustGet("/robots.txt", http.StatusOK); strings.Contains(robots, "news-sitemap") || !strings.Contains(robots, "/sitemap.xml") {
		t.Errorf("robots.txt = %q, want the index alone", robots)
	}
	fresh := &article.Article{Kind: article.Story, Slug: "today", Title: "Today", Body: "New.", BodyHTML: "<p>New.</p>",
		BodyText: "New.", Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour)}
	if err := n.st.CreateArticle(t.Context(), fresh); err != nil {
		t.Fatal(err)
	}
	if idx := reader.mustGet("/sitemap.xml", http.StatusOK); !strings.Contains(idx, "/news-sitemap.xml") {
		t.Errorf("with a story of the last hour the index lacks the news sitemap:\n%s", idx)
	}
	n.clock.add(48 * time.Hour)
	if idx := reader.mustGet("/sitemap.xml", http.StatusOK); strings.Contains(idx, "news-sitemap") {
		t.Errorf("48 hours later the index still lists the news sitemap:\n%s", idx)
	}
}
