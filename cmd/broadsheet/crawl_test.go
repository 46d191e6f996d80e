package main

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/wxr"
)

// sharedWXR returns the shared WordPress exports, or skips the test when they are absent.
func sharedWXR(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	names, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(names) == 0 {
		t.Skipf("shared exports not found at %s (see shared/data/README.md)", dir)
	}
	return slices.DeleteFunc(names, func(n string) bool { return strings.Contains(n, "malformed") })
}

// oldForms lists every URL an old WordPress site could have answered for what the export
// holds, read from the file alone: each published post's and page's permalink, plain link,
// /slug/, /YYYY/MM/DD/slug/, their feeds and the REST API's address; each category's nested
// path, its feed and ?cat=; each tag's; each author's; the date archives; pagination; search
// and the site's feeds; each attachment's page (?attachment_id=, ?p=, ?page_id=, its permalink
// and /slug/). All are under the site's folder.
func oldForms(t *testing.T, name string) (list []string, attached map[string]bool) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forms := map[string]bool{}
	add := func(p string) {
		if p != "" {
			forms[p] = true
		}
	}
	base := ""
	parents := map[string]string{}
	// posts counts the published posts of the site and of each category: WordPress lists ten
	// to a page, so /page/2/ exists past ten.
	posts, inCategory := 0, map[string]int{}
	// attached are the forms of attachments' pages, counted apart in the figures.
	attached = map[string]bool{}
	var cats []*wxr.Category
	rd := wxr.NewReader(f)
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch rec := rec.(type) {
		case *wxr.Site:
			for _, u := range []string{rec.BaseBlogURL, rec.BaseSiteURL, rec.Link} {
				if strings.TrimSpace(u) != "" {
					if p, err := url.Parse(strings.TrimSpace(u)); err == nil {
						base = strings.TrimRight(p.Path, "/")
					}
					break
				}
			}
			for _, p := range []string{"/", "/feed/", "/feed/rss2/", "/feed/atom/", "/comments/feed/", "/?feed=rss2", "/?s=news"} {
				add(base + p)
			}
		case *wxr.Author:
			add(base + "/author/" + rec.Login + "/")
			add(base + "/author/" + rec.Login + "/feed/")
			if rec.ID != 0 {
				add(base + "/?author=" + strconv.FormatInt(rec.ID, 10))
			}
		case *wxr.Category:
			parents[rec.Nicename] = rec.Parent
			cats = append(cats, rec)
		case *wxr.Tag:
			add(base + "/tag/" + rec.Slug + "/")
			add(base + "/tag/" + rec.Slug + "/feed/")
			add(base + "/?tag=" + rec.Slug)
		case *wxr.Item:
			add := add
			if rec.PostType == "attachment" && rec.Status != "trash" {
				add = func(p string) {
					if p != "" && !forms[p] {
						forms[p], attached[p] = true, true
					}
				}
				// An attachment's page: its plain links, its permalink and its slug.
				if rec.PostID != 0 {
					id := strconv.FormatInt(rec.PostID, 10)
					add(base + "/?attachment_id=" + id)
					add(base + "/?p=" + id)
					add(base + "/?page_id=" + id)
				}
				if u, err := url.Parse(strings.TrimSpace(rec.Link)); err == nil && (u.Path != "" || u.RawQuery != "") {
					add(strings.ReplaceAll(u.Path, "//", "/") + "?"[:min(1, len(u.RawQuery))] + u.RawQuery)
				}
				if slug, err := url.PathUnescape(rec.PostName); err == nil && slug != "" && !strings.Contains(slug, "/") {
					add(base + "/" + slug + "/")
				}
				continue
			}
			if rec.Status != "publish" || (rec.PostType != "post" && rec.PostType != "page") || rec.PostPassword != "" {
				continue
			}
			id := strconv.FormatInt(rec.PostID, 10)
			if rec.PostType == "post" {
				posts++
				for _, c := range rec.Categories {
					if c.Domain == "category" {
						inCategory[c.Nicename]++
					}
				}
			}
			if u, err := url.Parse(strings.TrimSpace(rec.Link)); err == nil && (u.Path != "" || u.RawQuery != "") {
				// A doubled slash (//greek/…, a real export's link) is asked for as the router
				// leaves it: cleaned.
				u.Path = strings.ReplaceAll(u.Path, "//", "/")
				add(u.Path + "?"[:min(1, len(u.RawQuery))] + u.RawQuery)
				if strings.HasSuffix(u.Path, "/") && u.RawQuery == "" {
					add(u.Path + "feed/")
				}
			}
			switch {
			case rec.PostID == 0:
			case rec.PostType == "page":
				add(base + "/?page_id=" + id)
				add(base + "/wp-json/wp/v2/pages/" + id)
			default:
				add(base + "/?p=" + id)
				add(base + "/wp-json/wp/v2/posts/" + id)
			}
			if slug, err := url.PathUnescape(rec.PostName); err == nil && slug != "" && !strings.Contains(slug, "/") {
				add(base + "/" + slug + "/")
				add(base + "/" + slug + "/feed/")
				if rec.PostType == "post" && !rec.PostDate.IsZero() {
					add(base + rec.PostDate.Format("/2006/01/02/") + slug + "/")
					add(base + rec.PostDate.Format("/2006/01/02/") + slug + "/feed/")
				}
			}
			if rec.PostType == "post" && !rec.PostDate.IsZero() {
				add(base + rec.PostDate.Format("/2006/"))
				add(base + rec.PostDate.Format("/2006/01/"))
				add(base + rec.PostDate.Format("/2006/01/02/"))
			}
		}
	}
	if posts > 10 {
		add(base + "/page/2/")
	}
	// A category lists its descendants' posts too.
	listed := map[string]int{}
	for n, count := range inCategory {
		for i := 0; n != "" && i < 10; n, i = parents[n], i+1 {
			listed[n] += count
		}
	}
	for _, c := range cats {
		path := c.Nicename
		for p, i := parents[c.Nicename], 0; p != "" && i < 10; p, i = parents[p], i+1 {
			path = p + "/" + path
		}
		add(base + "/category/" + path + "/")
		add(base + "/category/" + path + "/feed/")
		if listed[c.Nicename] > 10 {
			add(base + "/category/" + path + "/page/2/")
		}
		if c.TermID != 0 {
			add(base + "/?cat=" + strconv.FormatInt(c.TermID, 10))
		}
	}
	for p := range forms {
		list = append(list, p)
	}
	slices.Sort(list)
	return list, attached
}

// TestOldURLCrawl imports each shared WordPress export into a running site and requests every
// URL its old site could have had (oldForms). Each must answer 200, 301 to a page that answers
// 200, or 410 for what the old site listed nothing under (a tag no post used); the figures
// are logged per export.
func TestOldURLCrawl(t *testing.T) {
	t.Parallel()
	for _, name := range sharedWXR(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			m, _ := startMain(t)
			if code, out, errOut := cli(t, m, "import", name); code != 0 {
				t.Fatalf("import = %d\n%s\n%s", code, out, errOut)
			}
			forms, attached := oldForms(t, name)
			var failed []string
			gone, attachedGone, attachedFailed := 0, 0, 0
			for _, p := range forms {
				switch a := follow(m.Server, p); {
				case a.Code == http.StatusGone:
					gone++
					if attached[p] {
						attachedGone++
					}
				case !a.ok():
					failed = append(failed, p+" → "+a.Chain)
					if attached[p] {
						attachedFailed++
					}
				}
			}
			t.Logf("%s: %d old URLs tried, %d answer (%d of them 410 Gone), %d do not; attachment pages: %d tried, %d 410 Gone (no picture moved in), %d do not answer",
				filepath.Base(name), len(forms), len(forms)-len(failed), gone, len(failed), len(attached), attachedGone, attachedFailed)
			for i, f := range failed {
				if i == 20 {
					t.Errorf("… and %d more", len(failed)-i)
					break
				}
				t.Errorf("old URL does not answer: %s", f)
			}
		})
	}
}
