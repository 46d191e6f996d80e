package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// term is a section, tag or byline as the admin edits it.
type term struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Text  string `json:"text,omitempty"` // a section's description, a byline's biography
	Count int    `json:"stories"`
	URL   string `json:"url"` // its public archive
}

// termKind is what differs between sections, tags and bylines; one set of handlers serves all.
type termKind struct {
	Key       string // "sections", "tags", "authors"
	Plural    string // "Sections"
	Singular  string // "section"
	TextLabel string // the label of Text, "" when the kind has none
	public    string // the public archive's path prefix
	save      func(ctx context.Context, t *term) error
	del       func(ctx context.Context, id int64) error
}

// termKind returns the kind named key ("sections", "tags" or "authors").
func (s *Server) termKind(key string) (termKind, bool) {
	switch key {
	case "sections":
		return termKind{Key: key, Plural: "Sections", Singular: "section", TextLabel: "Description", public: "/section/",
			save: func(ctx context.Context, t *term) error {
				x := article.Section{ID: t.ID, Name: t.Name, Slug: t.Slug, Description: t.Text}
				err := s.store.SaveSection(ctx, &x)
				t.ID = x.ID
				return err
			}, del: s.store.DeleteSection}, true
	case "tags":
		return termKind{Key: key, Plural: "Tags", Singular: "tag", public: "/tag/",
			save: func(ctx context.Context, t *term) error {
				x := article.Tag{ID: t.ID, Name: t.Name, Slug: t.Slug}
				err := s.store.SaveTag(ctx, &x)
				t.ID = x.ID
				return err
			}, del: s.store.DeleteTag}, true
	case "authors":
		return termKind{Key: key, Plural: "Bylines", Singular: "byline", TextLabel: "Biography", public: "/author/",
			save: func(ctx context.Context, t *term) error {
				x := article.Author{ID: t.ID, Name: t.Name, Slug: t.Slug, Bio: t.Text}
				err := s.store.SaveAuthor(ctx, &x)
				t.ID = x.ID
				return err
			}, del: s.store.DeleteAuthor}, true
	}
	return termKind{}, false
}

// terms lists the kind's terms with their story counts, by name.
func (s *Server) terms(ctx context.Context, k termKind) ([]term, error) {
	secCounts, tagCounts, authorCounts, err := s.store.TaxonomyCounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []term
	switch k.Key {
	case "sections":
		list, err := s.store.Sections(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			out = append(out, term{ID: x.ID, Name: x.Name, Slug: x.Slug, Text: x.Description, Count: secCounts[x.ID]})
		}
	case "tags":
		list, err := s.store.Tags(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			out = append(out, term{ID: x.ID, Name: x.Name, Slug: x.Slug, Count: tagCounts[x.ID]})
		}
	case "authors":
		list, err := s.store.Authors(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			out = append(out, term{ID: x.ID, Name: x.Name, Slug: x.Slug, Text: x.Bio, Count: authorCounts[x.ID]})
		}
	}
	for i := range out {
		out[i].URL = k.public + out[i].Slug + "/"
	}
	return out, nil
}

// termsPage lists a kind's terms, with the form to add one or edit one.
type termsPage struct {
	adminLayout
	Kind   termKind
	Terms  []term
	Form   term // the term being added or edited
	Errors map[string]string
	Edit   bool
}

// kindOf is the term kind of an admin URL (/admin/{kind}/…).
func (s *Server) kindOf(r *http.Request) termKind {
	key, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/admin/"), "/")
	k, _ := s.termKind(key)
	return k
}

// showTerms renders the list of r's kind with form, at status.
func (s *Server) showTerms(w http.ResponseWriter, r *http.Request, u *account.User, status int, form term, errs map[string]string) {
	k := s.kindOf(r)
	list, err := s.terms(r.Context(), k)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	title := k.Plural
	if form.ID != 0 {
		title = "Edit " + k.Singular + ": " + form.Name
	}
	p := &termsPage{adminLayout: s.adminLayout(r, u, title), Kind: k, Terms: list, Form: form, Errors: errs, Edit: form.ID != 0}
	if len(errs) > 0 {
		p.Error = "Nothing was saved: please correct the fields marked below."
	}
	s.adminPage(w, r, status, "admin_terms", p)
}

// handleTerms serves GET /admin/sections/, /admin/tags/ and /admin/authors/.
func (s *Server) handleTerms(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.showTerms(w, r, u, http.StatusOK, term{}, nil)
}

// findTerm returns the term {id} of the request, of kind k.
func (s *Server) findTerm(r *http.Request, k termKind) (term, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return term{}, store.ErrNotFound
	}
	list, err := s.terms(r.Context(), k)
	if err != nil {
		return term{}, err
	}
	i := slices.IndexFunc(list, func(t term) bool { return t.ID == id })
	if i < 0 {
		return term{}, store.ErrNotFound
	}
	return list[i], nil
}

// handleTerm serves GET /admin/{kind}/{id}/: the form to edit one term.
func (s *Server) handleTerm(w http.ResponseWriter, r *http.Request, u *account.User) {
	t, err := s.findTerm(r, s.kindOf(r))
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.showTerms(w, r, u, http.StatusOK, t, nil)
}

// handleSaveTerm serves POST /admin/{kind}/ (a new term) and POST /admin/{kind}/{id}/.
func (s *Server) handleSaveTerm(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := s.parseForm(w, r); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	k := s.kindOf(r)
	var t term
	if r.PathValue("id") != "" {
		var err error
		if t, err = s.findTerm(r, k); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	t.Name, t.Slug, t.Text = r.PostForm.Get("name"), r.PostForm.Get("slug"), r.PostForm.Get("text")
	errs, err := s.saveTerm(r.Context(), k, &t)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(errs) > 0 {
		s.showTerms(w, r, u, http.StatusUnprocessableEntity, t, errs)
		return
	}
	http.Redirect(w, r, "/admin/"+k.Key+"/?msg=saved", http.StatusSeeOther)
}

// saveTerm validates and stores t, answering messages by field, or the store's error.
func (s *Server) saveTerm(ctx context.Context, k termKind, t *term) (map[string]string, error) {
	errs := map[string]string{}
	t.Name, t.Slug, t.Text = strings.Join(strings.Fields(t.Name), " "), strings.TrimSpace(t.Slug), strings.TrimSpace(t.Text)
	switch {
	case t.Name == "":
		errs["name"] = "Enter a name."
	case utf8.RuneCountInString(t.Name) > 100 || !utf8.ValidString(t.Name):
		errs["name"] = "Use a name of at most 100 characters."
	}
	if t.Slug == "" {
		t.Slug = article.Slugify(t.Name)
	}
	if !article.ValidSlug(t.Slug) {
		errs["slug"] = "Use lower-case letters, digits and single hyphens."
	}
	if utf8.RuneCountInString(t.Text) > 5000 || !utf8.ValidString(t.Text) {
		errs["text"] = "Use at most 5,000 characters."
	}
	if len(errs) > 0 {
		return errs, nil
	}
	if err := k.save(ctx, t); errors.Is(err, store.ErrConflict) {
		errs["slug"] = "Another " + k.Singular + " has this slug. Choose another."
	} else if err != nil {
		return nil, err
	}
	return errs, nil
}

// handleDeleteTerm serves POST /admin/{kind}/{id}/delete. Stories keep their text; they lose
// the section, tag or byline.
func (s *Server) handleDeleteTerm(w http.ResponseWriter, r *http.Request, u *account.User) {
	k := s.kindOf(r)
	t, err := s.findTerm(r, k)
	if err == nil {
		err = k.del(r.Context(), t.ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/admin/"+k.Key+"/?msg=deleted", http.StatusSeeOther)
}

// handleTagSuggest serves GET /admin/tags/suggest?q=: up to ten tag names for the editor's
// suggestions, those starting with the words typed first, then those containing them.
func (s *Server) handleTagSuggest(w http.ResponseWriter, r *http.Request, u *account.User) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	tags, err := s.store.Tags(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := []string{}
	if q != "" {
		for _, pass := range []func(string) bool{
			func(n string) bool { return strings.HasPrefix(n, q) },
			func(n string) bool { return !strings.HasPrefix(n, q) && strings.Contains(n, q) },
		} {
			for _, t := range tags {
				if len(out) < 10 && pass(strings.ToLower(t.Name)) {
					out = append(out, t.Name)
				}
			}
		}
	}
	s.writeJSON(w, http.StatusOK, out)
}
