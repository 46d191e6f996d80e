package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/recommend"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
)

func TestRelatedPinsAndExclusions(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ctx := context.Background()
	mk := func(slug string) *article.Article {
		a := &article.Article{Kind: article.Story, Title: "Story " + slug, Slug: slug, Body: "Text.", BodyHTML: "<p>Text.</p>",
			Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour)}
		if err := n.st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b, c := mk("subject"), mk("pinned"), mk("excluded")
	if err := n.st.SetRelated(ctx, a.ID, []store.RelatedLink{{ArticleID: c.ID, Score: 2, Reason: "Xi Jinping · Ukraine"}}); err != nil {
		t.Fatal(err)
	}
	editor := n.signIn(n.addUser("Eda Editor", account.Editor))
	page := editor.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK)
	if !strings.Contains(page, "More Related Stories") || !strings.Contains(page, "Why: Xi Jinping · Ukraine") {
		t.Error("the editor does not show the stored list with its reasons")
	}
	path := "/admin/stories/" + itoa64(a.ID) + "/related"

	// An address that names no story: the form again, with what was typed.
	resp, body := editor.post(path, url.Values{"pins": {"/2026/03/22/no-such-story/"}, "excludes": {"excluded"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No story at") || !strings.Contains(body, "no-such-story") {
		t.Errorf("unknown story: %d", resp.StatusCode)
	}
	if resp, _ := editor.post(path, url.Values{"pins": {"subject"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("pinning the story to itself: %d, want 422", resp.StatusCode)
	}

	resp, _ = editor.post(path, url.Values{"pins": {n.ts.URL + b.Path(time.UTC)}, "excludes": {itoa64(c.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save rules: %d", resp.StatusCode)
	}
	pins, excludes, err := n.st.RelatedRules(ctx, a.ID)
	if err != nil || !cmp.Equal(pins, []int64{b.ID}) || !cmp.Equal(excludes, []int64{c.ID}) {
		t.Errorf("RelatedRules = %v, %v, %v; want [%d], [%d]", pins, excludes, err, b.ID, c.ID)
	}
	page = editor.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK)
	if !strings.Contains(page, b.Path(time.UTC)) {
		t.Error("the editor does not show the saved pin")
	}

	// A contributor may not change another writer's story.
	contributor := n.signIn(n.addUser("Cy Contributor", account.Contributor))
	if resp, _ := contributor.post(path, url.Values{"pins": {""}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor: %d, want 403", resp.StatusCode)
	}
}

// TestEditorShowsCopies publishes a wire story, its copy under another headline with one
// paragraph rewritten, and another report of the same event, and checks with the real related
// index that the editor shows the copy as "Also published as", never as related, and the other
// report as related.
func TestEditorShowsCopies(t *testing.T) {
	t.Parallel()
	var rec *recommend.Recommender
	n := newNewsroom(t, func(c *Config) { c.Copies = func(id int64) []int64 { return rec.Copies(id) } })
	ctx := context.Background()
	renderer := article.NewRenderer(sanitize.New())
	mk := func(name string) *article.Article {
		b, err := os.ReadFile(filepath.Join("..", "related", "testdata", "copies", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		title, body, _ := strings.Cut(string(b), "\n")
		a := &article.Article{Kind: article.Story, Title: title, Slug: name, Body: body,
			Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour)}
		if err := renderer.Prepare(a); err != nil {
			t.Fatal(err)
		}
		if err := n.st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	wire, copied, other := mk("wire"), mk("wire-copy"), mk("same-topic")
	rec = recommend.New(n.st, recommend.Config{}, n.clock.now, slog.New(slog.DiscardHandler))
	if err := rec.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, links, err := n.st.RelatedArticles(ctx, wire.ID, n.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	var listed []int64
	for _, l := range links {
		listed = append(listed, l.ArticleID)
	}
	if !cmp.Equal(listed, []int64{other.ID}) {
		t.Errorf("the wire story's related list = %v, want the other report (%d) alone, not the copy (%d)", listed, other.ID, copied.ID)
	}

	editor := n.signIn(n.addUser("Eda Editor", account.Editor))
	doc := parseHTML(t, editor.mustGet("/admin/stories/"+itoa64(wire.ID)+"/", http.StatusOK))
	var aside *html.Node
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == "aside" && attrOf(x, "class") == "copies" {
			aside = x
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if aside == nil {
		t.Fatal("the editor shows no near-copies")
	}
	if text := textOf(aside); !strings.Contains(text, "Also published as") || !strings.Contains(text, copied.Title) ||
		strings.Contains(text, other.Title) {
		t.Errorf("the editor's near-copies read %q, want the copy %q alone", text, copied.Title)
	}
	page := editor.mustGet("/admin/stories/"+itoa64(other.ID)+"/", http.StatusOK)
	if strings.Contains(page, "Also published as") {
		t.Error("the other report of the event is shown near-copies")
	}
}
