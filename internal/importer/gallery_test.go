package importer_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// TestGalleriesImported: [gallery] and [playlist] become a grid of figures and a list of
// players, with the attachments' alt text and captions, even when the attachments come after
// the post; a page's [gallery] shows its own attachments; a block-editor gallery keeps its
// figures and the grid's classes; none is counted as an unknown shortcode.
func TestGalleriesImported(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	sums := importFiles(t, db, options(), "gallery.xml")
	if n := sums[0].Shortcodes["gallery"] + sums[0].Shortcodes["playlist"]; n != 0 {
		t.Errorf("unknown shortcodes = %v, want no gallery or playlist", sums[0].Shortcodes)
	}
	const up = "https://harbour.example/wp-content/uploads/2019/05/"
	for slug, want := range map[string][]string{
		"strike": {`<figure class="wp-block-gallery gallery columns-2">`, `<img alt="Pickets" src="` + up + `day-one.jpg"`,
			`<figcaption>Pickets at the gate</figcaption>`, `<img alt="Day two" src="` + up + `day-two.jpg"`,
			`<audio controls`, `src="` + up + `statement.mp3"`, `>The union&#39;s statement</a>`},
		"photos": {`<figure class="wp-block-gallery gallery columns-3">`, `<figure><img alt="Pickets" src="` + up + `day-one.jpg"/><figcaption>`},
		"blocks": {`<figure class="wp-block-gallery columns-2">`, `src="` + up + `day-two.jpg"`},
	} {
		a := bySlug(t, db, slug)
		for _, w := range want {
			if !strings.Contains(a.BodyHTML, w) {
				t.Errorf("%s: body lacks %q:\n%s", slug, w, a.BodyHTML)
			}
		}
		if strings.Contains(a.BodyHTML, "[gallery") || strings.Contains(a.BodyHTML, "[playlist") {
			t.Errorf("%s: a shortcode left raw:\n%s", slug, a.BodyHTML)
		}
	}
}

// TestSharedGalleries counts the [gallery] and [playlist] shortcodes of the shared WordPress
// exports' posts and pages, and those left raw in the imported stories: none, where the export
// holds the attachments they show.
func TestSharedGalleries(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(sharedData(t, "wxr"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wpimporter-a11y-unit-test-data.xml", "wptt-themeunittestdata.wordpress.xml", "wptt-64-block-test-data.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			before := 0
			r := wxr.NewReader(f)
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if it, ok := rec.(*wxr.Item); ok && (it.PostType == "post" || it.PostType == "page") {
					before += strings.Count(it.Content, "[gallery") + strings.Count(it.Content, "[playlist")
				}
			}
			db := newStore(t)
			sums := importFiles(t, db, options(), filepath.Join(dir, name))
			list, _, err := db.ListArticles(t.Context(), store.ArticleQuery{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			after, grids := 0, 0
			for _, a := range list {
				after += strings.Count(a.Body, "[gallery") + strings.Count(a.Body, "[playlist")
				grids += strings.Count(a.BodyHTML, `class="wp-block-gallery gallery columns-`)
			}
			t.Logf("%s: %d [gallery]/[playlist] before, %d left raw after, %d galleries shown as grids", name, before, after, grids)
			if after != 0 || sums[0].Shortcodes["gallery"]+sums[0].Shortcodes["playlist"] != 0 {
				t.Errorf("%d left raw (summary: %v), want none: the export holds their attachments", after, sums[0].Shortcodes)
			}
			if before > 0 && grids == 0 {
				t.Errorf("%d galleries before, no grid after", before)
			}
		})
	}
}
