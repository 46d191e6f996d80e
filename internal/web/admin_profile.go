package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

// profilePage is one's own account: name, password, sessions and API tokens.
type profilePage struct {
	adminLayout
	Name     string
	Errors   map[string]string
	Sessions []sessionRow
	Tokens   []account.APIToken
	// NewToken is a token just created, shown this once and never again.
	NewToken  string
	TokenName string
}

type sessionRow struct {
	account.Session
	Current bool
}

func (s *Server) showProfile(w http.ResponseWriter, r *http.Request, u *account.User, status int, p *profilePage) {
	ctx := r.Context()
	sessions, err := s.store.Sessions(ctx, u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	var current string
	if c, err := r.Cookie(s.sessionCookie()); err == nil {
		current = account.HashToken(c.Value)
	}
	for _, x := range sessions {
		p.Sessions = append(p.Sessions, sessionRow{Session: x, Current: x.TokenHash == current})
	}
	if p.Tokens, err = s.store.APITokens(ctx, u.ID); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.adminLayout = s.adminLayout(r, u, "Your account")
	if len(p.Errors) > 0 {
		p.Error = "Nothing was changed: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_profile", p)
}

// handleProfile serves GET /admin/profile/.
func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showProfile(w, r, u, http.StatusOK, &profilePage{Name: u.Name})
}

// handleSaveProfile serves POST /admin/profile/: a new name, and a new password when the current
// one is given. A new password ends every other session.
func (s *Server) handleSaveProfile(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	v := r.PostForm
	p := &profilePage{Name: strings.TrimSpace(v.Get("name")), Errors: map[string]string{}}
	changed := *u
	changed.Name = p.Name
	password := v.Get("password")
	for k, m := range userErrors(&changed, password, v.Get("password2")) {
		p.Errors[k] = m
	}
	if password != "" && !account.CheckPassword(u.PasswordHash, v.Get("current")) {
		p.Errors["current"] = "That is not your current password."
	}
	if len(p.Errors) > 0 {
		s.showProfile(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	msg := "user"
	if password != "" {
		h, err := account.HashPassword(password)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		changed.PasswordHash, msg = h, "password"
	}
	err := s.store.UpdateUser(ctx, &changed)
	if err == nil && password != "" {
		if err = s.store.DeleteSessions(ctx, u.ID); err == nil {
			err = s.startSession(ctx, w, r, &changed)
		}
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/profile/?msg="+msg, http.StatusSeeOther)
}

// handleCreateToken serves POST /admin/profile/tokens: a new API token, shown once.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	name := strings.Join(strings.Fields(r.PostForm.Get("name")), " ")
	p := &profilePage{Name: u.Name, TokenName: name, Errors: map[string]string{}}
	if name == "" || utf8.RuneCountInString(name) > 100 {
		p.Errors["token_name"] = "Name the token after where it will be used (at most 100 characters), such as “Newsletter script”."
		s.showProfile(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	token, hash := account.NewToken(account.APITokenPrefix)
	if err := s.store.CreateAPIToken(r.Context(), &account.APIToken{UserID: u.ID, Name: name, TokenHash: hash, CreatedAt: s.now()}); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.NewToken, p.TokenName = token, ""
	s.showProfile(w, r, u, http.StatusOK, p)
}

// handleDeleteToken serves POST /admin/profile/tokens/{id}/delete: the token stops working at
// once.
func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		err = store.ErrNotFound
	} else {
		err = s.store.DeleteAPIToken(r.Context(), u.ID, id)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/profile/?msg=revoked", http.StatusSeeOther)
}
