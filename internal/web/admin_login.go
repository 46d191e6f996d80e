package web

import (
	"context"
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
// email has an account, after the same password hashing work; attempts are throttled
// (account.Throttle), counted alike for strangers and staff, and a browser that signed in before
// is counted apart, so that strangers' guesses never lock its owner out.
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
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		u, err = nil, nil
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	var device string
	if u != nil {
		device, _ = s.knownDevice(r, u.ID)
	}
	// The attempt is counted before the password is checked, so that parallel guesses cannot
	// all slip under the limit.
	buckets := s.cfg.Throttle.Buckets(email, ip, device)
	attempt, oldest, err := s.store.ReserveLoginAttempt(ctx, buckets, s.cfg.Throttle.Since(now), now)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if attempt == 0 {
		wait := s.cfg.Throttle.Wait(oldest, now)
		mins := int(math.Ceil(wait.Minutes()))
		p.Error = "Too many failed sign-ins. Please wait " + plural(mins, "minute", "minutes") + " and try again."
		w.Header().Set("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		s.showLogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	ok, err := s.cfg.Passwords.Authenticate(ctx, u, password)
	if err != nil {
		// The password was not checked, so the attempt does not count.
		if cerr := s.store.ClearLoginAttempts(context.WithoutCancel(ctx), attempt, nil); cerr != nil {
			err = cerr
		}
		if errors.Is(err, account.ErrBusy) {
			p.Error = "The site is busy checking other sign-ins. Please try again in a few seconds."
			w.Header().Set("Retry-After", "5")
			s.showLogin(w, r, http.StatusServiceUnavailable, p)
			return
		}
		s.adminFail(w, r, nil, err)
		return
	}
	if !ok {
		p.Error = "Wrong email or password."
		s.showLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	var clear []string
	for _, b := range buckets {
		if b.Account {
			clear = append(clear, b.Key)
		}
	}
	if err := s.store.ClearLoginAttempts(ctx, attempt, clear); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if account.NeedsRehash(u.PasswordHash) {
		// Through the bounded hasher; when it is busy the stronger hash waits for the next sign-in.
		if h, err := s.cfg.Passwords.Hash(ctx, password); err == nil {
			u.PasswordHash = h
			if err := s.store.UpdateUser(ctx, u); err != nil {
				s.adminFail(w, r, nil, err)
				return
			}
		}
	}
	if device == "" {
		// A browser new to this account: its owner hears of it, when the site sends mail.
		detail := "at " + now.In(s.cfg.Location).Format("Mon 2 Jan 2006 15:04 MST") + " from " + ip
		if ua := r.UserAgent(); ua != "" {
			detail += ", with " + truncate(ua, 200)
		}
		if err := s.queueStaffMail(ctx, s.store, u.Email, store.StaffDevice, detail); err != nil {
			s.adminFail(w, r, nil, err)
			return
		}
		s.wakeNotifier()
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
// this one included, and their API tokens are revoked.
func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.store.SignOutEverywhere(r.Context(), u.ID); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/admin/login?msg=signed-out-everywhere", http.StatusSeeOther)
}
