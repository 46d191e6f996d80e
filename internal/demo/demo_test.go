package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// testNow is a fixed clock with seconds, so that the minute rounding is exercised.
var testNow = time.Date(2026, 3, 22, 14, 37, 12, 0, time.UTC)

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newRenderer() *article.Renderer {
	return article.NewRenderer(sanitize.New())
}

func list(t *testing.T, st store.Store, q store.ArticleQuery) ([]*article.Article, int) {
	t.Helper()
	got, total, err := st.ListArticles(t.Context(), q)
	if err != nil {
		t.Fatalf("ListArticles(%+v): %v", q, err)
	}
	return got, total
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openStore(t)
	r := newRenderer()

	n, err := Seed(ctx, db, r, testNow)
	if err != nil {
		t.Fatalf("Seed on a fresh store: %v", err)
	}
	if n != 10 {
		t.Errorf("Seed on a fresh store = %d, want 10", n)
	}
	_, before := list(t, db, store.ArticleQuery{})

	n, err = Seed(ctx, db, r, testNow.Add(time.Hour))
	if err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	if n != 0 {
		t.Errorf("second Seed = %d, want 0", n)
	}
	if _, after := list(t, db, store.ArticleQuery{}); after != before {
		t.Errorf("articles after a second Seed = %d, want %d", after, before)
	}

	secs, err := db.Sections(ctx)
	if err != nil {
		t.Fatalf("Sections: %v", err)
	}
	if len(secs) != 3 {
		t.Errorf("Sections = %d, want 3", len(secs))
	}
	auths, err := db.Authors(ctx)
	if err != nil {
		t.Fatalf("Authors: %v", err)
	}
	if len(auths) != 4 {
		t.Errorf("Authors = %d, want 4", len(auths))
	}
	for _, a := range auths {
		if a.Bio == "" {
			t.Errorf("author %q has no bio", a.Slug)
		}
	}

	stories, total := list(t, db, store.ArticleQuery{Kind: article.Story})
	if total != 10 {
		t.Fatalf("stories = %d, want 10", total)
	}
	quotes := 0
	for _, a := range stories {
		if !strings.Contains(a.BodyText, Label) {
			t.Errorf("story %q: body text does not mention %q", a.Slug, Label)
		}
		if strings.Contains(a.BodyHTML, "<blockquote>") {
			quotes++
		}
		if err := a.Validate(); err != nil {
			t.Errorf("stored story %q: %v", a.Slug, err)
		}
	}
	if quotes == 0 {
		t.Error("no stored story renders a <blockquote>")
	}

	about, err := db.ArticleBySlug(ctx, "about")
	if err != nil {
		t.Fatalf(`ArticleBySlug("about"): %v`, err)
	}
	if about.Kind != article.Page || !about.Live(testNow) {
		t.Errorf("about page: kind %q, live %t; want a live page", about.Kind, about.Live(testNow))
	}
}

func TestSeedScheduled(t *testing.T) {
	t.Parallel()
	db := openStore(t)
	if _, err := Seed(t.Context(), db, newRenderer(), testNow); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	sched, _ := list(t, db, store.ArticleQuery{Status: article.Scheduled})
	if len(sched) != 1 {
		t.Fatalf("scheduled articles = %d, want 1", len(sched))
	}
	s := sched[0]
	if !s.PublishedAt.After(testNow) {
		t.Errorf("scheduled story %q publishes at %v, want after %v", s.Slug, s.PublishedAt, testNow)
	}

	tests := []struct {
		name    string
		liveAt  time.Time
		total   int
		visible bool
	}{
		{"now", testNow, 9, false},
		{"in three hours", testNow.Add(3 * time.Hour), 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, total := list(t, db, store.ArticleQuery{Kind: article.Story, LiveAt: tt.liveAt})
			if total != tt.total {
				t.Errorf("live stories at %v = %d, want %d", tt.liveAt, total, tt.total)
			}
			visible := false
			for _, a := range got {
				visible = visible || a.ID == s.ID
			}
			if visible != tt.visible {
				t.Errorf("scheduled story listed at %v = %t, want %t", tt.liveAt, visible, tt.visible)
			}
		})
	}
}

func TestSeedLeavesUsedStoreAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(ctx context.Context, st store.Store) error
	}{
		{"one section", func(ctx context.Context, st store.Store) error {
			return st.SaveSection(ctx, &article.Section{Name: "News", Slug: "news"})
		}},
		{"one draft", func(ctx context.Context, st store.Store) error {
			return st.CreateArticle(ctx, &article.Article{Title: "Hello", Slug: "hello", Status: article.Draft})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := openStore(t)
			if err := tt.setup(t.Context(), db); err != nil {
				t.Fatalf("setup: %v", err)
			}
			_, before := list(t, db, store.ArticleQuery{})
			n, err := Seed(t.Context(), db, newRenderer(), testNow)
			if err != nil || n != 0 {
				t.Errorf("Seed = %d, %v; want 0, nil", n, err)
			}
			if _, after := list(t, db, store.ArticleQuery{}); after != before {
				t.Errorf("articles after Seed = %d, want %d", after, before)
			}
		})
	}
}

// TestNewsroom checks the rules the demo content promises, without a store.
func TestNewsroom(t *testing.T) {
	t.Parallel()
	all := newsroom(testNow)
	var storiesOnly []*article.Article
	for _, a := range all {
		if err := a.Validate(); err != nil {
			t.Errorf("article %q: %v", a.Slug, err)
		}
		if a.Kind == article.Story {
			storiesOnly = append(storiesOnly, a)
		}
	}
	if len(storiesOnly) != 10 {
		t.Fatalf("stories = %d, want 10", len(storiesOnly))
	}
	slugs := map[string]bool{}
	for _, a := range all {
		if slugs[a.Slug] {
			t.Errorf("slug %q used twice", a.Slug)
		}
		slugs[a.Slug] = true
	}
	if !slugs["about"] {
		t.Error(`no page with slug "about"`)
	}

	for _, a := range storiesOnly {
		words := len(strings.Fields(strings.TrimPrefix(a.Body, notice)))
		if words < 250 || words > 500 {
			t.Errorf("story %q has %d words, want 250 to 500", a.Slug, words)
		}
		if n := len(a.Tags); n < 2 || n > 4 {
			t.Errorf("story %q has %d tags, want 2 to 4", a.Slug, n)
		}
		if a.Section.Slug == "" || len(a.Authors) == 0 {
			t.Errorf("story %q: section %q, %d authors; want a section and a byline", a.Slug, a.Section.Slug, len(a.Authors))
		}
		if a.Status == article.Published && (a.PublishedAt.After(testNow) || testNow.Sub(a.PublishedAt) > 10*day) {
			t.Errorf("story %q published at %v, want within the ten days before %v", a.Slug, a.PublishedAt, testNow)
		}
		for _, n := range a.Notes {
			if n.At.Before(a.PublishedAt) || n.At.After(testNow) {
				t.Errorf("story %q: note at %v, want between publication and now", a.Slug, n.At)
			}
		}
	}

	count := func(f func(a *article.Article) bool) int {
		n := 0
		for _, a := range storiesOnly {
			if f(a) {
				n++
			}
		}
		return n
	}
	hasNote := func(k article.NoteKind) func(*article.Article) bool {
		return func(a *article.Article) bool {
			for _, n := range a.Notes {
				if n.Kind == k {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name     string
		f        func(a *article.Article) bool
		min, max int
	}{
		{"block quote", func(a *article.Article) bool { return strings.Contains(a.Body, "\n> ") }, 2, 10},
		{"subheading", func(a *article.Article) bool { return strings.Contains(a.Body, "\n## ") }, 1, 10},
		{"list", func(a *article.Article) bool { return strings.Contains(a.Body, "\n- ") }, 1, 10},
		{"link", func(a *article.Article) bool { return strings.Contains(a.Body, "](") }, 1, 10},
		{"update", hasNote(article.Update), 1, 1},
		{"correction", hasNote(article.Correction), 1, 1},
		{"two bylines", func(a *article.Article) bool { return len(a.Authors) == 2 }, 1, 1},
		{"image", func(a *article.Article) bool { return a.ImageURL == ImagePath && a.ImageAlt != "" }, 1, 1},
		{"comments closed", func(a *article.Article) bool { return !a.CommentsOpen }, 1, 1},
		{"scheduled", func(a *article.Article) bool {
			return a.Status == article.Scheduled && a.PublishedAt.Sub(testNow) > time.Hour
		}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if n := count(tt.f); n < tt.min || n > tt.max {
				t.Errorf("stories with a %s = %d, want %d to %d", tt.name, n, tt.min, tt.max)
			}
		})
	}

	if diff := cmp.Diff(all, newsroom(testNow)); diff != "" {
		t.Errorf("newsroom is not deterministic (-first +second):\n%s", diff)
	}
}

// TestNewsroomSharesEntities checks that the related-stories engine has names to connect: every
// story mentions at least two of the recurring people, places and organisations.
func TestNewsroomSharesEntities(t *testing.T) {
	t.Parallel()
	entities := []string{"Helena Voss", "Tomas Brandt", "Idris Calloway", "Margit Olander",
		"Western Reach Assembly", "Port Ellery Harbour Authority", "Tidewater Labs",
		"Ellery Athletic", "Quayside Park", "Reach Cooperative Bank", "Northgate Tram Line",
		"Old Customs House", "University of Port Ellery", "Civic Alliance"}
	for _, a := range newsroom(testNow) {
		if a.Kind != article.Story {
			continue
		}
		var found []string
		for _, e := range entities {
			if strings.Contains(a.Title+"\n"+a.Body, e) {
				found = append(found, e)
			}
		}
		if len(found) < 2 {
			t.Errorf("story %q mentions %q, want at least two recurring names", a.Slug, found)
		}
	}
}
