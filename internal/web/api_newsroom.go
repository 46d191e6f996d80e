package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// apiUser is a staff member as the API shows them: never the password hash.
type apiUser struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	AuthorID int64  `json:"author_id"`
}

func toAPIUser(u *account.User) apiUser {
	return apiUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), AuthorID: u.AuthorID}
}

// handleAPIMe serves GET /api/v1/me: the token's user.
func (s *Server) handleAPIMe(w http.ResponseWriter, r *http.Request, u *account.User) error {
	s.writeJSON(w, http.StatusOK, toAPIUser(u))
	return nil
}

// apiKind is the term kind of an API URL (/api/v1/{kind}…).
func (s *Server) apiKind(r *http.Request) termKind {
	key, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	k, _ := s.termKind(key)
	return k
}

// handleAPITerms serves GET /api/v1/sections, /api/v1/tags and /api/v1/authors.
func (s *Server) handleAPITerms(w http.ResponseWriter, r *http.Request, u *account.User) error {
	k := s.apiKind(r)
	list, err := s.terms(r.Context(), k)
	if err != nil {
		return err
	}
	if list == nil {
		list = []term{}
	}
	for i := range list {
		list[i].URL = s.abs(list[i].URL)
	}
	s.writeJSON(w, http.StatusOK, list)
	return nil
}

// termInput is a section, tag or byline in a request.
type termInput struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	Text string `json:"text"`
}

// handleAPISaveTerm serves POST /api/v1/{kind} (201) and PUT /api/v1/{kind}/{id}.
func (s *Server) handleAPISaveTerm(w http.ResponseWriter, r *http.Request, u *account.User) error {
	k := s.apiKind(r)
	var t term
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		found, err := s.findTerm(r, k)
		if err != nil {
			return err
		}
		t, status = found, http.StatusOK
	}
	var in termInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t.Name, t.Slug, t.Text = in.Name, in.Slug, in.Text
	errs, err := s.saveTerm(r.Context(), k, &t)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return article.ValidationError(errs)
	}
	t.URL = s.abs(k.public + t.Slug + "/")
	s.writeJSON(w, status, t)
	return nil
}

// handleAPIDeleteTerm serves DELETE /api/v1/{kind}/{id}: 204.
func (s *Server) handleAPIDeleteTerm(w http.ResponseWriter, r *http.Request, u *account.User) error {
	k := s.apiKind(r)
	t, err := s.findTerm(r, k)
	if err != nil {
		return err
	}
	if err := k.del(r.Context(), t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAPIUsers serves GET /api/v1/users.
func (s *Server) handleAPIUsers(w http.ResponseWriter, r *http.Request, u *account.User) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	out := []apiUser{}
	for _, x := range users {
		out = append(out, toAPIUser(&x))
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPICreateUser serves POST /api/v1/users: {"email", "name", "role", "password"} → 201.
// Without a password, on a site that sends mail, the new user is invited by email to choose one.
func (s *Server) handleAPICreateUser(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
		AuthorID int64  `json:"author_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	nu := &account.User{Email: account.NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name),
		Role: account.Role(in.Role), AuthorID: in.AuthorID, CreatedAt: s.now()}
	invite := in.Password == "" && s.cfg.Mail
	errs := userErrors(nu, in.Password, in.Password)
	if invite {
		delete(errs, "password")
	} else if in.Password == "" {
		errs["password"] = "This site sends no email, so the user cannot be invited: give a password, or add them in the admin for a link to hand over."
	}
	if len(errs) > 0 {
		return article.ValidationError(errs)
	}
	var err error
	if !invite {
		if nu.PasswordHash, err = s.cfg.Passwords.Hash(ctx, in.Password); err != nil {
			return err
		}
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		if err := AddStaff(ctx, tx, nu); err != nil || !invite {
			return err
		}
		return s.queueStaffMail(ctx, tx, nu.Email, store.StaffInvite, u.Name)
	})
	if err == nil && invite {
		s.wakeNotifier()
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return article.ValidationError{"email": "A user has this email already."}
	case errors.Is(err, store.ErrNotFound):
		return article.ValidationError{"author_id": "No byline has this ID."}
	case err != nil:
		return err
	}
	s.writeJSON(w, http.StatusCreated, toAPIUser(nu))
	return nil
}

// apiSettings are the site's settings as the API shows and takes them.
type apiSettings struct {
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	BaseURL         string   `json:"base_url"`
	Timezone        string   `json:"timezone"`
	CommentsOpen    bool     `json:"comments_open"`
	HoldAll         bool     `json:"hold_all"`
	HoldUnverified  bool     `json:"hold_unverified"`
	LinkLimit       int      `json:"link_limit"`
	ModerationWords []string `json:"moderation_words"`
	DisallowedWords []string `json:"disallowed_words"`
	CloseAfterDays  int      `json:"close_after_days"`
	MaxDepth        int      `json:"max_depth"`
	PerPage         int      `json:"per_page"`
	NewestFirst     bool     `json:"newest_first"`
}

func toAPISettings(st siteSettings) apiSettings {
	d := st.Discussion
	return apiSettings{Title: st.Title, Description: st.Description, BaseURL: st.BaseURL, Timezone: st.Timezone,
		CommentsOpen: st.CommentsOpen, HoldAll: d.HoldAll, HoldUnverified: d.HoldUnverified, LinkLimit: d.LinkLimit,
		ModerationWords: append([]string{}, d.ModerationWords...), DisallowedWords: append([]string{}, d.DisallowedWords...),
		CloseAfterDays: d.CloseAfterDays, MaxDepth: d.MaxDepth, PerPage: d.PerPage, NewestFirst: d.NewestFirst}
}

// handleAPISettings serves GET /api/v1/settings.
func (s *Server) handleAPISettings(w http.ResponseWriter, r *http.Request, u *account.User) error {
	s.writeJSON(w, http.StatusOK, toAPISettings(s.settings()))
	return nil
}

// handleAPISaveSettings serves PUT /api/v1/settings: the fields sent replace the settings, which
// are in force at once.
func (s *Server) handleAPISaveSettings(w http.ResponseWriter, r *http.Request, u *account.User) error {
	in := toAPISettings(s.settings())
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := settingsForm{Title: in.Title, Description: in.Description, BaseURL: in.BaseURL, Timezone: in.Timezone,
		CommentsOpen: in.CommentsOpen, HoldAll: in.HoldAll, HoldUnverified: in.HoldUnverified, Newest: in.NewestFirst,
		LinkLimit: itoa(in.LinkLimit), CloseAfterDays: itoa(in.CloseAfterDays), MaxDepth: itoa(in.MaxDepth),
		PerPage: itoa(in.PerPage), ModerationWords: strings.Join(in.ModerationWords, "\n"),
		DisallowedWords: strings.Join(in.DisallowedWords, "\n")}
	st, errs := parseSettings(f, s.settings())
	if len(errs) > 0 {
		return article.ValidationError(errs)
	}
	if err := s.store.SaveSettings(r.Context(), st.kv()); err != nil {
		return err
	}
	if err := s.reloadSettings(r.Context(), nil); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, toAPISettings(st))
	return nil
}
