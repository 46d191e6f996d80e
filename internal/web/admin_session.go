package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/store"
)

// newsroomDefaults fills the newsroom's configuration defaults and the state the Server shares
// with the copies applySettings makes. New calls it once.
func (s *Server) newsroomDefaults() {
	if s.cfg.Renderer == nil {
		s.cfg.Renderer = article.NewRenderer(sanitize.New())
	}
	if s.cfg.Sessions == (account.SessionPolicy{}) {
		s.cfg.Sessions = account.DefaultSessionPolicy()
	}
	if s.cfg.Throttle == (account.Throttle{}) {
		s.cfg.Throttle = account.DefaultThrottle()
	}
	if s.cfg.ResetThrottle == (account.Throttle{}) {
		s.cfg.ResetThrottle = account.ResetThrottle()
	}
	if s.cfg.Passwords == nil {
		s.cfg.Passwords = account.NewHasher(0, 0)
	}
	s.live = &liveSite{}
	s.gate = &renderGate{}
	if s.cfg.CommentSettings == nil {
		s.cfg.CommentSettings = s.live.discussion
	}
	s.base = s.cfg
}

// staffHandler is an admin handler, called with the signed-in user.
type staffHandler func(w http.ResponseWriter, r *http.Request, u *account.User)

// staff wraps an admin handler: the request must carry a valid session of a user who may do act.
// A reader without one is sent to sign in and brought back (with a form's content, for a POST).
func (s *Server) staff(act account.Action, h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.signedIn(w, r)
		if err != nil {
			s.adminFail(w, r, nil, err)
			return
		}
		if u == nil {
			s.signInAgain(w, r)
			return
		}
		if !account.Can(u, act, nil) {
			s.adminFail(w, r, u, account.Forbid(u, act))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, u)
	}
}

// sessionCookie is the name of the session cookie. Over HTTPS it carries the __Host- prefix,
// which browsers accept only from a secure origin, for the whole site, without a Domain.
func (s *Server) sessionCookie() string {
	if s.secureCookies() {
		return "__Host-broadsheet_session"
	}
	return "broadsheet_session"
}

// secureCookies reports whether the site is served over TLS, so cookies get the Secure flag.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// signedIn returns the user whose valid session the request carries, or nil. It ends expired
// sessions and records activity at most once per account.SessionPolicy.TouchEvery.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) (*account.User, error) {
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	ctx := r.Context()
	hash := account.HashToken(c.Value)
	sess, err := s.store.Session(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		s.clearSessionCookie(w)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !s.cfg.Sessions.Valid(sess, now) {
		s.clearSessionCookie(w)
		return nil, s.store.DeleteSession(ctx, hash)
	}
	u, err := s.store.User(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.cfg.Sessions.NeedsTouch(sess, now) {
		if err := s.store.TouchSession(ctx, hash, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// startSession signs u in on this browser: a new random token, stored hashed, in a cookie that
// scripts cannot read and other sites' forms do not carry.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u *account.User) error {
	now := s.now()
	token, hash := account.NewToken("")
	sess := &account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeen: now,
		IP: s.readerIP(r), UserAgent: truncate(r.UserAgent(), 200)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return err
	}
	// Sign-ins are rare: a good moment to forget what no longer counts.
	if err := s.store.PruneSessions(ctx, now.Add(-s.cfg.Sessions.Idle), now.Add(-s.cfg.Sessions.Absolute)); err != nil {
		return err
	}
	if err := s.store.PruneLoginFailures(ctx, now.Add(-24*s.cfg.Throttle.Window)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.Sessions.Absolute.Seconds())})
	if _, known := s.knownDevice(r, u.ID); !known {
		http.SetCookie(w, &http.Cookie{Name: s.deviceCookie(), Value: account.NewDeviceToken(s.secret, u.ID), Path: "/admin/",
			HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: deviceCookieAge})
	}
	return nil
}

// deviceCookieAge is how long a browser that signed in stays a known device: a year.
const deviceCookieAge = 365 * 24 * 60 * 60

// deviceCookie is the name of the cookie that marks a browser that signed in before, so that
// strangers' failed sign-ins never lock its owner out (account.Throttle).
func (s *Server) deviceCookie() string {
	if s.secureCookies() {
		return "__Secure-broadsheet_device"
	}
	return "broadsheet_device"
}

// knownDevice returns the ID of the request's device cookie when it signed in as user userID
// before.
func (s *Server) knownDevice(r *http.Request, userID int64) (string, bool) {
	c, err := r.Cookie(s.deviceCookie())
	if err != nil || userID == 0 {
		return "", false
	}
	return account.DeviceID(s.secret, c.Value, userID)
}

// endSession signs this browser out.
func (s *Server) endSession(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	s.clearSessionCookie(w)
	if c, err := r.Cookie(s.sessionCookie()); err == nil {
		return s.store.DeleteSession(ctx, account.HashToken(c.Value))
	}
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// localPath returns next when it is a path inside the admin, so that a sign-in never redirects
// to another site, or the dashboard.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/admin/") ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/"
	}
	return next
}

// signInAgain answers a request without a valid session. A page is redirected to the sign-in
// form, which returns to it; a form's POST gets the sign-in form at once, carrying the form's
// content, so that an editor whose session ended keeps the draft they were saving.
func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get("Accept") == "application/json" {
		s.apiError(w, r, errSignedOut)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := &loginPage{Next: r.URL.Path, Expired: true}
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if isEditorPath(r.URL.Path) && r.PostForm.Get("title")+r.PostForm.Get("body") != "" {
		p.Draft = r.PostForm.Encode()
	}
	s.showLogin(w, r, http.StatusUnauthorized, p)
}

// errSignedOut is the API's answer to a request without a valid session.
var errSignedOut = apiErr{status: http.StatusUnauthorized, msg: "You are not signed in, or your session has ended."}
