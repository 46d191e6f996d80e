package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

// loginPage is the sign-in form.
type loginPage struct {
	adminLayout
	Email string
	Next  string // where to go after signing in
	// Draft is the encoded form an editor was saving when their session ended; signing in
	// shows it in the editor again.
	Draft   string
	Expired bool
}

// showLogin renders the sign-in form with status.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, p *loginPage) {
	msg := p.Error
	p.adminLayout = s.adminLayout(r, nil, "Sign in")
	p.Error = msg
	if p.Expired && p.Error == "" {
		p.Error = "Your session has ended. Sign in again to carry on; nothing you were writing is lost."
	}
	s.adminPage(w, r, status, "admin_login", p)
}

// handleLoginForm serves GET /admin/login.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	u, err := s.signedIn(w, r)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	next := localPath(r.URL.Query().Get("next"))
	if u != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, &loginPage{Next: next})
}

// handleLogin serves POST /admin/login. Every failure answers the same words, whether or not the
// email has an account, after the same password hashing work; repeated failures per email and per
// address are throttled, counted alike for strangers and staff.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	ctx := r.Context()
	email := account.NormalizeEmail(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	p := &loginPage{Email: email, Next: localPath(r.PostForm.Get("next")), Draft: r.PostForm.Get("draft")}
	now, ip := s.now(), s.readerIP(r)
	byEmail, byIP, err := s.store.LoginFailures(ctx, email, ip, s.cfg.Throttle.Since(now))
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if wait := s.cfg.Throttle.Wait(byEmail, byIP, now); wait > 0 {
		mins := int(math.Ceil(wait.Minutes()))
		p.Error = "Too many failed sign-ins. Please wait " + plural(mins, "minute", "minutes") + " and try again."
		w.Header().Set("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		s.showLogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		u, err = nil, nil
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if !account.Authenticate(u, password) {
		if err := s.store.AddLoginFailure(ctx, email, ip, now); err != nil {
			s.adminFail(w, r, nil, err)
			return
		}
		p.Error = "Wrong email or password."
		s.showLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	if err := s.store.ClearLoginFailures(ctx, email); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if account.NeedsRehash(u.PasswordHash) {
		if h, err := account.HashPassword(password); err == nil {
			u.PasswordHash = h
			if err := s.store.UpdateUser(ctx, u); err != nil {
				s.adminFail(w, r, nil, err)
				return
			}
		}
	}
	if err := s.startSession(ctx, w, r, u); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if p.Draft != "" && isEditorPath(p.Next) {
		if draft, err := url.ParseQuery(p.Draft); err == nil {
			r.URL.RawQuery = ""
			s.resumeEditor(w, r, u, p.Next, draft)
			return
		}
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

// handleLogout serves POST /admin/logout: this browser's session ends.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.endSession(r.Context(), w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, "/admin/login?msg=signed-out", http.StatusSeeOther)
}

// handleLogoutEverywhere serves POST /admin/logout-everywhere: every session of the user ends,
// this one included.
func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.store.DeleteSessions(r.Context(), u.ID); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/admin/login?msg=signed-out", http.StatusSeeOther)
}
