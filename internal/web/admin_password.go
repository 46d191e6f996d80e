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

// passwordPage is the form a set-password link opens: an invitation, a reset or a link handed
// over by an administrator.
type passwordPage struct {
	adminLayout
	Token   string
	Name    string
	Email   string
	Invite  bool // the user has no password yet
	Invalid bool // the link is unknown, used, expired or void
	Errors  map[string]string
}

// errLinkInvalid is the answer to a link that cannot set a password.
var errLinkInvalid = errors.New("web: the set-password link is unknown, used, expired or void")

// noReferrer keeps a page's address, which may carry a set-password token, out of the Referer
// of every request the page leads to.
func noReferrer(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// passwordLink returns the link with token and its user, or errLinkInvalid; it does not use it.
func (s *Server) passwordLink(ctx context.Context, token string) (*account.PasswordLink, *account.User, error) {
	if !account.LooksLikeLinkToken(token) {
		return nil, nil, errLinkInvalid
	}
	l, err := s.store.PasswordLink(ctx, account.HashToken(token))
	var u *account.User
	if err == nil {
		u, err = s.store.User(ctx, l.UserID)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && !l.Valid(u, s.now())) {
		return nil, nil, errLinkInvalid
	}
	return l, u, err
}

// showPasswordPage renders the set-password form, or why the link cannot be used.
func (s *Server) showPasswordPage(w http.ResponseWriter, r *http.Request, status int, p *passwordPage) {
	noReferrer(w)
	title := "Choose your password"
	if p.Invalid {
		title, status = "This link cannot be used", http.StatusGone
		p.Token = ""
	}
	msg := p.Error
	p.adminLayout = s.adminLayout(r, nil, title)
	p.Error = msg
	s.adminPage(w, r, status, "admin_password", p)
}

// handlePasswordForm serves GET /admin/password?t=: the page a set-password link opens. Looking
// does not use the link (mail scanners follow links); the token moves into the form at once.
func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	_, u, err := s.passwordLink(r.Context(), token)
	p := &passwordPage{Token: token, Invalid: errors.Is(err, errLinkInvalid)}
	if err != nil && !p.Invalid {
		noReferrer(w)
		s.adminFail(w, r, nil, err)
		return
	}
	if u != nil {
		p.Name, p.Email, p.Invite = u.Name, u.Email, u.PasswordHash == ""
	}
	s.showPasswordPage(w, r, http.StatusOK, p)
}

// handleSetPassword serves POST /admin/password: it uses the link, sets the password, signs the
// user out everywhere else (sessions, API tokens, other links) and signs them in here.
func (s *Server) handleSetPassword(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	ctx := r.Context()
	token, password := r.PostForm.Get("token"), r.PostForm.Get("password")
	_, u, err := s.passwordLink(ctx, token)
	p := &passwordPage{Token: token, Invalid: errors.Is(err, errLinkInvalid)}
	if err != nil {
		if p.Invalid {
			s.showPasswordPage(w, r, http.StatusGone, p)
			return
		}
		s.adminFail(w, r, nil, err)
		return
	}
	p.Name, p.Email, p.Invite = u.Name, u.Email, u.PasswordHash == ""
	p.Errors = passwordErrors(password, r.PostForm.Get("password2"), u.Email)
	if len(p.Errors) > 0 {
		p.Error = "The password was not set: please correct the fields marked below."
		s.showPasswordPage(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	hash, err := s.cfg.Passwords.Hash(ctx, password)
	if errors.Is(err, account.ErrBusy) {
		p.Error = "The site is busy checking other passwords. Please try again in a few seconds."
		w.Header().Set("Retry-After", "5")
		s.showPasswordPage(w, r, http.StatusServiceUnavailable, p)
		return
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		l, err := tx.UsePasswordLink(ctx, account.HashToken(token))
		if err == nil {
			u, err = tx.User(ctx, l.UserID)
		}
		if errors.Is(err, store.ErrNotFound) || (err == nil && !l.Valid(u, s.now())) {
			return errLinkInvalid
		}
		if err != nil {
			return err
		}
		had := u.PasswordHash != ""
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.SignOutEverywhere(ctx, u.ID); err != nil {
			return err
		}
		if had {
			return s.queueStaffMail(ctx, tx, u.Email, store.StaffPassword, "")
		}
		return nil
	})
	if errors.Is(err, errLinkInvalid) {
		p.Invalid = true
		s.showPasswordPage(w, r, http.StatusGone, p)
		return
	}
	if err == nil {
		s.wakeNotifier()
		err = s.startSession(ctx, w, r, u)
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, "/admin/?msg=password-set", http.StatusSeeOther)
}

// passwordErrors checks a new password typed twice for the account with email.
func passwordErrors(password, again, email string) map[string]string {
	errs := map[string]string{}
	var v account.ValidationError
	if err := account.ValidatePassword(password, email); errors.As(err, &v) {
		errs["password"] = v["password"]
	} else if password != again {
		errs["password2"] = "The two passwords differ."
	}
	return errs
}

// queueStaffMail queues an email to the staff member with email, when the site sends mail.
func (s *Server) queueStaffMail(ctx context.Context, st store.Store, email, kind, detail string) error {
	if !s.cfg.Mail {
		return nil
	}
	return st.QueueStaffMail(ctx, email, kind, detail, s.now())
}

// lostPage asks for the email of an account whose password was forgotten.
type lostPage struct {
	adminLayout
	Email string
	Sent  bool
	Mail  bool
}

// handleLostPasswordForm serves GET /admin/password/lost.
func (s *Server) handleLostPasswordForm(w http.ResponseWriter, r *http.Request) {
	p := &lostPage{adminLayout: s.adminLayout(r, nil, "Lost your password?"), Mail: s.cfg.Mail}
	s.adminPage(w, r, http.StatusOK, "admin_lost", p)
}

// handleLostPassword serves POST /admin/password/lost. Whether or not the email has an account,
// it does the same work — one reservation in the throttle's buckets, one statement that queues
// the email for an account that has it — and gives the same answer; the link is made and sent
// in the background (SendStaffMail).
func (s *Server) handleLostPassword(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	ctx := r.Context()
	email := account.NormalizeEmail(r.PostForm.Get("email"))
	p := &lostPage{adminLayout: s.adminLayout(r, nil, "Lost your password?"), Email: email, Mail: s.cfg.Mail}
	if !s.cfg.Mail {
		s.adminPage(w, r, http.StatusOK, "admin_lost", p)
		return
	}
	if email == "" || len(email) > account.MaxEmailLen {
		p.Error = "Enter the email address you sign in with."
		s.adminPage(w, r, http.StatusUnprocessableEntity, "admin_lost", p)
		return
	}
	th, now := s.cfg.ResetThrottle, s.now()
	attempt, oldest, err := s.store.ReserveLoginAttempt(ctx, th.ResetBuckets(email, s.readerIP(r)), th.Since(now), now)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if attempt == 0 {
		wait := th.Wait(oldest, now)
		p.Error = "Too many requests for a new password. Please wait " + plural(int(math.Ceil(wait.Minutes())), "minute", "minutes") + " and try again."
		w.Header().Set("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		s.adminPage(w, r, http.StatusTooManyRequests, "admin_lost", p)
		return
	}
	if err := s.store.QueueStaffMail(ctx, email, store.StaffReset, "", now); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.wakeNotifier()
	p.Sent = true
	s.adminPage(w, r, http.StatusOK, "admin_lost", p)
}

// linkPage shows a set-password link once, for an administrator to hand over.
type linkPage struct {
	adminLayout
	Who  *account.User
	URL  string
	Life string
}

// handleUserLink serves POST /admin/users/{id}/link: with send=email, an invitation (for a user
// without a password) or a reset link is emailed to the user; otherwise a link is made and shown
// once, for the administrator to hand over.
func (s *Server) handleUserLink(w http.ResponseWriter, r *http.Request, u *account.User) {
	x, err := s.loadUser(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err == nil && r.PostForm.Get("send") == "email" {
		if !s.cfg.Mail {
			err = badRequest("This site sends no email: make a link to hand over instead.")
		} else {
			err = s.store.QueueStaffMail(r.Context(), x.Email, s.linkMailKind(x), u.Name, s.now())
		}
		if err == nil {
			s.wakeNotifier()
			http.Redirect(w, r, "/admin/users/"+itoa64(x.ID)+"/?msg=link-sent", http.StatusSeeOther)
			return
		}
	}
	if err == nil {
		err = s.showLink(w, r, u, x)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
	}
}

// linkMailKind is the email that gives x a link: an invitation until they have a password.
func (s *Server) linkMailKind(x *account.User) string {
	if x.PasswordHash == "" {
		return store.StaffInvite
	}
	return store.StaffReset
}

// showLink makes a set-password link for x and shows it, once, to the administrator u.
func (s *Server) showLink(w http.ResponseWriter, r *http.Request, u, x *account.User) error {
	token, l := account.NewPasswordLink(x, account.LinkHandover, s.now())
	if err := s.store.CreatePasswordLink(r.Context(), l); err != nil {
		return err
	}
	noReferrer(w)
	p := &linkPage{adminLayout: s.adminLayout(r, u, "Set-password link for "+x.Name), Who: x,
		URL: s.abs("/admin/password?t=" + url.QueryEscape(token)), Life: plural(int(account.InviteLinkLife.Hours()/24), "day", "days")}
	s.adminPage(w, r, http.StatusOK, "admin_link", p)
	return nil
}
