package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// wordpressKeys are the query parameters of WordPress's plain links that an import keeps
// (/?p=123, /blog/?cat=4): looked up with the path they came with.
var wordpressKeys = [...]string{"p", "page_id", "cat", "tag", "author", "attachment_id", "feed"}

// plainLink answers a WordPress plain link: a kept one redirects (or answers 410 Gone), ?s=
// leads to the search, ?m=YYYYMM[DD] to the date archive and ?paged=N to the page of the
// listing. It answers nil for a request that is none of these. Plain links are answered
// before the page cache, whose keys ignore these parameters.
func (s *Server) plainLink(r *http.Request) (*response, error) {
	if r.URL.RawQuery == "" {
		return nil, nil
	}
	q := r.URL.Query()
	for _, k := range wordpressKeys {
		if v := q.Get(k); v != "" {
			to, err := s.store.Redirect(r.Context(), r.URL.Path+"?"+k+"="+url.QueryEscape(v))
			if err == nil {
				return s.kept(r, to)
			}
			if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
	}
	if !q.Has("s") && !q.Has("m") && !q.Has("paged") || !s.isFront(r) {
		return nil, nil
	}
	switch {
	case q.Has("s"):
		return redirectTo("/search?q=" + url.QueryEscape(q.Get("s"))), nil
	case len(q.Get("m")) >= 4 && len(q.Get("m")) <= 8 && digits(q.Get("m")):
		m := q.Get("m")
		to := "/" + m[:4] + "/"
		for i := 4; i+2 <= len(m); i += 2 {
			to += m[i:i+2] + "/"
		}
		return redirectTo(to), nil
	case q.Get("paged") != "" && digits(q.Get("paged")):
		return redirectTo(r.URL.Path + "?page=" + q.Get("paged")), nil
	}
	return nil, nil
}

// answerPlainLink answers r when it is a WordPress plain link, and reports whether it did.
func (s *Server) answerPlainLink(w http.ResponseWriter, r *http.Request) bool {
	resp, err := s.plainLink(r)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case resp != nil:
		resp.write(w, r)
	default:
		return false
	}
	return true
}

// isFront reports whether r asks for the front page, or for the front page of a site an
// import kept under a folder (/blog/ → /).
func (s *Server) isFront(r *http.Request) bool {
	if r.URL.Path == "/" {
		return true
	}
	to, err := s.store.Redirect(r.Context(), r.URL.Path)
	return err == nil && to == "/"
}

// digits reports whether v is made of ASCII digits only.
func digits(v string) bool {
	for i := range len(v) {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return v != ""
}

// pagedPath matches WordPress's pagination of a listing: /category/news/page/2/.
var pagedPath = regexp.MustCompile(`^(.*/)page/([1-9][0-9]{0,5})/$`)

// oldURL answers a path no article or page owns: a redirect when an import kept it (410 Gone
// for what the old site had and is no more), WordPress's /page/N/ of a listing as ?page=N, else
// store.ErrNotFound.
func (s *Server) oldURL(r *http.Request) (*response, error) {
	if resp, err := s.plainLink(r); resp != nil || err != nil {
		return resp, err
	}
	to, err := s.store.Redirect(r.Context(), r.URL.Path)
	if err == nil {
		return s.kept(r, to)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if m := pagedPath.FindStringSubmatch(r.URL.Path); m != nil {
		return s.paged(r, m[1], m[2])
	}
	return s.underFolder(r)
}

// wordpressPerPage is how many posts a WordPress listing shows on a page (its default).
const wordpressPerPage = 10

// paged answers WordPress's page n of a listing (/category/news/page/3/) with the page of the
// listing, here or where it moved, that shows the old page's first story.
func (s *Server) paged(r *http.Request, listing, n string) (*response, error) {
	if to, err := s.store.Redirect(r.Context(), listing); err == nil && to != "" {
		listing = to
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	old, _ := strconv.Atoi(n)
	if page := (old-1)*wordpressPerPage/s.cfg.PageSize + 1; page > 1 {
		return redirectTo(listing + "?page=" + itoa(page)), nil
	}
	return redirectTo(listing), nil
}

// underFolder answers a path under the folder of a site an import kept (its front page leads
// to /) with the same path at the root: /blog/2014/05/ → /2014/05/.
func (s *Server) underFolder(r *http.Request) (*response, error) {
	p := r.URL.Path
	for i, depth := 1, 0; depth < 3; depth++ {
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			break
		}
		i += j + 1
		to, err := s.store.Redirect(r.Context(), p[:i])
		if err == nil && to == "/" && i < len(p) {
			return redirectTo(p[i-1:]), nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return nil, store.ErrNotFound
}

// kept answers an old URL an import kept: a redirect to where it leads, or 410 Gone when it
// leads nowhere (a tag no story had).
func (s *Server) kept(r *http.Request, to string) (*response, error) {
	if to != "" {
		return redirectTo(to, "front"), nil
	}
	p := &errorPage{Layout: s.layout(r, http.StatusText(http.StatusGone)), Code: http.StatusGone,
		Message: "This page of the old site listed nothing, and is gone."}
	p.NoIndex = true
	body, err := s.views.render("error", p)
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusGone, "text/html; charset=utf-8", body), nil
}

// handleDateArchive serves GET /{year}/, /{year}/{month}/ and /{year}/{month}/{day}/: the stories
// published that year, month or day in the newsroom's time zone, as WordPress lists them.
func (s *Server) handleDateArchive(w http.ResponseWriter, r *http.Request) {
	s.showDateArchive(w, r, r.PathValue("year"), r.PathValue("month"), r.PathValue("day"))
}

func (s *Server) showDateArchive(w http.ResponseWriter, r *http.Request, year, month, day string) {
	from, until, name, ok := s.dateRange(year, month, day)
	if !ok {
		s.notFound(w, r)
		return
	}
	if s.answerPlainLink(w, r) {
		return
	}
	page, err := pageParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cached(w, r, func() (*response, error) {
		list, cards, total, err := s.listing(r.Context(), store.ArticleQuery{PublishedFrom: from, PublishedBefore: until}, page)
		if err != nil {
			return nil, err
		}
		p := &archivePage{Layout: s.layout(r, name), Kind: "Archive", Name: name, Stories: cards,
			Pager: s.paginate(r.URL.Path, page, total), FeedURL: "/feed/"}
		if page > 1 {
			p.Canonical = s.abs(r.URL.Path + "?page=" + itoa(page))
		}
		p.NoIndex = len(list) == 0
		return s.page("archive", p, listDeps("front", list))
	})
}

// dateRange reads the parts of a date archive's path: the range of publication times it lists
// and its name ("March 2026"). ok is false for anything but a real year, month or day.
func (s *Server) dateRange(year, month, day string) (from, until time.Time, name string, ok bool) {
	y, err := strconv.Atoi(year)
	if len(year) != 4 || err != nil || y < 1000 {
		return from, until, "", false
	}
	m, d := 1, 1
	if month != "" {
		if m, err = strconv.Atoi(month); len(month) != 2 || err != nil || m < 1 || m > 12 {
			return from, until, "", false
		}
	}
	if day != "" {
		if d, err = strconv.Atoi(day); len(day) != 2 || err != nil || d < 1 || d > 31 {
			return from, until, "", false
		}
	}
	from = time.Date(y, time.Month(m), d, 0, 0, 0, 0, s.cfg.Location)
	switch {
	case day != "":
		if from.Day() != d {
			return from, until, "", false // 31 April
		}
		until, name = from.AddDate(0, 0, 1), from.Format("2 January 2006")
	case month != "":
		until, name = from.AddDate(0, 1, 0), from.Format("January 2006")
	default:
		until, name = from.AddDate(1, 0, 0), year
	}
	return from, until, name, true
}

// yearOrPage is the /{slug}/ route's check for a year archive (/2026/): a page with a
// number for a slug wins.
func yearOrPage(slug string) bool {
	return len(slug) == 4 && digits(slug) && !strings.HasPrefix(slug, "0")
}
