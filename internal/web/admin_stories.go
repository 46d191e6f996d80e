package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

// storiesPage lists stories with filters.
type storiesPage struct {
	adminLayout
	Stories  []storyRow
	Total    int
	Pager    pager
	Status   string
	Section  string
	Author   string
	Text     string
	Statuses []article.Status
	Sections []article.Section
	Authors  []article.Author
	OwnOnly  bool // the user sees only their own stories
}

// storyRow is one story of the list.
type storyRow struct {
	*article.Article
	Edit string
	URL  string // public address, when live
}

const adminPageSize = 25

// handleStories serves GET /admin/stories/: every story, newest first, filtered by status,
// section, byline and words of the headline. Authors and contributors see their own.
func (s *Server) handleStories(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	q := r.URL.Query()
	page, err := pageParam(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p := &storiesPage{adminLayout: s.adminLayout(r, u, "Stories"), Status: q.Get("status"), Section: q.Get("section"),
		Author: q.Get("author"), Text: strings.TrimSpace(q.Get("q")),
		Statuses: []article.Status{article.Draft, article.Pending, article.Scheduled, article.Published, article.Unpublished}}
	aq := store.ArticleQuery{Text: truncate(p.Text, 200), Limit: adminPageSize, Offset: (page - 1) * adminPageSize}
	if st := article.Status(p.Status); st.Valid() {
		aq.Status = st
	} else {
		p.Status = ""
	}
	aq.SectionID, _ = strconv.ParseInt(p.Section, 10, 64)
	aq.AuthorID, _ = strconv.ParseInt(p.Author, 10, 64)
	if !account.Can(u, account.ViewStory, &article.Article{}) {
		// Whoever may not open every story lists their own.
		p.OwnOnly, aq.AuthorID = true, u.AuthorID
		if u.AuthorID == 0 {
			aq.AuthorID = -1
		}
	}
	if p.Sections, err = s.store.Sections(ctx); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if p.Authors, err = s.store.Authors(ctx); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	list, total, err := s.store.ListArticles(ctx, aq)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	p.Total = total
	now := s.now()
	for _, a := range list {
		row := storyRow{Article: a, Edit: "/admin/stories/" + itoa64(a.ID) + "/"}
		if a.Live(now) {
			row.URL = s.permalink(a)
		}
		p.Stories = append(p.Stories, row)
	}
	filters := url.Values{}
	for k, v := range map[string]string{"status": p.Status, "section": p.Section, "author": p.Author, "q": p.Text} {
		if v != "" {
			filters.Set(k, v)
		}
	}
	p.Pager = adminPager("/admin/stories/", filters, page, total)
	s.adminPage(w, r, http.StatusOK, "admin_stories", p)
}

// adminPager is the pager of an admin list at path with its filters.
func adminPager(path string, filters url.Values, page, total int) pager {
	pages := max(1, (total+adminPageSize-1)/adminPageSize)
	p := pager{Page: page, Pages: pages}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range filters {
			v[k] = vs
		}
		if n > 1 {
			v.Set("page", itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}
