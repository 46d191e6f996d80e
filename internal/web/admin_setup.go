package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// setupPage creates the first administrator.
type setupPage struct {
	adminLayout
	Token  string
	Email  string
	Name   string
	Errors map[string]string
	Done   bool // an administrator exists already
}

// hasAdministrator reports whether st has a user with the administrator role.
func hasAdministrator(ctx context.Context, st store.Store) (bool, error) {
	users, err := st.Users(ctx)
	if err != nil {
		return false, err
	}
	return account.KeepsAdministrator(users, 0, ""), nil
}

// handleSetupForm serves GET /admin/setup?token=: the first-run form, which the address printed
// by broadsheet serve opens while the newsroom has no administrator.
func (s *Server) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	done, err := hasAdministrator(r.Context(), s.store)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	p := &setupPage{adminLayout: s.adminLayout(r, nil, "Set up your newsroom"), Token: r.URL.Query().Get("token"), Done: done}
	s.adminPage(w, r, http.StatusOK, "admin_setup", p)
}

// errSetupToken is the answer to an unknown, used or expired setup address.
var errSetupToken = badRequest("This setup address has expired or has been used. Restart broadsheet serve " +
	"for a new one, or create an administrator with broadsheet user add --role administrator.")

// handleSetup serves POST /admin/setup: it uses the one-time token and creates the first
// administrator, with a byline, in one transaction, and signs them in.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	f := r.PostForm
	ctx := r.Context()
	p := &setupPage{adminLayout: s.adminLayout(r, nil, "Set up your newsroom"), Token: f.Get("token"),
		Email: account.NormalizeEmail(f.Get("email")), Name: strings.TrimSpace(f.Get("name"))}
	u := &account.User{Email: p.Email, Name: p.Name, Role: account.Administrator, CreatedAt: s.now()}
	p.Errors = userErrors(u, f.Get("password"), f.Get("password2"))
	if len(p.Errors) > 0 {
		s.adminPage(w, r, http.StatusUnprocessableEntity, "admin_setup", p)
		return
	}
	// The same bounded hasher as sign-in: a burst of setup posts cannot hold every core's worth
	// of argon2id memory at once.
	hash, err := s.cfg.Passwords.Hash(ctx, f.Get("password"))
	if errors.Is(err, account.ErrBusy) {
		p.Error = "The site is busy checking other passwords. Please send the form again in a few seconds."
		w.Header().Set("Retry-After", "5")
		s.adminPage(w, r, http.StatusServiceUnavailable, "admin_setup", p)
		return
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	u.PasswordHash = hash
	err = s.store.InTx(ctx, func(tx store.Store) error {
		expires, err := tx.UseSetupToken(ctx, account.HashToken(p.Token))
		if errors.Is(err, store.ErrNotFound) || (err == nil && !account.SetupTokenValid(expires, s.now())) {
			return errSetupToken
		}
		if err != nil {
			return err
		}
		if done, err := hasAdministrator(ctx, tx); err != nil || done {
			return errors.Join(err, errSetupToken)
		}
		return AddStaff(ctx, tx, u)
	})
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if err := s.startSession(ctx, w, r, u); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

// AddStaff stores the new user u with a byline, in st (which should be a transaction): the
// existing byline of u's name when no other user signs in with it, else a new one. Moderators
// write nothing and get none; a user given an AuthorID keeps it. The web admin, the API and the
// command line all add staff through it.
func AddStaff(ctx context.Context, st store.Store, u *account.User) error {
	if u.AuthorID == 0 && u.Role != account.Moderator {
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		linked := map[int64]bool{}
		for _, x := range users {
			linked[x.AuthorID] = true
		}
		var found *article.Author
		slug, err := article.UniqueSlug(article.Slugify(u.Name), "staff", func(slug string) (bool, error) {
			a, err := st.AuthorBySlug(ctx, slug)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return false, nil
			case err != nil:
				return false, err
			case linked[a.ID]:
				return true, nil
			}
			found = &a
			return false, nil
		})
		if err != nil {
			return err
		}
		if found == nil {
			found = &article.Author{Name: u.Name, Slug: slug}
			if err := st.SaveAuthor(ctx, found); err != nil {
				return err
			}
		}
		u.AuthorID = found.ID
	}
	return st.CreateUser(ctx, u)
}

// userErrors validates a user's fields and, unless both are empty on an existing user, a new
// password typed twice; it returns the messages by field.
func userErrors(u *account.User, password, again string) map[string]string {
	errs := map[string]string{}
	if err := u.Validate(); err != nil {
		var v account.ValidationError
		if errors.As(err, &v) {
			for k, m := range v {
				errs[k] = m
			}
		}
	}
	if u.ID != 0 && password == "" && again == "" {
		return errs
	}
	if err := account.ValidatePassword(password, u.Email); err != nil {
		var v account.ValidationError
		if errors.As(err, &v) {
			errs["password"] = v["password"]
		}
	} else if password != again {
		errs["password2"] = "The two passwords differ."
	}
	return errs
}
