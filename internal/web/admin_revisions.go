package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// revisionsPage is a story's history.
type revisionsPage struct {
	adminLayout
	Story     *article.Article
	Revisions []store.Revision
}

// revisionPage compares one revision with the story as it is.
type revisionPage struct {
	adminLayout
	Story      *article.Article
	Revision   *store.Revision
	Title      []diffPart
	Standfirst []diffPart
	Body       []diffPart
	Same       bool
	CanRestore bool
}

// handleRevisions serves GET /admin/stories/{id}/revisions/: every saved version and autosave,
// newest first.
func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.loadStory(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	revs, err := s.store.Revisions(r.Context(), a.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &revisionsPage{adminLayout: s.adminLayout(r, u, "History: "+a.Title), Story: a, Revisions: revs}
	s.adminPage(w, r, http.StatusOK, "admin_revisions", p)
}

// loadRevision reads the revision {rev} of the story the request names, with the story.
func (s *Server) loadRevision(r *http.Request, u *account.User) (*article.Article, *store.Revision, error) {
	a, err := s.loadStory(r, u)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil {
		return nil, nil, store.ErrNotFound
	}
	rev, err := s.store.Revision(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if rev.ArticleID != a.ID {
		return nil, nil, store.ErrNotFound
	}
	return a, rev, nil
}

// handleRevision serves GET /admin/stories/{id}/revisions/{rev}: what changed between the
// revision and the story as it is now.
func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, rev, err := s.loadRevision(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &revisionPage{adminLayout: s.adminLayout(r, u, "Revision of "+a.Title), Story: a, Revision: rev,
		Title: diffText(rev.Title, a.Title), Standfirst: diffText(rev.Standfirst, a.Standfirst), Body: diffText(rev.Body, a.Body),
		Same:       rev.Title == a.Title && rev.Standfirst == a.Standfirst && rev.Body == a.Body,
		CanRestore: account.CanSave(u, a, a) == nil}
	s.adminPage(w, r, http.StatusOK, "admin_revision", p)
}

// handleRestoreRevision serves POST /admin/stories/{id}/revisions/{rev}/restore: the revision's
// headline, standfirst and body replace the story's and are saved as a new revision, through the
// editor's save path (so the version check guards a story edited meanwhile).
func (s *Server) handleRestoreRevision(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, rev, err := s.loadRevision(r, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	after := *a
	after.Version, _ = strconv.Atoi(r.PostForm.Get("version"))
	after.Title, after.Standfirst, after.Body = rev.Title, rev.Standfirst, rev.Body
	err = s.saveStory(r.Context(), u, a, &after)
	var conflict *editConflict
	switch {
	case errors.As(err, &conflict):
		s.showConflict(w, r, u, conflict.current, s.formOf(&after))
	case err != nil:
		s.adminFail(w, r, u, err)
	default:
		http.Redirect(w, r, "/admin/stories/"+itoa64(a.ID)+"/?msg=restored", http.StatusSeeOther)
	}
}
