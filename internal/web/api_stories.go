package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// apiStory is a story as the JSON API shows it.
type apiStory struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Standfirst   string     `json:"standfirst"`
	Body         string     `json:"body"`
	BodyHTML     string     `json:"body_html"`
	Status       string     `json:"status"`
	PublishedAt  *time.Time `json:"published_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CreatedAt    time.Time  `json:"created_at"`
	Section      string     `json:"section"` // slug; "" for none
	Tags         []string   `json:"tags"`
	Authors      []string   `json:"authors"` // byline slugs
	ImageURL     string     `json:"image_url"`
	ImageAlt     string     `json:"image_alt"`
	CommentsOpen bool       `json:"comments_open"`
	Notes        []apiNote  `json:"notes"`
	Version      int        `json:"version"`
	URL          string     `json:"url,omitempty"` // the permalink, once readers can see the story
}

type apiNote struct {
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	At   time.Time `json:"at,omitzero"`
}

// apiStoryInput is a story's fields in a create or update request; absent fields keep their
// value (or their default, for a new story).
type apiStoryInput struct {
	Version      *int       `json:"version"`
	Kind         *string    `json:"kind"`
	Slug         *string    `json:"slug"`
	Title        *string    `json:"title"`
	Standfirst   *string    `json:"standfirst"`
	Body         *string    `json:"body"`
	Status       *string    `json:"status"`
	PublishedAt  *time.Time `json:"published_at"`
	Section      *string    `json:"section"`
	Tags         *[]string  `json:"tags"`
	Authors      *[]string  `json:"authors"`
	ImageURL     *string    `json:"image_url"`
	ImageAlt     *string    `json:"image_alt"`
	CommentsOpen *bool      `json:"comments_open"`
	// Note appends an update or correction.
	Note *apiNote `json:"note"`
}

// apiStory converts a story for the API.
func (s *Server) apiStory(a *article.Article) apiStory {
	out := apiStory{ID: a.ID, Kind: string(a.Kind), Slug: a.Slug, Title: a.Title, Standfirst: a.Standfirst, Body: a.Body,
		BodyHTML: a.BodyHTML, Status: string(a.Status), UpdatedAt: a.UpdatedAt, CreatedAt: a.CreatedAt,
		Section: a.Section.Slug, Tags: []string{}, Authors: []string{}, ImageURL: a.ImageURL, ImageAlt: a.ImageAlt,
		CommentsOpen: a.CommentsOpen, Notes: []apiNote{}, Version: a.Version}
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt
		out.PublishedAt = &t
	}
	for _, t := range a.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	for _, au := range a.Authors {
		out.Authors = append(out.Authors, au.Slug)
	}
	for _, n := range a.Notes {
		out.Notes = append(out.Notes, apiNote{Kind: string(n.Kind), Text: n.Text, At: n.At})
	}
	if a.Live(s.now()) {
		out.URL = s.abs(s.permalink(a))
	}
	return out
}

// storyFromAPI applies in to before (nil for a new story) and returns the story to save. Field
// errors come back as an article.ValidationError.
func (s *Server) storyFromAPI(ctx context.Context, u *account.User, in apiStoryInput, before *article.Article) (*article.Article, error) {
	errs := article.ValidationError{}
	a := &article.Article{Kind: article.Story, Status: article.Draft, CommentsOpen: s.settings().CommentsOpen}
	if u.AuthorID != 0 {
		a.Authors = []article.Author{{ID: u.AuthorID}}
	}
	if before != nil {
		copied := *before
		a = &copied
		if in.Version == nil {
			errs["version"] = "Send the version you edited, from the story's \"version\"."
		} else {
			a.Version = *in.Version
		}
	}
	set := func(p *string, v *string) {
		if v != nil {
			*p = *v
		}
	}
	set(&a.Slug, in.Slug)
	set(&a.Title, in.Title)
	set(&a.Standfirst, in.Standfirst)
	set(&a.Body, in.Body)
	set(&a.ImageURL, in.ImageURL)
	set(&a.ImageAlt, in.ImageAlt)
	a.Title, a.Standfirst, a.Slug = strings.TrimSpace(a.Title), strings.TrimSpace(a.Standfirst), strings.TrimSpace(a.Slug)
	if in.Kind != nil {
		if k := article.Kind(*in.Kind); k == article.Story || k == article.Page {
			a.Kind = k
		} else {
			errs["kind"] = `Use "story" or "page".`
		}
	}
	if in.CommentsOpen != nil {
		a.CommentsOpen = *in.CommentsOpen
	}
	if in.Section != nil {
		a.Section = article.Section{}
		if *in.Section != "" {
			sec, err := s.store.SectionBySlug(ctx, *in.Section)
			if err != nil {
				errs["section"] = "No section has the slug " + strconv.Quote(*in.Section) + "."
			}
			a.Section = sec
		}
	}
	if in.Authors != nil {
		a.Authors = nil
		for _, slug := range *in.Authors {
			au, err := s.store.AuthorBySlug(ctx, slug)
			if err != nil {
				errs["authors"] = "No byline has the slug " + strconv.Quote(slug) + "."
				continue
			}
			a.Authors = append(a.Authors, au)
		}
	}
	if in.Tags != nil {
		tags, msg := parseTags(strings.Join(*in.Tags, ","))
		if msg != "" {
			errs["tags"] = msg
		}
		a.Tags = tags
	}
	now := s.now()
	if in.Note != nil {
		kind := article.NoteKind(in.Note.Kind)
		if (kind != article.Update && kind != article.Correction) || strings.TrimSpace(in.Note.Text) == "" {
			errs["note"] = `Send a note as {"kind": "update" or "correction", "text": "…"}.`
		}
		a.Notes = append(slices.Clone(a.Notes), article.Note{Kind: kind, Text: strings.TrimSpace(in.Note.Text), At: now})
	}
	if in.PublishedAt != nil {
		a.PublishedAt = *in.PublishedAt
	}
	if in.Status != nil {
		st := article.Status(*in.Status)
		if !st.Valid() {
			errs["status"] = "Use draft, pending, scheduled, published or unpublished."
		}
		switch {
		case st == article.Scheduled && (a.PublishedAt.IsZero() || !a.PublishedAt.After(now)) &&
			(before == nil || before.Status != article.Scheduled || in.PublishedAt != nil):
			errs["published_at"] = "Send a published_at in the future to schedule the story."
		case st == article.Published && a.PublishedAt.After(now):
			errs["published_at"] = "That time is in the future: send status \"scheduled\" to publish then."
		case st == article.Published && a.PublishedAt.IsZero():
			a.PublishedAt = now
		}
		a.Status = st
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return a, nil
}

// handleAPIStories serves GET /api/v1/stories: the stories u may open, newest first, filtered by
// status, section, author (slugs) and q (words of the headline); page and per_page paginate.
func (s *Server) handleAPIStories(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	page, per, err := apiPaging(r)
	if err != nil {
		return err
	}
	aq := store.ArticleQuery{Text: truncate(q.Get("q"), 200), Limit: per, Offset: (page - 1) * per}
	if v := q.Get("status"); v != "" {
		if aq.Status = article.Status(v); !aq.Status.Valid() {
			return apiErr{status: http.StatusBadRequest, msg: "Unknown status.", field: "status"}
		}
	}
	if v := q.Get("section"); v != "" {
		sec, err := s.store.SectionBySlug(ctx, v)
		if err != nil {
			return apiErr{status: http.StatusBadRequest, msg: "No section has that slug.", field: "section"}
		}
		aq.SectionID = sec.ID
	}
	if v := q.Get("author"); v != "" {
		au, err := s.store.AuthorBySlug(ctx, v)
		if err != nil {
			return apiErr{status: http.StatusBadRequest, msg: "No byline has that slug.", field: "author"}
		}
		aq.AuthorID = au.ID
	}
	if !account.Can(u, account.ViewStory, &article.Article{}) {
		aq.AuthorID = u.AuthorID
		if u.AuthorID == 0 {
			aq.AuthorID = -1
		}
	}
	list, total, err := s.store.ListArticles(ctx, aq)
	if err != nil {
		return err
	}
	out := struct {
		Stories []apiStory `json:"stories"`
		Total   int        `json:"total"`
		Page    int        `json:"page"`
		PerPage int        `json:"per_page"`
	}{Stories: []apiStory{}, Total: total, Page: page, PerPage: per}
	for _, a := range list {
		out.Stories = append(out.Stories, s.apiStory(a))
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIStory serves GET /api/v1/stories/{id}.
func (s *Server) handleAPIStory(w http.ResponseWriter, r *http.Request, u *account.User) error {
	a, err := s.loadStory(r, u)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, s.apiStory(a))
	return nil
}

// handleAPICreateStory serves POST /api/v1/stories: 201 with the story and its Location.
func (s *Server) handleAPICreateStory(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var in apiStoryInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.storyFromAPI(r.Context(), u, in, nil)
	if err != nil {
		return err
	}
	if err := s.saveStory(r.Context(), u, nil, a); err != nil {
		return err
	}
	if a, err = s.store.Article(r.Context(), a.ID); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/stories/"+itoa64(a.ID))
	s.writeJSON(w, http.StatusCreated, s.apiStory(a))
	return nil
}

// handleAPIUpdateStory serves PUT /api/v1/stories/{id}: the fields sent replace the story's,
// provided "version" is the stored version; otherwise 409 with the current story.
func (s *Server) handleAPIUpdateStory(w http.ResponseWriter, r *http.Request, u *account.User) error {
	before, err := s.loadStory(r, u)
	if err != nil {
		return err
	}
	var in apiStoryInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.storyFromAPI(r.Context(), u, in, before)
	if err != nil {
		return err
	}
	if err := s.saveStory(r.Context(), u, before, a); err != nil {
		return err
	}
	if a, err = s.store.Article(r.Context(), a.ID); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, s.apiStory(a))
	return nil
}

// handleAPIDeleteStory serves DELETE /api/v1/stories/{id}: 204.
func (s *Server) handleAPIDeleteStory(w http.ResponseWriter, r *http.Request, u *account.User) error {
	a, err := s.loadStory(r, u)
	if err != nil {
		return err
	}
	if !account.Can(u, account.DeleteStory, a) {
		return account.Forbid(u, account.DeleteStory)
	}
	if err := s.store.DeleteArticle(r.Context(), a.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiRevision is a revision as the API shows it.
type apiRevision struct {
	ID         int64     `json:"id"`
	Version    int       `json:"version"`
	Autosave   bool      `json:"autosave"`
	User       string    `json:"user"`
	At         time.Time `json:"at"`
	Status     string    `json:"status"`
	Title      string    `json:"title"`
	Standfirst string    `json:"standfirst"`
	Body       string    `json:"body"`
}

// handleAPIRevisions serves GET /api/v1/stories/{id}/revisions: the story's history, newest first.
func (s *Server) handleAPIRevisions(w http.ResponseWriter, r *http.Request, u *account.User) error {
	a, err := s.loadStory(r, u)
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(r.Context(), a.ID)
	if err != nil {
		return err
	}
	out := []apiRevision{}
	for _, x := range revs {
		out = append(out, apiRevision{ID: x.ID, Version: x.Version, Autosave: x.Autosave, User: x.UserName, At: x.At,
			Status: string(x.Status), Title: x.Title, Standfirst: x.Standfirst, Body: x.Body})
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIPreview serves POST /api/v1/preview: {"body": Markdown} → {"html": what readers get}.
func (s *Server) handleAPIPreview(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Body) > article.MaxBodyBytes {
		return apiErr{status: http.StatusUnprocessableEntity, msg: "The body is too long (2 MB at most).", field: "body"}
	}
	h, err := s.cfg.Renderer.HTML(in.Body)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"html": h})
	return nil
}
