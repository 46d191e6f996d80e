package web

import (
	"net/http"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/comment"
)

// banForm is a ban as typed.
type banForm struct {
	Kind   string // "email" or "ip"
	Value  string
	Reason string
	Days   string // how long it lasts; "" or "0" for ever
}

// banDuration is one choice of how long a ban lasts.
type banDuration struct {
	Days, Label string
}

// banDurations are the lengths a ban may have.
func banDurations() []banDuration {
	return []banDuration{{"1", "1 day"}, {"7", "1 week"}, {"30", "30 days"}, {"90", "90 days"},
		{"365", "1 year"}, {"0", "For ever"}}
}

// banRow is a ban as the list shows it.
type banRow struct {
	comment.Ban
	Active bool
}

// bansPage lists the bans, with the form to add one.
type bansPage struct {
	adminLayout
	Bans      []banRow
	Form      banForm
	Errors    map[string]string
	Durations []banDuration
}

// handleBans serves GET /admin/comments/bans: every ban, newest first, and the form to add one.
func (s *Server) handleBans(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showBans(w, r, u, http.StatusOK, banForm{Kind: "email", Days: "30"}, nil)
}

func (s *Server) showBans(w http.ResponseWriter, r *http.Request, u *account.User, status int, f banForm, errs map[string]string) {
	bans, err := s.store.Bans(r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &bansPage{adminLayout: s.adminLayout(r, u, "Comment bans"), Form: f, Errors: errs, Durations: banDurations()}
	s.commentFlash(r, &p.adminLayout)
	now := s.now()
	for _, b := range bans {
		p.Bans = append(p.Bans, banRow{Ban: b, Active: b.Active(now)})
	}
	if len(errs) > 0 {
		p.Error = "The ban was not saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_comment_bans", p)
}

// parseBan checks a ban form and returns the ban it asks for, or what is wrong with it.
func parseBan(f banForm, now time.Time) (comment.Ban, map[string]string) {
	errs := map[string]string{}
	b := comment.Ban{Kind: f.Kind, Reason: strings.TrimSpace(f.Reason), CreatedAt: now}
	value := strings.TrimSpace(f.Value)
	switch f.Kind {
	case "email":
		a, err := mail.ParseAddress(value)
		if err != nil || a.Address != value || a.Name != "" || !strings.Contains(value, "@") {
			errs["value"] = "Enter one email address, such as reader@example.org."
		}
		b.Value = account.NormalizeEmail(value)
	case "ip":
		addr, err := netip.ParseAddr(value)
		if err != nil {
			errs["value"] = "Enter one IP address, such as 203.0.113.7 or 2001:db8::1."
		}
		b.Value = addr.Unmap().String()
	default:
		errs["kind"] = "Ban an email address or an IP address."
	}
	if utf8.RuneCountInString(b.Reason) > 200 || !utf8.ValidString(b.Reason) || strings.ContainsAny(b.Reason, "\x00\r\n") {
		errs["reason"] = "Give the reason in at most 200 characters on one line."
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.Days))
	switch {
	case strings.TrimSpace(f.Days) == "":
	case err != nil || days < 0 || days > 3650:
		errs["days"] = "Choose how long the ban lasts."
	case days > 0:
		b.ExpiresAt = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	return b, errs
}

// handleSaveBan serves POST /admin/comments/bans: a new ban, from the bans page or a comment's.
func (s *Server) handleSaveBan(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := r.PostForm
	f := banForm{Kind: v.Get("kind"), Value: v.Get("value"), Reason: v.Get("reason"), Days: v.Get("days")}
	if target := v.Get("target"); target != "" {
		// A comment's page offers its author's address and IP as "email:…" and "ip:…".
		f.Kind, f.Value, _ = strings.Cut(target, ":")
	}
	b, errs := parseBan(f, s.now())
	if len(errs) > 0 {
		s.showBans(w, r, u, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err := s.store.SaveBan(r.Context(), &b); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	back := localPath(v.Get("return"))
	if back == "/admin/" {
		back = "/admin/comments/bans"
	}
	http.Redirect(w, r, withQuery(back, "msg", "ban"), http.StatusSeeOther)
}

// handleDeleteBan serves POST /admin/comments/bans/{id}/delete: the ban is lifted.
func (s *Server) handleDeleteBan(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.adminFail(w, r, u, badRequest("There is no such ban."))
		return
	}
	if err := s.store.DeleteBan(r.Context(), id); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/comments/bans?msg=unban", http.StatusSeeOther)
}
