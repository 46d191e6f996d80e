package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
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
	// TokenDays is the lifetime chosen for a new token, in days; "" for none.
	TokenDays string
	Now       time.Time
}

// tokenLifetimes are the lifetimes a new API token may have, in days; 0 is "never expires".
var tokenLifetimes = []int{30, 90, 365, 0}

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
	p.Now = s.now()
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
// one is given. A new password ends every other session and revokes every API token: whoever
// knew the old password may have made one.
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
	if password != "" {
		ok, err := s.cfg.Passwords.Authenticate(ctx, u, v.Get("current"))
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		if !ok {
			p.Errors["current"] = "That is not your current password."
		}
	}
	if len(p.Errors) > 0 {
		s.showProfile(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	msg := "user"
	if password != "" {
		h, err := s.cfg.Passwords.Hash(ctx, password)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		changed.PasswordHash, msg = h, "password"
	}
	err := s.store.UpdateUser(ctx, &changed)
	if err == nil && password != "" {
		if err = s.store.SignOutEverywhere(ctx, u.ID); err == nil {
			err = s.queueStaffMail(ctx, s.store, u.Email, store.StaffPassword, "")
		}
		if err == nil {
			s.wakeNotifier()
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
	days := r.PostForm.Get("days")
	p := &profilePage{Name: u.Name, TokenName: name, TokenDays: days, Errors: map[string]string{}}
	if name == "" || utf8.RuneCountInString(name) > 100 {
		p.Errors["token_name"] = "Name the token after where it will be used (at most 100 characters), such as “Newsletter script”."
	}
	n, err := strconv.Atoi(days)
	if days == "" {
		n, err = 0, nil
	}
	if err != nil || !slices.Contains(tokenLifetimes, n) {
		p.Errors["token_days"] = "Choose how long the token works: 30, 90 or 365 days, or until revoked."
	}
	if len(p.Errors) > 0 {
		s.showProfile(w, r, u, http.StatusUnprocessableEntity, p)
		return
	}
	now := s.now()
	t := &account.APIToken{UserID: u.ID, Name: name, CreatedAt: now}
	if n > 0 {
		t.ExpiresAt = now.AddDate(0, 0, n)
	}
	token, hash := account.NewToken(account.APITokenPrefix)
	t.TokenHash = hash
	if err := s.store.CreateAPIToken(r.Context(), t); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.NewToken, p.TokenName, p.TokenDays = token, "", ""
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
