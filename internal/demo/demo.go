// Package demo fills a fresh site with the demo newsroom of The Broadsheet Courier: ten short,
// original sample stories about an invented harbour city, with their sections, bylines, tags and
// an About page, so that a first start shows a working news site instead of an empty page.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Label marks the demo content: the first paragraph of every demo story and of the About page
// starts with it, so that readers, editors and search results can tell sample text from news.
const Label = "Sample content"

// ImagePath is the featured image of one demo story. The web server must serve a file at this
// path; the demo itself ships no image.
const ImagePath = "/static/demo/harbour.svg"

// ImageAlt is the alternative text of ImagePath, so that the image drawn for it can match.
const ImageAlt = "Illustration of the harbour at Port Ellery, with container cranes on the quay at dusk"

// notice is the first paragraph of every demo article.
const notice = "*" + Label + ": this is part of the demo newsroom that ships with Broadsheet. " +
	"The Broadsheet Courier, its reporters and everyone in its stories are fictional.*"

// Seed fills st with the demo newsroom when st holds no article and no section at all, and
// returns the number of stories it added (the About page is not counted). On any other store it
// adds nothing and returns 0, so calling it on every start is safe. Dates are relative to now:
// the stories appear published over the past ten days, and one is scheduled two hours after now.
// Everything is written in one transaction: on error nothing is added.
func Seed(ctx context.Context, st store.Store, r *article.Renderer, now time.Time) (n int, err error) {
	err = st.InTx(ctx, func(tx store.Store) error {
		n = 0
		empty, err := isEmpty(ctx, tx)
		if err != nil || !empty {
			return err
		}
		for _, a := range newsroom(now) {
			if err := r.Prepare(a); err != nil {
				return fmt.Errorf("demo: prepare %q: %w", a.Slug, err)
			}
			if err := tx.CreateArticle(ctx, a); err != nil {
				return fmt.Errorf("demo: create %q: %w", a.Slug, err)
			}
			if a.Kind == article.Story {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// isEmpty reports whether st is a fresh database: no article of any kind or status, no section.
func isEmpty(ctx context.Context, st store.Store) (bool, error) {
	_, total, err := st.ListArticles(ctx, store.ArticleQuery{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("demo: count articles: %w", err)
	}
	if total > 0 {
		return false, nil
	}
	secs, err := st.Sections(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: list sections: %w", err)
	}
	return len(secs) == 0, nil
}

// newsroom builds the demo articles, oldest first, with dates relative to now. Sections, bylines
// and tags carry slugs and no IDs, so that the store creates each once and shares it.
func newsroom(now time.Time) []*article.Article {
	at := func(ago time.Duration) time.Time { return now.Add(-ago).Truncate(time.Minute) }
	out := make([]*article.Article, 0, len(stories)+1)
	for _, s := range stories {
		a := &article.Article{
			Kind:         article.Story,
			Slug:         s.slug,
			Title:        s.title,
			Standfirst:   s.standfirst,
			Body:         notice + "\n\n" + strings.TrimSpace(s.body) + "\n",
			Section:      sections[s.section],
			Status:       article.Published,
			PublishedAt:  at(s.ago),
			CommentsOpen: !s.commentsClosed,
		}
		if s.ago < 0 {
			a.Status = article.Scheduled
		}
		a.CreatedAt = a.PublishedAt.Add(-3 * time.Hour)
		if a.Status == article.Scheduled {
			a.CreatedAt = at(3 * time.Hour)
		}
		a.UpdatedAt = a.PublishedAt
		if s.image {
			a.ImageURL, a.ImageAlt = ImagePath, ImageAlt
		}
		for _, slug := range s.authors {
			a.Authors = append(a.Authors, authors[slug])
		}
		for _, name := range s.tags {
			a.Tags = append(a.Tags, article.Tag{Name: name, Slug: article.Slugify(name)})
		}
		for _, n := range s.notes {
			note := article.Note{Kind: n.kind, Text: n.text, At: a.PublishedAt.Add(n.after)}
			a.Notes = append(a.Notes, note)
			if note.At.After(a.UpdatedAt) {
				a.UpdatedAt = note.At
			}
		}
		out = append(out, a)
	}
	published := at(10*day + 6*time.Hour)
	out = append(out, &article.Article{
		Kind:         article.Page,
		Slug:         "about",
		Title:        "About The Broadsheet Courier",
		Standfirst:   "A fictional newsroom that shows what Broadsheet can do.",
		Body:         notice + "\n\n" + strings.TrimSpace(aboutBody) + "\n",
		Status:       article.Published,
		PublishedAt:  published,
		CreatedAt:    published,
		UpdatedAt:    published,
		CommentsOpen: false,
	})
	return out
}
