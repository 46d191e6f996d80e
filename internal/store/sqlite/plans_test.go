package sqlite_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// TestHotQueriesUseIndexes runs every query that grows with the archive (what a page view, a
// comment post and the change-log follower run) and asks SQLite for its plan: none may SCAN a
// table, that is, read every row of it or of one of its indexes. Plans need no data, since the
// planner sees no statistics (the store never runs ANALYZE), so a tiny site proves the plans of
// a large one; BenchmarkLargeSite measures the same calls on 100k stories and 1M comments.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "site.db")
	db := openAt(t, path, sqlite.Options{})
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	a := &article.Article{Kind: article.Story, Slug: "vote", Title: "Vote", Status: article.Published, PublishedAt: now,
		Section: article.Section{Name: "News", Slug: "news"}, Tags: []article.Tag{{Name: "Harbour", Slug: "harbour"}},
		Authors: []article.Author{{Name: "Ada", Slug: "ada"}}}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	// A story sharing a's tag, so that a's fallback related list reads cards.
	b := &article.Article{Kind: article.Story, Slug: "count", Title: "Count", Status: article.Published, PublishedAt: now,
		Section: a.Section, Tags: a.Tags}
	if err := db.CreateArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	c := &comment.Comment{ArticleID: a.ID, Status: comment.Approved, AuthorName: "Bo", AuthorEmail: "bo@example.org", Content: "Yes."}
	if err := db.CreateComment(ctx, c); err != nil {
		t.Fatal(err)
	}
	r := raw(t, path)
	front := store.ArticleQuery{LiveAt: now, Kind: article.Story, Limit: 20}
	cases := []struct {
		name string
		fn   func() error
	}{
		{"Trusted", func() error { _, err := db.Trusted(ctx, "Bo@example.org"); return err }},
		{"LastCommentAt", func() error { _, err := db.LastCommentAt(ctx, "10.0.0.1", "bo@example.org"); return err }},
		{"DuplicateComment", func() error { _, err := db.DuplicateComment(ctx, a.ID, "Bo", "bo@example.org", "Yes."); return err }},
		{"DuplicateComment/no email", func() error { _, err := db.DuplicateComment(ctx, a.ID, "Bo", "", "Yes."); return err }},
		{"Banned", func() error { _, err := db.Banned(ctx, "bo@example.org", "10.0.0.1", now); return ignoreNotFound(err) }},
		{"SpamCounts", func() error { _, _, _, err := db.SpamCounts(ctx, []string{"harbour", "vote"}); return err }},
		{"PostFacts", func() error {
			_, err := db.PostFacts(ctx, store.PostCheck{ArticleID: a.ID, Name: "Bo", Email: "bo@example.org", IP: "10.0.0.1",
				Content: "Yes.", Tokens: []string{"harbour", "vote"}, Now: now})
			return err
		}},
		{"PostFacts/no email", func() error {
			_, err := db.PostFacts(ctx, store.PostCheck{ArticleID: a.ID, Name: "Bo", IP: "10.0.0.1", Content: "Yes.", Now: now})
			return err
		}},
		{"UseNonce", func() error { return db.UseNonce(ctx, "n1", now.Add(time.Hour), now) }},
		{"QueueStaffMail", func() error { return db.QueueStaffMail(ctx, "bo@example.org", store.StaffReset, "", now) }},
		{"DueStaffMail", func() error { _, err := db.DueStaffMail(ctx, now, 50); return err }},
		{"PasswordLink", func() error { _, err := db.PasswordLink(ctx, "hash"); return ignoreNotFound(err) }},
		{"UsePasswordLink", func() error { _, err := db.UsePasswordLink(ctx, "hash"); return ignoreNotFound(err) }},
		{"SignOutEverywhere", func() error { return db.SignOutEverywhere(ctx, 1) }},
		{"CreateComment", func() error {
			return db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Status: comment.Pending, AuthorName: "Cy", Content: "No."})
		}},
		{"Comment", func() error { _, err := db.Comment(ctx, c.ID); return err }},
		{"CommentCounts", func() error { _, err := db.CommentCounts(ctx, []int64{a.ID, a.ID + 1}); return err }},
		{"ListComments/story", func() error {
			_, _, err := db.ListComments(ctx, store.CommentQuery{ArticleID: a.ID, Status: comment.Approved, Type: comment.Regular, Oldest: true})
			return err
		}},
		{"ListComments/queue", func() error {
			_, _, err := db.ListComments(ctx, store.CommentQuery{Status: comment.Pending, Limit: 20})
			return err
		}},
		{"ListComments/by email", func() error {
			_, _, err := db.ListComments(ctx, store.CommentQuery{Email: "BO@example.org", Limit: 20})
			return err
		}},
		{"Article", func() error { _, err := db.Article(ctx, a.ID); return err }},
		{"ArticleBySlug", func() error { _, err := db.ArticleBySlug(ctx, "vote"); return err }},
		{"ListArticles/front", func() error { _, _, err := db.ListArticles(ctx, front); return err }},
		{"ListArticles/section", func() error {
			_, _, err := db.ListArticles(ctx, store.ArticleQuery{LiveAt: now, SectionID: a.Section.ID, Limit: 20})
			return err
		}},
		{"ListArticles/section stories", func() error {
			_, _, err := db.ListArticles(ctx, store.ArticleQuery{LiveAt: now, Kind: article.Story, SectionID: a.Section.ID, Limit: 20})
			return err
		}},
		{"ListArticles/tag", func() error {
			_, _, err := db.ListArticles(ctx, store.ArticleQuery{LiveAt: now, TagID: a.Tags[0].ID, Limit: 20})
			return err
		}},
		{"ListArticles/author", func() error {
			_, _, err := db.ListArticles(ctx, store.ArticleQuery{LiveAt: now, AuthorID: a.Authors[0].ID, Limit: 20})
			return err
		}},
		{"RelatedArticles", func() error { _, _, err := db.RelatedArticles(ctx, a.ID, now); return err }},
		{"SharingArticles", func() error { _, err := db.SharingArticles(ctx, a, now, 5); return err }},
		{"RelatedCards/fallback", func() error {
			list, _, err := db.RelatedCards(ctx, a, now, 5)
			if err == nil && len(list) != 1 {
				err = fmt.Errorf("got %d cards, want 1", len(list))
			}
			return err
		}},
		{"RelatedCards/stored", func() error {
			if err := db.SetRelated(ctx, b.ID, []store.RelatedLink{{ArticleID: a.ID, Score: 1}}); err != nil {
				return err
			}
			_, _, err := db.RelatedCards(ctx, b, now, 5)
			return err
		}},
		{"ChangesSince", func() error { _, _, err := db.ChangesSince(ctx, 1, 100); return err }},
		{"LatestChange", func() error { _, err := db.LatestChange(ctx); return err }},
	}
	// Some lookups must do better than avoid a scan: the duplicate check reads the commenter's
	// comments on the story alone, not all of a regular commenter's hundreds.
	wantPlans := map[string]string{
		"DuplicateComment": dupPlan,
		"PostFacts":        dupPlan,
	}
	for _, tc := range cases {
		var queries [][2]any
		var plans []string
		db.Trace(func(q string, args []any) { queries = append(queries, [2]any{q, args}) })
		err := tc.fn()
		db.Trace(nil)
		if err != nil {
			t.Fatalf("%s = %v", tc.name, err)
		}
		if len(queries) == 0 {
			t.Fatalf("%s ran no query through the statement cache", tc.name)
		}
		for _, q := range queries {
			query, args := q[0].(string), q[1].([]any)
			if strings.HasPrefix(tc.name, "ListArticles/") && !strings.Contains(tc.name, "tag") && !strings.Contains(tc.name, "author") &&
				strings.Contains(query, "SELECT COUNT(*) FROM articles a WHERE") && !strings.Contains(query, "a.status = 'scheduled'") {
				t.Errorf("%s counts its stories row by row rather than from article_counts:\n%s", tc.name, query)
			}
			rows, err := r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatalf("%s: EXPLAIN QUERY PLAN %s = %v", tc.name, query, err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			plans = append(plans, plan...)
			if why := unbounded(query, plan); why != "" {
				t.Errorf("%s %s:\n%s\nplan:\n  %s", tc.name, why, strings.Join(strings.Fields(query), " "), strings.Join(plan, "\n  "))
			}
		}
		if want := wantPlans[tc.name]; want != "" && !slices.Contains(plans, want) {
			t.Errorf("%s plan lacks %q:\n  %s", tc.name, want, strings.Join(plans, "\n  "))
		}
	}
}

// dupPlan is the duplicate check's plan: the commenter's comments on the story, by both keys.
const dupPlan = "SEARCH comments USING INDEX comments_email_article (author_email=? AND article_id=?)"

// lowCardinality matches a SEARCH whose only constraints are on columns with a handful of values
// (status, kind, type): it reads a fixed share of the table, so it grows with the archive.
var lowCardinality = regexp.MustCompile(`^SEARCH \S+ (EXISTS )?USING (COVERING )?INDEX \S+ \(((status|kind|type)=\?( AND )?)+\)$`)

// unbounded says why a plan reads a share of a table that grows with the archive, or "".
// A search on a low-cardinality column is bounded when it walks an index in the query's order
// and stops at its LIMIT. A listing's page count (COUNT(*) over a covering index: the moderation
// queue, the scheduled stories fallen due) is the accepted exception: it reads one index entry
// per item listed, no row. Article listings count from article_counts, which the test checks.
func unbounded(query string, plan []string) string {
	sorted := false
	for _, d := range plan {
		if strings.Contains(d, "TEMP B-TREE FOR ORDER BY") {
			sorted = true
		}
	}
	for _, d := range plan {
		switch {
		case strings.HasPrefix(d, "SCAN (subquery-"):
			// The rows a subquery produced, whose own plan the other lines show.
		case strings.HasPrefix(d, "SCAN ") && !strings.HasPrefix(d, "SCAN CONSTANT ROW") && !strings.Contains(d, "VIRTUAL TABLE"):
			return "scans a table"
		case d == "SEARCH change_log":
			// MAX(seq) of the rowid b-tree reads its last entry.
		case strings.HasPrefix(d, "SEARCH ") && !strings.Contains(d, "("):
			return "searches a table without a key"
		case lowCardinality.MatchString(d):
			if strings.HasPrefix(query, "SELECT COUNT(*) FROM ") && strings.Contains(d, "COVERING INDEX") {
				continue
			}
			if sorted || !strings.Contains(query, "LIMIT") {
				return "reads every row of a status or kind"
			}
		}
	}
	return ""
}

func ignoreNotFound(err error) error {
	if isNotFound(err) {
		return nil
	}
	return err
}
