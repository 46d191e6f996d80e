package importer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
)

// TestSiteInAFolder imports a site that lived at /blog: its old URLs are kept under the folder
// (or under the one --old-base-url names), two logins that make the same slug stay two
// bylines, a display name loses its markup, and the summary warns that the site kept another
// time zone.
func TestSiteInAFolder(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	sums := importFiles(t, st, options(), "folder.xml")
	first := "/2020/02/04/first-post/" // 21:00 at UTC−5 is the next day in UTC
	tests := []struct{ from, to string }{
		{"/blog/2020/02/03/first-post/", first},
		{"/blog/2020/02/03/first-post/feed/", first + "feed/"},
		{"/blog/?p=21", first},
		{"/blog/first-post/", first},
		{"/blog/wp-json/wp/v2/posts/21", first},
		{"/blog/?p=22", "/2020/02/05/second-post/"},
		{"/blog/category/news/", "/section/news/"},
		{"/blog/?cat=7", "/section/news/"},
		{"/blog/tag/unused/", ""}, // 410 Gone
		{"/blog/?tag=unused", ""},
		{"/blog/?author=1", "/author/jane/"},
		{"/blog/author/jane./", "/author/jane-2/"},
		{"/blog/", "/"},
		{"/blog", "/"},
		{"/blog/feed/rss2/", "/feed/"},
	}
	for _, tc := range tests {
		got, err := st.Redirect(t.Context(), tc.from)
		if err != nil || got != tc.to {
			t.Errorf("Redirect(%q) = %q, %v; want %q", tc.from, got, err, tc.to)
		}
	}
	for _, p := range []string{"/?p=21", "/first-post/"} {
		if _, err := st.Redirect(t.Context(), p); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Redirect(%q) = %v; want none: the site was never at the root", p, err)
		}
	}
	for slug, want := range map[string]string{"first-post": "Jane Doe", "second-post": "Jane Dot"} {
		if a := bySlug(t, st, slug); len(a.Authors) != 1 || a.Authors[0].Name != want {
			t.Errorf("%s: bylines %+v, want one, %q", slug, a.Authors, want)
		}
	}
	if len(sums[0].Warnings) != 1 || !strings.Contains(sums[0].Warnings[0], "2 stories are dated UTC−05:00") {
		t.Errorf("warnings = %q, want one about the site's time zone", sums[0].Warnings)
	}

	moved := newStore(t)
	opt := options()
	opt.OldBaseURL = "https://folder.example/news/"
	importFiles(t, moved, opt, "folder.xml")
	for p, want := range map[string]string{"/news/?p=21": first, "/news/2020/02/03/first-post/": first, "/news/": "/"} {
		if got, err := moved.Redirect(t.Context(), p); err != nil || got != want {
			t.Errorf("with --old-base-url, Redirect(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
	if _, err := moved.Redirect(t.Context(), "/blog/?p=21"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("with --old-base-url, Redirect(/blog/?p=21) = %v; want none", err)
	}
}
