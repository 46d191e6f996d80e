package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
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
