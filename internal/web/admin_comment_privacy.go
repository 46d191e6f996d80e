package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

// The privacy tools answer a commenter's request for their data (export) or for its removal
// (erase), as WordPress's do. They are for administrators: routes.go gives them to whoever may
// change the site's settings (account.ManageSettings), as WordPress gives its exporter and eraser
// to those who may manage its options. Moderators see personal data one comment at a time; they
// cannot collect or destroy a person's whole history.

// privacyPage holds the export and erase forms.
type privacyPage struct {
	adminLayout
	Email  string
	Erase  bool // the errors are the erase form's
	Errors map[string]string
}

// commentExport is a commenter's data, as the privacy export downloads it.
//
// Privacy: it holds every comment of one email address with its IP addresses and user agents.
// It is for the administrator answering that person's request, and for that person.
type commentExport struct {
	Email      string       `json:"email"`
	Site       string       `json:"site"`
	ExportedAt time.Time    `json:"exported_at"`
	Comments   []apiComment `json:"comments"`
}

// handlePrivacy serves GET /admin/comments/privacy.
func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showPrivacy(w, r, u, http.StatusOK, "", nil)
}

func (s *Server) showPrivacy(w http.ResponseWriter, r *http.Request, u *account.User, status int, email string, errs map[string]string) {
	p := &privacyPage{adminLayout: s.adminLayout(r, u, "Commenters' privacy"), Email: email, Errors: errs,
		Erase: r.URL.Path == "/admin/comments/privacy/erase"}
	s.commentFlash(r, &p.adminLayout)
	s.adminPage(w, r, status, "admin_comment_privacy", p)
}

// privacyEmail reads the email address of a privacy form, or returns the field's message.
func privacyEmail(r *http.Request) (string, map[string]string) {
	email := account.NormalizeEmail(r.PostForm.Get("email"))
	if email == "" || !strings.Contains(email, "@") || len(email) > comment.MaxEmail || strings.ContainsAny(email, "\x00\r\n ") {
		return email, map[string]string{"email": "Enter the commenter's email address."}
	}
	return email, nil
}

// handlePrivacyExport serves POST /admin/comments/privacy/export: every comment of an email
// address, personal data included, as a JSON download. It is a POST so that the address stays
// out of URLs and logs.
func (s *Server) handlePrivacyExport(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	email, errs := privacyEmail(r)
	if errs != nil {
		s.showPrivacy(w, r, u, http.StatusUnprocessableEntity, email, errs)
		return
	}
	ctx := r.Context()
	list, _, err := s.store.ListComments(ctx, store.CommentQuery{Email: email, Oldest: true})
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(list) == 0 {
		s.showPrivacy(w, r, u, http.StatusNotFound, email, map[string]string{"email": "No comment was posted with this email address."})
		return
	}
	out, err := s.apiComments(ctx, list)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	now := s.now()
	w.Header().Set("Content-Disposition", `attachment; filename="comments-export-`+now.In(s.cfg.Location).Format("2006-01-02")+`.json"`)
	s.writeJSON(w, http.StatusOK, commentExport{Email: email, Site: s.cfg.BaseURL, ExportedAt: now, Comments: out})
}

// handlePrivacyErase serves POST /admin/comments/privacy/erase: every comment of an email
// address is anonymised (see store.Comments.EraseCommenter), once the box confirming it is
// ticked.
func (s *Server) handlePrivacyErase(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	email, errs := privacyEmail(r)
	if errs == nil && r.PostForm.Get("confirm") == "" {
		errs = map[string]string{"confirm": "Tick the box to confirm: erasing cannot be undone."}
	}
	if errs != nil {
		s.showPrivacy(w, r, u, http.StatusUnprocessableEntity, email, errs)
		return
	}
	n, err := s.store.EraseCommenter(r.Context(), email)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/comments/privacy?msg=erased&n="+itoa(n), http.StatusSeeOther)
}
