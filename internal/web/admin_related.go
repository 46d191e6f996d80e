package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// relatedPanel is the editor's view of a story's "More Related Stories": the stored list with
// each link's reason, the editor's pins and exclusions, and the story's near-copies, which
// are never listed.
type relatedPanel struct {
	Links    []relatedRow
	Copies   []relatedRow // "Also published as"
	Pins     string       // one story address per line
	Excludes string
	Error    string
}

type relatedRow struct {
	Title, URL, Reason string
	Pinned             bool
}

// relatedPanel reads the panel of story a.
func (s *Server) relatedPanel(ctx context.Context, a *article.Article) (*relatedPanel, error) {
	list, links, err := s.store.RelatedArticles(ctx, a.ID, s.now())
	if err != nil {
		return nil, err
	}
	pins, excludes, err := s.store.RelatedRules(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	p := &relatedPanel{}
	for i, x := range list {
		row := relatedRow{Title: x.Title, URL: s.permalink(x), Reason: links[i].Reason}
		for _, id := range pins {
			row.Pinned = row.Pinned || id == x.ID
		}
		p.Links = append(p.Links, row)
	}
	if s.cfg.Copies != nil {
		for _, id := range s.cfg.Copies(a.ID) {
			x, err := s.store.Article(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue // deleted since the index last heard
			}
			if err != nil {
				return nil, err
			}
			p.Copies = append(p.Copies, relatedRow{Title: x.Title, URL: s.permalink(x)})
		}
	}
	if p.Pins, err = s.addresses(ctx, pins); err != nil {
		return nil, err
	}
	if p.Excludes, err = s.addresses(ctx, excludes); err != nil {
		return nil, err
	}
	return p, nil
}

// addresses lists stories' permalinks, one a line.
func (s *Server) addresses(ctx context.Context, ids []int64) (string, error) {
	var lines []string
	for _, id := range ids {
		a, err := s.store.Article(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		lines = append(lines, s.permalink(a))
	}
	return strings.Join(lines, "\n"), nil
}

// handleSaveRelated serves POST /admin/stories/{id}/related: the editor's pins and exclusions,
// given as story addresses (or slugs, or IDs), one a line. The list itself is recomputed in the
// background within a second or two.
func (s *Server) handleSaveRelated(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if !account.Can(u, account.EditStory, a) {
		s.adminFail(w, r, u, account.Forbid(u, account.EditStory))
		return
	}
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	pins, perr := s.resolveStories(ctx, r.PostForm.Get("pins"), a.ID)
	excludes, eerr := s.resolveStories(ctx, r.PostForm.Get("excludes"), a.ID)
	if err := errors.Join(perr, eerr); err != nil {
		p, ferr := s.editor(r, u, a, s.formOf(a))
		if ferr != nil {
			s.adminFail(w, r, u, ferr)
			return
		}
		p.Related.Pins, p.Related.Excludes, p.Related.Error = r.PostForm.Get("pins"), r.PostForm.Get("excludes"), err.Error()
		s.showEditor(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err := s.store.SetRelatedRules(ctx, a.ID, pins, excludes); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/stories/"+itoa64(a.ID)+"/?msg=related#related", http.StatusSeeOther)
}

// resolveStories turns lines of story addresses, slugs or IDs into IDs, or says which line
// names no story.
func (s *Server) resolveStories(ctx context.Context, text string, self int64) ([]int64, error) {
	var ids []int64
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var a *article.Article
		var err error
		if id, perr := strconv.ParseInt(line, 10, 64); perr == nil {
			a, err = s.store.Article(ctx, id)
		} else {
			path := line
			if u, uerr := url.Parse(line); uerr == nil && u.Path != "" {
				path = u.Path
			}
			parts := strings.Split(strings.Trim(path, "/"), "/")
			a, err = s.store.ArticleBySlug(ctx, parts[len(parts)-1])
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, errors.New("No story at “" + truncate(line, 80) + "”.")
		case err != nil:
			return nil, err
		case a.ID == self:
			return nil, errors.New("A story cannot be related to itself.")
		case a.Kind != article.Story:
			return nil, errors.New("“" + truncate(line, 80) + "” is a page, not a story.")
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}
