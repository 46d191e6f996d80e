package importer_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

func TestImportMediaFromUploads(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files, _ := media.NewDir(t.TempDir())
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320, 640}}}

	// A copy of wp-content/uploads with one original; the site's bodies use a resized copy.
	uploads := t.TempDir()
	os.MkdirAll(filepath.Join(uploads, "2019", "05"), 0o755)
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 900, 600)), nil)
	os.WriteFile(filepath.Join(uploads, "2019", "05", "harbour.jpg"), buf.Bytes(), 0o644)

	const old = "http://old.example.org/wp-content/uploads/2019/05/"
	a := &article.Article{Kind: article.Story, Slug: "strike", Title: "Strike ends", Status: article.Published,
		PublishedAt: time.Date(2019, 5, 2, 9, 0, 0, 0, time.UTC), ImageURL: old + "harbour.jpg",
		Body:     `<img src="` + old + `harbour-300x200.jpg" alt="Boats"> and ![gone](` + old + `gone.jpg)`,
		BodyHTML: `<p><img src="` + old + `harbour-300x200.jpg" alt="Boats"> and <img src="` + old + `gone.jpg" alt="gone"></p>`}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	sum, err := importer.ImportMedia(ctx, db, lib, importer.Folder{Dir: uploads}, importer.MediaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Fetched != 1 || sum.Added != 1 || sum.Stories != 1 || len(sum.Missing[old+"gone.jpg"]) != 1 {
		t.Errorf("summary = %+v, want 1 read, 1 added, 1 story, gone.jpg missing in it", sum)
	}
	var out strings.Builder
	sum.WriteTo(&out)
	if !strings.Contains(out.String(), old+"gone.jpg: not in the uploads folder") || !strings.Contains(out.String(), "(in Strike ends)") {
		t.Errorf("printed summary lacks the missing picture with its story:\n%s", out.String())
	}
	got, _ := db.Article(ctx, a.ID)
	hash := media.HashFromURL(got.ImageURL)
	if hash == "" || strings.Contains(got.BodyHTML, "harbour-300x200") || !strings.Contains(got.BodyHTML, "/media/"+hash+"/harbour-320.jpg") ||
		!strings.Contains(got.Body, "/media/"+hash+"/harbour-320.jpg") || !strings.Contains(got.BodyHTML, old+"gone.jpg") {
		t.Errorf("after the move: image %q\nbody %q\nhtml %q", got.ImageURL, got.Body, got.BodyHTML)
	}
	for from, to := range map[string]string{
		"/wp-content/uploads/2019/05/harbour-300x200.jpg": "/media/" + hash + "/harbour-320.jpg",
		"/wp-content/uploads/2019/05/harbour.jpg":         "/media/" + hash + "/harbour.jpg",
	} {
		if got, err := db.Redirect(ctx, from); err != nil || got != to {
			t.Errorf("Redirect(%s) = %q, %v; want %q", from, got, err, to)
		}
	}
	// Again: nothing new.
	again, err := importer.ImportMedia(ctx, db, lib, importer.Folder{Dir: uploads}, importer.MediaOptions{})
	if err != nil || again.Added != 0 || again.Stories != 0 || again.Fetched != 0 {
		t.Errorf("second run = %+v, %v; want nothing read, added or rewritten", again, err)
	}
	if _, n, _ := db.ListMedia(ctx, store.MediaQuery{}); n != 1 {
		t.Errorf("%d library items, want 1", n)
	}
}

// TestAttachmentPages imports a site's attachments and moves one picture in: every old form
// of its page leads to the picture in the library; a picture not in the folder answers 410
// Gone (an empty target); a post's old URL is never taken over by an attachment's, and a
// trashed attachment keeps no page.
func TestAttachmentPages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := newStore(t)
	files, _ := media.NewDir(t.TempDir())
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320}}}
	uploads := t.TempDir()
	os.MkdirAll(filepath.Join(uploads, "2019", "05"), 0o755)
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 300)), nil)
	os.WriteFile(filepath.Join(uploads, "2019", "05", "harbour.jpg"), buf.Bytes(), 0o644)

	harbour := []string{"/?attachment_id=31", "/?p=31", "/?page_id=31", "/wp-json/wp/v2/media/31",
		"/2019/05/02/strike/harbour-at-dawn/", "/harbour-at-dawn/"}
	gone := []string{"/?attachment_id=32", "/?p=32", "/gone/", "/?attachment_id=33", "/?p=33"}
	want := func(stage string, wantHarbour string) {
		t.Helper()
		for _, from := range harbour {
			if got, err := db.Redirect(ctx, from); err != nil || got != wantHarbour {
				t.Errorf("%s: Redirect(%s) = %q, %v; want %q", stage, from, got, err, wantHarbour)
			}
		}
		for _, from := range gone {
			if got, err := db.Redirect(ctx, from); err != nil || got != "" {
				t.Errorf("%s: Redirect(%s) = %q, %v; want \"\" (410 Gone)", stage, from, got, err)
			}
		}
		if got, err := db.Redirect(ctx, "/strike/"); err != nil || got != "/2019/05/02/strike/" {
			t.Errorf("%s: Redirect(/strike/) = %q, %v; want the post's /2019/05/02/strike/", stage, got, err)
		}
		if got, err := db.Redirect(ctx, "/binned/"); err == nil {
			t.Errorf("%s: trashed attachment's page kept, leading to %q", stage, got)
		}
	}

	sums := importFiles(t, db, options(), "attachments.xml")
	want("after the import", "")
	sum, err := importer.ImportMedia(ctx, db, lib, importer.Folder{Dir: uploads}, importer.MediaOptions{Attachments: sums[0].Attachments})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 1 {
		t.Errorf("ImportMedia added %d pictures, want 1 (harbour.jpg, which no story shows)", sum.Added)
	}
	list, _, err := db.ListMedia(ctx, store.MediaQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListMedia = %d items, %v; want 1", len(list), err)
	}
	it := list[0]
	if want := "Taken from the north pier,\nat 6 a.m.\n\nThe trawlers are the co-operative’s.\nPhoto: Ann"; it.Description != want {
		t.Errorf("the picture's description = %q, want the attachment's content as text, line breaks kept as WordPress shows them, %q", it.Description, want)
	}
	if it.Caption != "The harbour on the strike's last morning." || !it.CreatedAt.Equal(time.Date(2019, 5, 2, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("the picture's caption = %q, uploaded %s; want the attachment's excerpt and date", it.Caption, it.CreatedAt)
	}
	picture := it.URL()
	want("after moving pictures in", picture)
	if got, err := db.Redirect(ctx, "/wp-content/uploads/2019/05/harbour.jpg"); err != nil || got != picture {
		t.Errorf("Redirect(old picture) = %q, %v; want %q", got, err, picture)
	}
	// Importing the file again keeps the pages leading to the moved picture, by its old address.
	importFiles(t, db, options(), "attachments.xml")
	want("after a second import", picture)
}
