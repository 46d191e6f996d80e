package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// userForm is a user's form as typed.
type userForm struct {
	ID     int64
	Email  string
	Name   string
	Role   string
	Author string // byline ID; "" for a new byline of the user's name (new users) or none
}

// usersPage lists the staff, with the form to add one.
type usersPage struct {
	adminLayout
	Mail    bool // the site sends email, so new users are invited by it
	Users   []userRow
	Form    userForm
	Errors  map[string]string
	Roles   []account.Role
	Authors []article.Author
}

type userRow struct {
	account.User
	Byline string
}

// userPage edits one user.
type userPage struct {
	adminLayout
	Form     userForm
	Errors   map[string]string
	Roles    []account.Role
	Authors  []article.Author
	Sessions []account.Session
	Self     bool
	Mail     bool
	// NoPassword marks a user who has not chosen a password yet.
	NoPassword bool
}

// handleUsers serves GET /admin/users/.
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showUsers(w, r, u, http.StatusOK, userForm{Role: string(account.Author)}, nil)
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, u *account.User, status int, f userForm, errs map[string]string) {
	ctx := r.Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	authors, err := s.store.Authors(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &usersPage{adminLayout: s.adminLayout(r, u, "Users"), Form: f, Errors: errs, Roles: account.Roles, Authors: authors, Mail: s.cfg.Mail}
	for _, x := range users {
		row := userRow{User: x}
		if i := slices.IndexFunc(authors, func(a article.Author) bool { return a.ID == x.AuthorID }); i >= 0 {
			row.Byline = authors[i].Name
		}
		p.Users = append(p.Users, row)
	}
	if len(errs) > 0 {
		p.Error = "The user was not added: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_users", p)
}

// readUserForm reads a user's fields from a posted form.
func readUserForm(r *http.Request) userForm {
	v := r.PostForm
	return userForm{Email: account.NormalizeEmail(v.Get("email")), Name: strings.TrimSpace(v.Get("name")),
		Role: v.Get("role"), Author: v.Get("author")}
}

// byline resolves a form's byline choice: 0 for none, or an existing byline's ID.
func (s *Server) byline(ctx context.Context, choice string, errs map[string]string) (int64, error) {
	if choice == "" || choice == "0" {
		return 0, nil
	}
	id, _ := strconv.ParseInt(choice, 10, 64)
	authors, err := s.store.Authors(ctx)
	if err != nil {
		return 0, err
	}
	if !slices.ContainsFunc(authors, func(a article.Author) bool { return a.ID == id }) {
		errs["author"] = "Choose a byline from the list."
	}
	return id, nil
}

// handleCreateUser serves POST /admin/users/: a new staff member, with a byline of their name
// unless an existing one is chosen. Without a password typed, the new user chooses their own: an
// invitation is emailed to them, or, on a site that sends no mail, a link to hand over is shown.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	f := readUserForm(r)
	nu := &account.User{Email: f.Email, Name: f.Name, Role: account.Role(f.Role), CreatedAt: s.now()}
	password := r.PostForm.Get("password")
	invite := password == "" && r.PostForm.Get("password2") == ""
	errs := userErrors(nu, password, r.PostForm.Get("password2"))
	if invite {
		delete(errs, "password")
	}
	var err error
	if nu.AuthorID, err = s.byline(ctx, f.Author, errs); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(errs) == 0 {
		if !invite {
			if nu.PasswordHash, err = s.cfg.Passwords.Hash(ctx, password); err != nil {
				s.adminFail(w, r, u, err)
				return
			}
		}
		err = s.store.InTx(ctx, func(tx store.Store) error {
			if err := AddStaff(ctx, tx, nu); err != nil || !invite {
				return err
			}
			return s.queueStaffMail(ctx, tx, nu.Email, store.StaffInvite, u.Name)
		})
		if errors.Is(err, store.ErrConflict) {
			errs["email"], err = "A user has this email already.", nil
		}
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	switch {
	case len(errs) > 0:
		s.showUsers(w, r, u, http.StatusUnprocessableEntity, f, errs)
	case invite && s.cfg.Mail:
		s.wakeNotifier()
		http.Redirect(w, r, "/admin/users/?msg=invited", http.StatusSeeOther)
	case invite:
		if err := s.showLink(w, r, u, nu); err != nil {
			s.adminFail(w, r, u, err)
		}
	default:
		http.Redirect(w, r, "/admin/users/?msg=user", http.StatusSeeOther)
	}
}

// loadUser reads the user {id} of the request.
func (s *Server) loadUser(r *http.Request) (*account.User, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.store.User(r.Context(), id)
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, u *account.User, status int, x *account.User, f userForm, errs map[string]string) {
	ctx := r.Context()
	authors, err := s.store.Authors(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	sessions, err := s.store.Sessions(ctx, x.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &userPage{adminLayout: s.adminLayout(r, u, "User: "+x.Name), Form: f, Errors: errs, Roles: account.Roles,
		Authors: authors, Sessions: sessions, Self: x.ID == u.ID, Mail: s.cfg.Mail, NoPassword: x.PasswordHash == ""}
	if len(errs) > 0 {
		p.Error = "The user was not saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_user", p)
}

// handleUser serves GET /admin/users/{id}/.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request, u *account.User) {
	x, err := s.loadUser(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := userForm{ID: x.ID, Email: x.Email, Name: x.Name, Role: string(x.Role), Author: itoa64(x.AuthorID)}
	s.showUser(w, r, u, http.StatusOK, x, f, nil)
}

// handleSaveUser serves POST /admin/users/{id}/. A new password ends the user's sessions; the
// last administrator cannot lose the role; a new email is told to the previous address and to
// the new one.
func (s *Server) handleSaveUser(w http.ResponseWriter, r *http.Request, u *account.User) {
	x, err := s.loadUser(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	f := readUserForm(r)
	f.ID = x.ID
	oldRole, oldEmail := x.Role, x.Email
	x.Email, x.Name, x.Role = f.Email, f.Name, account.Role(f.Role)
	password := r.PostForm.Get("password")
	errs := userErrors(x, password, r.PostForm.Get("password2"))
	if x.AuthorID, err = s.byline(ctx, f.Author, errs); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if !account.KeepsAdministrator(users, x.ID, x.Role) {
		errs["role"] = "The newsroom needs an administrator: make someone else one first."
	}
	if len(errs) == 0 && password != "" {
		if x.PasswordHash, err = s.cfg.Passwords.Hash(ctx, password); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	if len(errs) == 0 {
		err = s.store.InTx(ctx, func(tx store.Store) error {
			if err := tx.UpdateUser(ctx, x); err != nil {
				return err
			}
			if x.Role != oldRole {
				if err := s.queueStaffMail(ctx, tx, x.Email, store.StaffRole, string(x.Role)); err != nil {
					return err
				}
			}
			if x.Email != oldEmail {
				// Both addresses hear of it: the previous one in case the change was not theirs.
				for _, kind := range []string{store.StaffEmailOld, store.StaffEmailNew} {
					if err := s.queueStaffMail(ctx, tx, x.Email, kind, oldEmail); err != nil {
						return err
					}
				}
			}
			if password == "" {
				return nil
			}
			if err := tx.SignOutEverywhere(ctx, x.ID); err != nil {
				return err
			}
			return s.queueStaffMail(ctx, tx, x.Email, store.StaffPassword, "")
		})
		if errors.Is(err, store.ErrConflict) {
			errs["email"], err = "Another user has this email.", nil
		}
		if err == nil && len(errs) == 0 {
			s.wakeNotifier()
			if password != "" && x.ID == u.ID {
				err = s.startSession(ctx, w, r, x)
			}
		}
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	if len(errs) > 0 {
		s.showUser(w, r, u, http.StatusUnprocessableEntity, x, f, errs)
		return
	}
	http.Redirect(w, r, "/admin/users/?msg=user", http.StatusSeeOther)
}

// handleDeleteUser serves POST /admin/users/{id}/delete. The stories and bylines stay; the
// login goes, with its sessions and tokens.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, u *account.User) {
	x, err := s.loadUser(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	ctx := r.Context()
	users, err := s.store.Users(ctx)
	if err == nil && !account.KeepsAdministrator(users, x.ID, "") {
		err = badRequest("The newsroom needs an administrator: make someone else one before removing " + x.Name + ".")
	}
	if err == nil {
		err = s.store.DeleteUser(ctx, x.ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/users/?msg=deleted", http.StatusSeeOther)
}

// handleEndUserSessions serves POST /admin/users/{id}/logout: the user is signed out everywhere
// and their API tokens are revoked.
func (s *Server) handleEndUserSessions(w http.ResponseWriter, r *http.Request, u *account.User) {
	x, err := s.loadUser(r)
	if err == nil {
		err = s.store.SignOutEverywhere(r.Context(), x.ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+itoa64(x.ID)+"/?msg=everywhere", http.StatusSeeOther)
}
