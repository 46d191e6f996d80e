package web

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

type mediaLibraryPage struct {
	adminLayout
	Items       []*media.Item
	Total       int
	Query       string
	Month       string
	Months      []monthOption // the months that have pictures, newest first, for the filter
	Unused      bool
	Pager       pager
	Errors      map[string]string
	MaxUploadMB int64
}

// monthOption is a month of the library's filter: "2019-05", shown as "May 2019".
type monthOption struct{ Value, Label string }

type mediaItemPage struct {
	adminLayout
	Item *media.Item
	Uses []store.MediaUse // the stories that show it
	// Logo is set when the picture is the site's logo: it cannot be deleted until the logo
	// changes.
	Logo      bool
	CanDelete bool
	// Uploader names who added the picture: empty when unknown (an import's, or a deleted
	// user's).
	Uploader string
	// FocusX and FocusY are the focal point's fields, in per cent from the left and top;
	// Focus places its marker (focusClass).
	FocusX, FocusY string
	Focus          string
}

// handleMediaLibrary serves GET /admin/media/: the library as a grid, searchable by name, alt
// text and caption, filtered by month and by being unused, with an upload form.
// With Accept: application/json it answers the page as GET /api/v1/media does, for the story
// editor's picture picker.
func (s *Server) handleMediaLibrary(w http.ResponseWriter, r *http.Request, u *account.User) {
	if wantsJSON(r) {
		if err := s.writeMediaList(w, r, 48); err != nil {
			s.apiError(w, r, err)
		}
		return
	}
	s.showMediaLibrary(w, r, u, http.StatusOK, nil)
}

func (s *Server) showMediaLibrary(w http.ResponseWriter, r *http.Request, u *account.User, status int, errs map[string]string) {
	v := r.URL.Query()
	q, page, per := mediaQuery(v, 48)
	list, total, err := s.store.ListMedia(r.Context(), q)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &mediaLibraryPage{adminLayout: s.adminLayout(r, u, "Media"), Items: list, Total: total, Query: q.Text,
		Month: q.Month, Unused: q.Unused, Errors: errs, MaxUploadMB: s.media().Limit() >> 20}
	months, err := s.store.MediaMonths(r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if i, found := slices.BinarySearchFunc(months, q.Month, func(m, t string) int { return strings.Compare(t, m) }); q.Month != "" && !found {
		months = slices.Insert(months, i, q.Month) // a month without pictures, asked for by its address
	}
	for _, m := range months {
		label := m
		if t, err := time.Parse("2006-01", m); err == nil {
			label = t.Format("January 2006")
		}
		p.Months = append(p.Months, monthOption{Value: m, Label: label})
	}
	pages := max(1, (total+per-1)/per)
	p.Pager = pager{Page: page, Pages: pages}
	link := func(n int) string {
		v.Set("page", strconv.Itoa(n))
		return "/admin/media/?" + v.Encode()
	}
	if page > 1 {
		p.Pager.Prev = link(page - 1)
	}
	if page < pages {
		p.Pager.Next = link(page + 1)
	}
	if len(errs) > 0 {
		p.Error = "Some files were not added: see below."
	}
	s.adminPage(w, r, status, "admin_media", p)
}

// handleUploadMedia serves POST /admin/media/: one or more pictures from the upload form. With
// Accept: application/json (the story editor's dropped and pasted pictures) it takes one
// picture and answers it as POST /api/v1/media does.
func (s *Server) handleUploadMedia(w http.ResponseWriter, r *http.Request, u *account.User) {
	if wantsJSON(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes+s.media().Limit()+drainLimit)
		if err := s.handleAPIUploadMedia(w, r, u); err != nil {
			s.apiError(w, r, err)
		}
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes+10*s.media().Limit()+drainLimit)
	parts, err := s.readMultipartFiles(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(parts) == 0 {
		s.showMediaLibrary(w, r, u, http.StatusUnprocessableEntity, map[string]string{"file": "Choose a picture to upload."})
		return
	}
	errs := map[string]string{}
	status := http.StatusUnprocessableEntity
	for _, f := range parts {
		_, _, err := s.upload(r.Context(), u, f, uploadWords(r.PostForm))
		if code, msg, ok := uploadError(err, s.media().Limit()); ok {
			errs["file"] += media.DisplayName(f.Name) + ": " + msg + " "
			if code == http.StatusRequestEntityTooLarge {
				status = code
			}
			continue
		}
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	if len(errs) > 0 {
		s.showMediaLibrary(w, r, u, status, errs)
		return
	}
	http.Redirect(w, r, "/admin/media/?msg=uploaded", http.StatusSeeOther)
}

// readMultipartFiles reads a form whose "file" field may repeat.
func (s *Server) readMultipartFiles(r *http.Request) ([]filePart, error) {
	var out []filePart
	err := s.eachPart(r, func(field string, f filePart) {
		if field == "file" {
			out = append(out, f)
		}
	})
	return out, err
}

func (s *Server) mediaItem(r *http.Request) (*media.Item, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.store.MediaItem(r.Context(), id)
}

// handleMediaItem serves GET /admin/media/{id}/: one picture, its words and focal point, the
// stories that show it, and deletion with a warning when any does.
func (s *Server) handleMediaItem(w http.ResponseWriter, r *http.Request, u *account.User) {
	it, err := s.mediaItem(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	fx, fy := focusOf(it)
	s.showMediaItem(w, r, u, http.StatusOK, it, percent(fx), percent(fy), "")
}

func (s *Server) showMediaItem(w http.ResponseWriter, r *http.Request, u *account.User, status int, it *media.Item, fx, fy, problem string) {
	uses, err := s.store.MediaUses(r.Context(), it.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &mediaItemPage{adminLayout: s.adminLayout(r, u, "Media: "+it.Name),
		CanDelete: account.Can(u, account.ManageMedia, nil), FocusX: fx, FocusY: fy, Focus: focusClass(it.FocusX, it.FocusY)}
	p.Item, p.Error = it, problem
	if it.UploaderID != 0 {
		who, err := s.store.User(r.Context(), it.UploaderID)
		switch {
		case err == nil:
			p.Uploader = who.Name
		case !errors.Is(err, store.ErrNotFound):
			s.adminFail(w, r, u, err)
			return
		}
	}
	for _, use := range uses {
		if use.Setting != "" {
			p.Logo = true // the only setting that names a picture
		} else {
			p.Uses = append(p.Uses, use)
		}
	}
	s.adminPage(w, r, status, "admin_media_item", p)
}

// focusOf is the item's focal point, the centre when it has none.
func focusOf(it *media.Item) (x, y float64) {
	if it.FocusX == 0 && it.FocusY == 0 {
		return 0.5, 0.5
	}
	return it.FocusX, it.FocusY
}

// percent writes a fraction as a per cent with at most one decimal.
func percent(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) }

// parsePercent reads a per cent from 0 to 100 as a fraction.
func parsePercent(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")), 64)
	if err != nil || f < 0 || f > 100 || math.IsNaN(f) {
		return 0, false
	}
	return f / 100, true
}

// handleSaveMediaItem serves POST /admin/media/{id}/: alt text, caption, credit, description and
// the focal point (focus_x, focus_y: per cent from the left and top). A new focal point cuts the
// social card again; the stories that show the picture are invalidated through the change log.
func (s *Server) handleSaveMediaItem(w http.ResponseWriter, r *http.Request, u *account.User) {
	it, err := s.mediaItem(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := r.PostForm
	it.Alt, it.Caption, it.Credit = strings.TrimSpace(f.Get("alt")), strings.TrimSpace(f.Get("caption")), strings.TrimSpace(f.Get("credit"))
	it.Description = strings.TrimSpace(f.Get("description"))
	var old string
	if f.Has("focus_x") || f.Has("focus_y") {
		fx, okX := parsePercent(f.Get("focus_x"))
		fy, okY := parsePercent(f.Get("focus_y"))
		if !okX || !okY {
			s.showMediaItem(w, r, u, http.StatusUnprocessableEntity, it, f.Get("focus_x"), f.Get("focus_y"),
				"The focal point is two numbers from 0 to 100: per cent from the left, and from the top.")
			return
		}
		if cx, cy := focusOf(it); math.Abs(fx-cx) > 1e-4 || math.Abs(fy-cy) > 1e-4 {
			if old, err = s.media().Refocus(r.Context(), it, fx, fy); err != nil {
				s.adminFail(w, r, u, err)
				return
			}
		}
	}
	if err := s.store.UpdateMedia(r.Context(), it); err != nil {
		if old != "" {
			_ = s.media().Files.Delete(context.WithoutCancel(r.Context()), it.Social)
		}
		s.adminFail(w, r, u, err)
		return
	}
	if old != "" {
		// The pages that named the old card are invalidated with the record's change.
		if err := s.media().Files.Delete(r.Context(), old); err != nil && !errors.Is(err, media.ErrNotFound) {
			s.log.WarnContext(r.Context(), "media: removing a replaced social card", slog.String("file", old), slog.Any("err", err))
		}
	}
	http.Redirect(w, r, "/admin/media/"+itoa64(it.ID)+"/?msg=saved", http.StatusSeeOther)
}

// handleDeleteMediaItem serves POST /admin/media/{id}/delete: the record, then the files.
// Stories that showed it keep their text; their picture goes. The site's logo is not deleted:
// the page says to choose another logo first (409).
func (s *Server) handleDeleteMediaItem(w http.ResponseWriter, r *http.Request, u *account.User) {
	it, err := s.mediaItem(r)
	if err == nil {
		err = s.store.DeleteMedia(r.Context(), it.ID)
	}
	if errors.Is(err, store.ErrConflict) {
		fx, fy := focusOf(it)
		s.showMediaItem(w, r, u, http.StatusConflict, it, percent(fx), percent(fy), logoInUse)
		return
	}
	if err == nil {
		err = s.media().Remove(r.Context(), it)
	}
	if err != nil && !errors.Is(err, media.ErrNotFound) {
		s.adminFail(w, r, u, err)
		return
	}
	// The stories that showed it are invalidated through the change log.
	http.Redirect(w, r, "/admin/media/?msg=deleted", http.StatusSeeOther)
}

// logoInUse is why the site's logo cannot be deleted.
const logoInUse = "This picture is the site's logo, so it was not deleted. Choose another logo, or none, in Identity first."
