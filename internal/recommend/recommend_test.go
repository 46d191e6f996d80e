package recommend

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/related"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

var now = time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)

// newsroom opens a real store with stories on three subjects.
func newsroom(t *testing.T) (*sqlite.DB, map[string]*article.Article) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := article.NewRenderer(sanitize.New())
	bodies := map[string]string{
		"summit":    "Chinese leader Xi Jinping met Vladimir Putin in Moscow. The talks on Ukraine ended without a deal, and the International Criminal Court warrant hung over the visit.",
		"warrant":   "The International Criminal Court issued a warrant for Vladimir Putin over the war in Ukraine. Xi Jinping did not comment on the court.",
		"peace":     "Xi Jinping offered a peace plan for Ukraine. Vladimir Putin said the plan could be a basis for talks, while Kyiv demanded a withdrawal.",
		"grain":     "Ukraine shipped grain through the Black Sea corridor. Farmers in Odesa said prices fell as ships left the port.",
		"budget":    "The finance minister presented the budget to parliament. Taxes on fuel rise while pensions grow with inflation.",
		"tax":       "Parliament debated the budget until midnight. The finance minister defended the fuel tax against the opposition.",
		"pensions":  "Pensions will grow with inflation under the budget, the finance minister told parliament on Tuesday.",
		"football":  "Ellery Athletic beat Redmoor Rovers two goals to one at Quayside Park, with a late header from their captain.",
		"cup":       "Ellery Athletic reached the cup semi-final after beating Redmoor Rovers at Quayside Park on Saturday.",
		"stadium":   "Quayside Park will get a new stand, Ellery Athletic announced, after the club's cup run filled every seat.",
		"pulled":    "Xi Jinping and Vladimir Putin discussed Ukraine once more in a story the editors pulled.",
		"scheduled": "Xi Jinping will meet Vladimir Putin again next month to discuss Ukraine and the Moscow talks.",
	}
	list := map[string]*article.Article{}
	i := 0
	for _, slug := range slices.Sorted(func(yield func(string) bool) {
		for k := range bodies {
			if !yield(k) {
				return
			}
		}
	}) {
		i++
		a := &article.Article{Title: strings.ToUpper(slug[:1]) + slug[1:] + " story", Slug: slug, Body: bodies[slug],
			Status: article.Published, PublishedAt: now.Add(-time.Duration(i) * time.Hour), CommentsOpen: true}
		switch slug {
		case "pulled":
			a.Status = article.Unpublished
		case "scheduled":
			a.Status, a.PublishedAt = article.Scheduled, now.Add(time.Hour)
		}
		if err := r.Prepare(a); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		list[slug] = a
	}
	return db, list
}

func newRecommender(st store.Store, clock *time.Time) *Recommender {
	return New(st, Config{K: 2}, func() time.Time { return *clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// stored returns the slugs of the stored list of a story.
func stored(t *testing.T, st store.Store, a *article.Article, at time.Time) []string {
	t.Helper()
	list, _, err := st.RelatedArticles(t.Context(), a.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range list {
		out = append(out, x.Slug)
	}
	return out
}

func TestRebuildStoresListsWithReasons(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	clock := now
	r := newRecommender(db, &clock)
	if err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 10 {
		t.Errorf("index holds %d stories, want the 10 live ones", r.Len())
	}
	for slug, want := range map[string][]string{
		"summit":   {"warrant", "peace"},
		"budget":   {"tax", "pensions"},
		"football": {"cup", "stadium"},
	} {
		got := stored(t, db, s[slug], now)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("list of %s = %v, want %v", slug, got, want)
		}
	}
	_, links, _ := db.RelatedArticles(t.Context(), s["summit"].ID, now)
	if len(links) == 0 || !strings.Contains(links[0].Reason, "Xi Jinping") && !strings.Contains(links[0].Reason, "Vladimir Putin") {
		t.Errorf("reason of the summit's first link = %q, want the shared names", links[0].Reason)
	}
	if got := stored(t, db, s["pulled"], now); len(got) != 0 {
		t.Errorf("an unpublished story has a list: %v", got)
	}
}

// TestRefreshFollowsPublishing publishes, edits and withdraws a story and checks its list and
// the lists it enters and leaves, then compares everything with a fresh rebuild.
func TestRefreshFollowsPublishing(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	clock := now
	r := newRecommender(db, &clock)
	if err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	// The scheduled story goes live and enters the lists of its neighbours.
	clock = now.Add(2 * time.Hour)
	if _, err := db.PublishDue(ctx, clock); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx, s["scheduled"].ID); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, db, s["scheduled"], clock); len(got) != 2 {
		t.Errorf("the newly live story's list = %v, want 2 stories", got)
	}
	entered := 0
	for _, slug := range []string{"summit", "warrant", "peace"} {
		if slices.Contains(stored(t, db, s[slug], clock), "scheduled") {
			entered++
		}
	}
	if entered == 0 {
		t.Error("the newly live story entered no neighbour's list")
	}

	// Withdrawn: it leaves every list that named it.
	a, _ := db.Article(ctx, s["scheduled"].ID)
	a.Status = article.Unpublished
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.ReferencingArticles(ctx, a.ID); len(ids) != 0 {
		t.Errorf("a withdrawn story is still in the lists of %v", ids)
	}

	// An edit turns a budget story into a football story.
	b, _ := db.Article(ctx, s["pensions"].ID)
	b.BodyText = "Ellery Athletic and Redmoor Rovers will replay the cup tie at Quayside Park."
	b.Title = "Replay at Quayside Park"
	if err := db.UpdateArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, db, s["pensions"], clock); !slices.Contains(got, "cup") && !slices.Contains(got, "football") {
		t.Errorf("after the edit the story's list = %v, want football stories", got)
	}

	// Incremental lists equal those of a fresh rebuild.
	incremental := map[string][]string{}
	for slug, a := range s {
		incremental[slug] = stored(t, db, a, clock)
	}
	fresh := newRecommender(db, &clock)
	if err := fresh.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for slug, a := range s {
		if got := stored(t, db, a, clock); !slices.Equal(got, incremental[slug]) {
			t.Errorf("list of %s: incremental %v, rebuilt %v", slug, incremental[slug], got)
		}
	}
}

func TestPinsAndExclusions(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	clock := now
	r := newRecommender(db, &clock)
	if err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	summit := s["summit"]
	if err := db.SetRelatedRules(ctx, summit.ID, []int64{s["budget"].ID}, []int64{s["warrant"].ID}); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx, summit.ID); err != nil {
		t.Fatal(err)
	}
	got := stored(t, db, summit, now)
	if len(got) != 2 || got[0] != "budget" || slices.Contains(got, "warrant") {
		t.Errorf("list with a pin and an exclusion = %v, want budget first and no warrant", got)
	}
	_, links, _ := db.RelatedArticles(ctx, summit.ID, now)
	if links[0].Reason != "Chosen by the editors" {
		t.Errorf("pinned link's reason = %q", links[0].Reason)
	}
}

// TestFollowSeesOtherWriters edits a story through a second handle on the database, as the
// command line would, and waits for the follower to store the new list.
func TestFollowSeesOtherWriters(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	clock := now
	r := newRecommender(db, &clock)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Follow(ctx, 20*time.Millisecond, nil) }()
	other, err := sqlite.Open(t.Context(), db.Path(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	deadline := time.Now().Add(10 * time.Second)
	for r.Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	a, _ := other.Article(t.Context(), s["pulled"].ID)
	a.Status = article.Published
	if err := other.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	for len(stored(t, db, s["pulled"], now)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := stored(t, db, s["pulled"], now); len(got) != 2 {
		t.Errorf("a story republished by another process has the list %v, want 2 stories", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow = %v", err)
	}
}

// TestLatentTopics: loading the index trains its latent topics when the archive is large enough
// for them, and the follower trains them again once the archive has grown to that size.
func TestLatentTopics(t *testing.T) {
	t.Parallel()
	db, s := newsroom(t)
	clock := now
	engine := related.DefaultConfig()
	engine.Topics = 2 // a model of 2 dimensions needs 8 stories; the newsroom has 10 live
	r := New(db, Config{K: 2, Engine: engine}, func() time.Time { return clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := r.Load(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if got := r.current.Load().TopicStories(); got != 10 {
		t.Errorf("after Load, TopicStories() = %d, want 10", got)
	}

	engine.Topics = 3 // 12 stories needed: none at first
	r = New(db, Config{K: 2, Engine: engine}, func() time.Time { return clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Follow(ctx, 10*time.Millisecond, nil) }()
	deadline := time.Now().Add(10 * time.Second)
	for r.Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.current.Load().TopicStories(); got != 0 {
		t.Errorf("10 stories, 3 dimensions: TopicStories() = %d, want 0", got)
	}
	for _, slug := range []string{"pulled", "scheduled"} {
		a := s[slug]
		a.Status, a.PublishedAt = article.Published, now.Add(-time.Minute)
		if err := db.UpdateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	for r.current.Load().TopicStories() != 12 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.current.Load().TopicStories(); got != 12 {
		t.Errorf("after two more stories, TopicStories() = %d, want 12", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow = %v", err)
	}
}
