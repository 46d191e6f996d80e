package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
)

// TestFollowUpJoinsOlderStory publishes a follow-up to a live story and polls until the older
// story's page lists it: an old story gains links to new follow-ups as they are published. How
// long it took is logged, never asserted.
func TestFollowUpJoinsOlderStory(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("ListArticles: %v", err)
	}
	old := list[0]
	waitFor(t, "the older story's list", func() bool {
		_, links, err := m.Store.RelatedArticles(t.Context(), old.ID, m.Now())
		return err == nil && len(links) > 0
	})

	body := old.BodyText
	if len(body) > 600 {
		body = body[:strings.LastIndexByte(body[:600], ' ')]
	}
	follow := &article.Article{Title: "Follow-up: " + old.Title, Slug: "follow-up", Status: article.Published,
		Body: body + "\n\nMore details emerged on Monday, the newsroom has learned.", PublishedAt: clk.Now(), CommentsOpen: true}
	if err := article.NewRenderer(sanitize.New()).Prepare(follow); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	if err := m.Store.CreateArticle(t.Context(), follow); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the follow-up on the older story's page", func() bool {
		_, page := get(t, m, old.Path(time.UTC))
		return strings.Contains(page, follow.Path(time.UTC))
	})
	t.Logf("the follow-up appeared on the older story's page %v after it was published", time.Since(published).Round(time.Millisecond))
	_, links, err := m.Store.RelatedArticles(t.Context(), follow.ID, m.Now())
	if err != nil || !slices.ContainsFunc(links, func(l store.RelatedLink) bool { return l.ArticleID == old.ID }) {
		t.Errorf("the follow-up's own list %v (%v) does not name the older story", links, err)
	}
	mustGet(t, m, follow.Path(time.UTC), http.StatusOK)
}

// waitFor polls ok until it holds, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen after 30 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
