// Package storetest is the conformance suite of the storage contract in package store: every
// backend runs Run against its own fresh stores and must pass it unchanged.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Run checks that the stores open returns keep the store.Store contract. open must return a new,
// empty store on every call and close it with t.Cleanup; the subtests call it in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []check
	}{
		{"Articles", articleChecks()},
		{"Taxonomy", taxonomyChecks()},
		{"List", listChecks()},
		{"Search", searchChecks()},
		{"Schedule", scheduleChecks()},
		{"Related", relatedChecks()},
		{"Changes", changeChecks()},
		{"Tx", txChecks()},
		{"Comments", commentChecks()},
		{"Accounts", accountChecks()},
		{"StaffMail", staffMailChecks()},
		{"Revisions", revisionChecks()},
		{"Editorial", editorialChecks()},
		{"Imports", importChecks()},
		{"Jobs", jobChecks()},
		{"Media", mediaChecks()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.tests {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.fn(t, open(t))
				})
			}
		})
	}
}

// check is one subtest, run on a store of its own.
type check struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// at is the suite's reference time moved by d. Checks treat at(0) as "now".
func at(d time.Duration) time.Time {
	return time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC).Add(d)
}

// story returns a story published an hour before at(0), ready to create.
func story(slug string) *article.Article {
	text := "Text of " + slug + "."
	return &article.Article{
		Kind:         article.Story,
		Slug:         slug,
		Title:        "Headline " + slug,
		Body:         text,
		BodyHTML:     "<p>" + text + "</p>",
		BodyText:     text,
		Status:       article.Published,
		PublishedAt:  at(-time.Hour),
		CommentsOpen: true,
	}
}

// with returns a after applying fn to it, so that fixtures read as one expression.
func with(a *article.Article, fn func(a *article.Article)) *article.Article {
	fn(a)
	return a
}

// create stores each article in turn and stops the test on the first error.
func create(t *testing.T, s store.Store, list ...*article.Article) {
	t.Helper()
	for _, a := range list {
		if err := s.CreateArticle(t.Context(), a); err != nil {
			t.Fatalf("CreateArticle(%q) = %v", a.Slug, err)
		}
	}
}

// get reads one article by ID and stops the test when it cannot.
func get(t *testing.T, s store.Store, id int64) *article.Article {
	t.Helper()
	a, err := s.Article(t.Context(), id)
	if err != nil {
		t.Fatalf("Article(%d) = %v", id, err)
	}
	return a
}

// latest returns the latest change sequence number and stops the test when it cannot.
func latest(t *testing.T, s store.Store) int64 {
	t.Helper()
	seq, err := s.LatestChange(t.Context())
	if err != nil {
		t.Fatalf("LatestChange() = %v", err)
	}
	return seq
}

// wantErr fails the test unless err matches target; call names the call that answered err.
func wantErr(t *testing.T, call string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s = %v, want %v", call, err, target)
	}
}

// slugs lists the articles' slugs in order.
func slugs(list []*article.Article) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Slug
	}
	return out
}

// articleOpts compares articles as a store keeps them: times to the microsecond (whatever the
// location), tags and sections in any order, nil and empty lists alike.
func articleOpts() cmp.Options {
	return cmp.Options{
		cmpopts.EquateApproxTime(time.Microsecond),
		cmpopts.EquateEmpty(),
		cmpopts.SortSlices(func(a, b article.Tag) bool { return a.Slug < b.Slug }),
		cmpopts.SortSlices(func(a, b article.Section) bool { return a.Slug < b.Slug }),
	}
}
