package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
)

// adminPageNames lists every admin page template. Each is parsed with admin_layout.html, the
// newsroom's own frame, and none with the public site's.
var adminPageNames = []string{"admin_login", "admin_setup", "admin_password", "admin_lost", "admin_link", "admin_dashboard", "admin_stories", "admin_editor",
	"admin_revisions", "admin_revision", "admin_terms", "admin_media", "admin_media_item", "admin_users", "admin_user", "admin_profile",
	"admin_settings", "admin_front", "admin_identity", "admin_error", "admin_comments", "admin_comment", "admin_comment_bans", "admin_comment_privacy"}

// parseAdmin parses the admin pages into v.
func (v *views) parseAdmin(funcs template.FuncMap) error {
	for _, name := range adminPageNames {
		t, err := template.New(name+".html").Funcs(funcs).Funcs(adminFuncs()).
			ParseFS(templateFiles, "templates/"+name+".html", "templates/admin_layout.html")
		if err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return nil
}

// adminFuncs are the template functions only admin pages use.
func adminFuncs() template.FuncMap {
	return template.FuncMap{
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"plural": plural,
		"pinArgs": func(row pinRow, stories []storyOption, errs map[string]string, label, until string) pinArgs {
			return pinArgs{Row: row, Stories: stories, Errors: errs, Label: label, UntilLabel: until}
		},
	}
}

// pinArgs is what the front page editor's "pin" template shows.
type pinArgs struct {
	Row               pinRow
	Stories           []storyOption
	Errors            map[string]string
	Label, UntilLabel string
}

// adminLayout is what every admin page's frame shows.
type adminLayout struct {
	SiteTitle string
	Title     string
	User      *account.User // nil on the sign-in and setup pages
	Nav       []adminNav
	Flash     string // the outcome of the last action ("Story saved.")
	Error     string // a page-wide problem
}

type adminNav struct {
	URL, Label string
	Current    bool
	Badge      int // a count beside the label: the comments awaiting moderation
}

// adminLayout fills the frame: the navigation shows only what u may use.
func (s *Server) adminLayout(r *http.Request, u *account.User, title string) adminLayout {
	l := adminLayout{SiteTitle: s.cfg.Title, Title: title, User: u, Flash: flash(r.URL.Query().Get("msg"))}
	if u == nil {
		return l
	}
	items := []struct {
		url, label string
		act        account.Action
	}{
		{"/admin/", "Dashboard", account.ViewAdmin},
		{"/admin/stories/", "Stories", account.CreateStory},
		{"/admin/stories/new", "New story", account.CreateStory},
		{"/admin/comments/", "Comments", account.ModerateComments},
		{"/admin/media/", "Media", account.CreateStory},
		{"/admin/sections/", "Sections", account.ManageTaxonomy},
		{"/admin/tags/", "Tags", account.ManageTaxonomy},
		{"/admin/authors/", "Bylines", account.ManageTaxonomy},
		{"/admin/front/", "Front page", account.ManageTaxonomy},
		{"/admin/identity/", "Site identity", account.ManageSettings},
		{"/admin/users/", "Users", account.ManageUsers},
		{"/admin/settings/", "Settings", account.ManageSettings},
	}
	for _, it := range items {
		if !account.Can(u, it.act, nil) || !s.hasAdminPage(it.url) {
			continue
		}
		cur := r.URL.Path == it.url || (it.url != "/admin/" && it.url != "/admin/stories/" && strings.HasPrefix(r.URL.Path, it.url))
		if it.url == "/admin/stories/" {
			cur = strings.HasPrefix(r.URL.Path, it.url) && r.URL.Path != "/admin/stories/new"
		}
		nav := adminNav{URL: it.url, Label: it.label, Current: cur}
		if it.act == account.ModerateComments {
			nav.Badge = s.pendingCount(r.Context())
		}
		l.Nav = append(l.Nav, nav)
	}
	return l
}

// hasAdminPage reports whether routes.go serves the admin page at path, so that the navigation
// shows a section (comment moderation) only once it exists.
func (s *Server) hasAdminPage(path string) bool {
	_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}})
	return strings.HasPrefix(pattern, "GET /admin/")
}

// flash is the message an action's redirect shows, by the ?msg= key it carries; a key, not the
// text, travels in the URL so that nobody can make the admin show words of their choosing.
func flash(key string) string {
	switch key {
	case "signed-out":
		return "You are signed out."
	case "signed-out-everywhere":
		return "You are signed out everywhere, and your API tokens are revoked."
	case "saved":
		return "Saved."
	case "created":
		return "Story created as a draft."
	case "published":
		return "Published. Readers can see it now."
	case "scheduled":
		return "Scheduled. It will be published at the time you chose."
	case "unpublished":
		return "Unpublished. Readers no longer see it."
	case "submitted":
		return "Submitted for review. An editor will take it from here."
	case "restored":
		return "Revision restored and saved."
	case "related":
		return "Related stories saved. The list below updates within a few seconds."
	case "deleted":
		return "Deleted."
	case "uploaded":
		return "Added to the library."
	case "revoked":
		return "Token revoked."
	case "password-set":
		return "Your password is set, and you are signed in. Every other browser signed in as you was signed out."
	case "invited":
		return "User added. They have been emailed an invitation to choose their password."
	case "link-sent":
		return "They have been emailed a link to choose their password."
	case "everywhere":
		return "Signed out everywhere; their API tokens are revoked."
	case "settings":
		return "Settings saved. The site uses them now."
	case "front":
		return "Front page saved. Readers see it now."
	case "identity":
		return "Site identity saved. Readers see it now."
	case "menu":
		return "Menu saved."
	case "user":
		return "User saved."
	case "password":
		return "Password changed. Your other sessions have ended and your API tokens are revoked."
	}
	return ""
}

// adminPage renders an admin page. Admin pages are never cached: they show private, changing
// work.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	body, err := s.views.render(name, data)
	if err != nil {
		s.log.ErrorContext(r.Context(), "admin page failed", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// adminErrorPage is an admin page for a request that went wrong.
type adminErrorPage struct {
	adminLayout
	Code    int
	Message string
	Back    string // where to go from here
}

// adminFail answers an admin request that went wrong, as fail does for the public site, with
// the newsroom's frame. A body too large to accept says that the text is not lost.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, u *account.User, err error) {
	code, msg := statusOf(err)
	if code == 499 {
		return
	}
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	p := &adminErrorPage{adminLayout: s.adminLayout(r, u, http.StatusText(code)), Code: code, Message: msg, Back: "/admin/"}
	if code == http.StatusRequestEntityTooLarge {
		p.Message = "What you sent is larger than the newsroom accepts (a story's text may be up to 2 MB). " +
			"Nothing was saved, and your text is not lost: go back to the editor, where your browser has kept it, and shorten it."
		if isEditorPath(r.URL.Path) {
			p.Back = r.URL.Path
		}
		w.Header().Set("Connection", "close")
	}
	if u == nil {
		p.Back = "/admin/login"
	}
	s.adminPage(w, r, code, "admin_error", p)
}

// maxFormBytes bounds an admin form: a story's 2 MB body percent-encodes to at most three times
// its size, with room for the other fields.
const maxFormBytes = 7 << 20

// parseForm reads a form's body, refusing one larger than maxFormBytes.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if err := parseLimitedForm(w, r, maxFormBytes); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return err
		}
		return badRequest("The form could not be read.")
	}
	return nil
}

// isEditorPath reports whether path is where the story editor posts.
func isEditorPath(path string) bool {
	if path == "/admin/stories/new" {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/admin/stories/")
	id, ok2 := strings.CutSuffix(rest, "/")
	return ok && ok2 && id != "" && strings.Trim(id, "0123456789") == ""
}

// crossOriginDenied answers a state-changing request another site's page sent.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	const msg = "This request came from another website and was refused, to protect your account. " +
		"Go back, reload the page and try again."
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.apiError(w, r, apiErr{status: http.StatusForbidden, msg: msg})
	case strings.HasPrefix(r.URL.Path, "/admin/"):
		p := &adminErrorPage{adminLayout: s.adminLayout(r, nil, "Refused"), Code: http.StatusForbidden, Message: msg, Back: "/admin/"}
		s.adminPage(w, r, http.StatusForbidden, "admin_error", p)
	default:
		s.errorPage(w, r, http.StatusForbidden, msg)
	}
}
