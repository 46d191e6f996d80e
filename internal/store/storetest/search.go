package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// withText sets an article's title and plain body.
func withText(a *article.Article, title, body string) *article.Article {
	a.Title, a.Body, a.BodyHTML, a.BodyText = title, body, "<p>"+body+"</p>", body
	return a
}

// search runs a query that must succeed and returns the hits' slugs and the total.
func search(t *testing.T, s store.Store, q store.SearchQuery) ([]store.SearchHit, []string, int) {
	t.Helper()
	hits, total, err := s.SearchArticles(t.Context(), q)
	if err != nil {
		t.Fatalf("SearchArticles(%q) = %v", q.Text, err)
	}
	names := make([]string, len(hits))
	for i, h := range hits {
		names[i] = h.Article.Slug
	}
	return hits, names, total
}

// highlighted returns the marked stretches of a snippet.
func highlighted(snippet string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(snippet, string(store.HighlightStart))
		if !ok {
			return out
		}
		mark, after, ok := strings.Cut(rest, string(store.HighlightEnd))
		if !ok {
			return append(out, "unterminated:"+rest)
		}
		out, snippet = append(out, mark), after
	}
}

func searchChecks() []check {
	return []check{
		{"Stemming", func(t *testing.T, s store.Store) {
			a := withText(story("count"), "Election results announced", "The count ended at dawn.")
			create(t, s, a)
			for _, q := range []string{"elections", "election", "Election", "ELECTIONS", "results announced", "dawn count"} {
				_, got, total := search(t, s, store.SearchQuery{Text: q, LiveAt: at(0)})
				if diff := cmp.Diff([]string{"count"}, got); diff != "" || total != 1 {
					t.Errorf("SearchArticles(%q) = %v, total %d; want the one story", q, got, total)
				}
			}
			_, got, total := search(t, s, store.SearchQuery{Text: "election hurricane", LiveAt: at(0)})
			if len(got) != 0 || total != 0 {
				t.Errorf("SearchArticles(%q) = %v, total %d; want nothing, since every word must match", "election hurricane", got, total)
			}
		}},
		{"HitInFull", func(t *testing.T, s store.Store) {
			a := withText(full("complete"), "Budget passes", "The budget passed late.")
			create(t, s, a)
			hits, _, _ := search(t, s, store.SearchQuery{Text: "budget", LiveAt: at(0)})
			if len(hits) != 1 {
				t.Fatalf("SearchArticles(%q) = %d hits, want 1", "budget", len(hits))
			}
			if diff := cmp.Diff(a, hits[0].Article, articleOpts()); diff != "" {
				t.Errorf("SearchArticles(%q)[0].Article (-created +found):\n%s", "budget", diff)
			}
		}},
		{"TitleOutranksBody", func(t *testing.T, s store.Store) {
			create(t, s,
				with(withText(story("in-title"), "Quokka sightings rise", "Rangers counted more animals this spring."), func(a *article.Article) {
					a.PublishedAt = at(-5 * time.Hour)
				}),
				withText(story("in-body"), "Island news", "Rangers say a quokka was seen near the ferry on Tuesday."),
				withText(story("elsewhere"), "Ferry timetable", "Boats leave hourly."),
			)
			hits, got, total := search(t, s, store.SearchQuery{Text: "quokka", LiveAt: at(0)})
			if diff := cmp.Diff([]string{"in-title", "in-body"}, got); diff != "" || total != 2 {
				t.Errorf("SearchArticles(%q) = %v, total %d; want the title match first, then the body match, total 2", "quokka", got, total)
			}
			for _, h := range hits {
				marks := highlighted(h.Snippet)
				if len(marks) == 0 {
					t.Errorf("snippet of %q = %q, want the match between HighlightStart and HighlightEnd", h.Article.Slug, h.Snippet)
				}
				for _, m := range marks {
					if !strings.EqualFold(m, "quokka") {
						t.Errorf("snippet of %q highlights %q, want %q", h.Article.Slug, m, "quokka")
					}
				}
			}
			_, got, total = search(t, s, store.SearchQuery{Text: "quokka", LiveAt: at(0), Limit: 1, Offset: 1})
			if diff := cmp.Diff([]string{"in-body"}, got); diff != "" || total != 2 {
				t.Errorf("SearchArticles(%q, limit 1, offset 1) = %v, total %d; want [in-body], total 2", "quokka", got, total)
			}
		}},
		{"OnlyLive", func(t *testing.T, s store.Store) {
			mk := func(slug string, st article.Status, pub time.Time) *article.Article {
				return with(withText(story(slug), "Zebra crossing "+slug, "A zebra crossing."), func(a *article.Article) {
					a.Status, a.PublishedAt = st, pub
				})
			}
			create(t, s,
				mk("published", article.Published, at(-time.Hour)),
				mk("due", article.Scheduled, at(-2*time.Hour)),
				mk("future", article.Scheduled, at(time.Hour)),
				mk("draft", article.Draft, time.Time{}),
				mk("pending", article.Pending, time.Time{}),
				mk("pulled", article.Unpublished, at(-3*time.Hour)),
			)
			_, got, total := search(t, s, store.SearchQuery{Text: "zebra", LiveAt: at(0)})
			if diff := cmp.Diff([]string{"due", "published"}, slices.Sorted(slices.Values(got))); diff != "" || total != 2 {
				t.Errorf("SearchArticles(%q) = %v, total %d; want only the live ones (-want +got):\n%s", "zebra", got, total, diff)
			}
			_, got, total = search(t, s, store.SearchQuery{Text: "zebra", LiveAt: at(2 * time.Hour)})
			if diff := cmp.Diff([]string{"due", "future", "published"}, slices.Sorted(slices.Values(got))); diff != "" || total != 3 {
				t.Errorf("SearchArticles(%q) two hours later = %v, total %d (-want +got):\n%s", "zebra", got, total, diff)
			}
		}},
		{"FollowsEdits", func(t *testing.T, s store.Store) {
			a := withText(story("vote"), "Election results", "The count ended.")
			create(t, s, a)
			withText(a, "Referendum results", "The count ended.")
			if err := s.UpdateArticle(t.Context(), a); err != nil {
				t.Fatalf("UpdateArticle(%d) = %v", a.ID, err)
			}
			if _, got, _ := search(t, s, store.SearchQuery{Text: "election", LiveAt: at(0)}); len(got) != 0 {
				t.Errorf("SearchArticles(%q) after the headline changed = %v, want nothing", "election", got)
			}
			if _, got, _ := search(t, s, store.SearchQuery{Text: "referendum", LiveAt: at(0)}); len(got) != 1 {
				t.Errorf("SearchArticles(%q) after the headline changed = %v, want the story", "referendum", got)
			}
			if err := s.DeleteArticle(t.Context(), a.ID); err != nil {
				t.Fatalf("DeleteArticle(%d) = %v", a.ID, err)
			}
			if _, got, total := search(t, s, store.SearchQuery{Text: "referendum", LiveAt: at(0)}); len(got) != 0 || total != 0 {
				t.Errorf("SearchArticles(%q) after delete = %v, total %d; want nothing", "referendum", got, total)
			}
		}},
		{"HostileQueries", func(t *testing.T, s store.Store) {
			create(t, s, withText(story("target"), "Quokka AND friends", `Said "NEAR" the title: quokka col:x.`))
			queries := []string{
				"", " ", "NEAR(", "NEAR(quokka friends, 2)", `"`, `""`, `"quokka`, `quokka"`, "*", "quokka*", "*quokka",
				"AND OR NOT", "AND", "OR", "NOT quokka", "quokka OR", "quokka AND", "col:x", "title:quokka", "{title body}: quokka",
				"^quokka", "-quokka", "+", "(", ")", "quokka)", "(quokka", "quokka AND (friends", ":", "::", "'", "''", "quokka's",
				"%", "_", `\`, "`", ";DROP TABLE articles;--", "\x00", "quokka\x00friends", "\xff\xfe", "quok\xffka", "\xc3",
				"’", "—", "\u200b", "\ufeff", "🦘", "\ue000quokka\ue001", "\u00a0quokka\u00a0",
				strings.Repeat("x", 10000), strings.Repeat("quokka ", 1500), strings.Repeat("é", 5000),
				strings.Repeat("\"(*", 3400), strings.Repeat("a OR ", 2000), strings.Repeat("\xff", 10000),
			}
			for _, q := range queries {
				for _, limit := range []int{0, 1} {
					if _, _, err := s.SearchArticles(t.Context(), store.SearchQuery{Text: q, LiveAt: at(0), Limit: limit, Offset: 0}); err != nil {
						t.Errorf("SearchArticles(%.60q) = %v, want results or none", q, err)
					}
				}
			}
			if _, got, _ := search(t, s, store.SearchQuery{Text: "quokka", LiveAt: at(0)}); len(got) != 1 {
				t.Errorf("SearchArticles(%q) after the hostile queries = %v, want the story", "quokka", got)
			}
		}},
	}
}
