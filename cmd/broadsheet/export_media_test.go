package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

// picturedSite is a running site with three library pictures: harbour, the featured image of
// one story and shown in another's body at a smaller size; chart, a PNG in a body; and spare,
// which no story shows.
type picturedSite struct {
	m                      *Main
	harbour, chart, spare  *media.Item
	featured, inBody, page *article.Article
}

func newPicturedSite(t *testing.T) *picturedSite {
	t.Helper()
	m, _ := startMainWith(t, func(c *Config) { c.Demo = false })
	ctx := t.Context()
	add := func(name string, data []byte, up media.Upload) *media.Item {
		t.Helper()
		up.Name, up.Data = name, data
		it, _, err := m.Media.Add(ctx, m.Store, up)
		if err != nil {
			t.Fatalf("adding %s: %v", name, err)
		}
		return it
	}
	var jpg, pic, other bytes.Buffer
	g := image.NewRGBA(image.Rect(0, 0, 1400, 900))
	for x := range 1400 {
		g.Set(x, x%900, color.RGBA{200, 40, 40, 255})
	}
	jpeg.Encode(&jpg, g, nil)
	// A comment, as cameras and editors leave: the library strips it, so the picture's stored
	// bytes (and the hash the next site gives them) differ from those uploaded here.
	note := "Shot on a phone at 38.7N 9.1W"
	withNote := append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, byte(len(note) + 2)}, note...)
	harbourJPEG := append(withNote, jpg.Bytes()[2:]...)
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 700, 400)))
	jpeg.Encode(&other, image.NewGray(image.Rect(0, 0, 500, 500)), nil)
	s := &picturedSite{m: m}
	s.harbour = add("Harbour at Dawn.JPG", harbourJPEG, media.Upload{Alt: "Trawlers tied up at the north pier", Caption: "The harbour on the strike's first morning.",
		Credit: "Ana Lima", Description: "Taken from the north pier at 6 a.m.\n\nThe trawlers belong to the co-operative.", FocusX: 0.3, FocusY: 0.6})
	s.chart = add("turnout.png", pic.Bytes(), media.Upload{Alt: "Turnout by ward, 2019 to 2024", Credit: "Data desk"})
	s.spare = add("spare.jpg", other.Bytes(), media.Upload{Caption: "Not used yet", Description: "Kept for the archive."})

	story := func(slug, title, body string, change func(*article.Article)) *article.Article {
		t.Helper()
		a := &article.Article{Kind: article.Story, Slug: slug, Title: title, Body: body, Status: article.Published,
			PublishedAt: time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC), CommentsOpen: true}
		if change != nil {
			change(a)
		}
		if err := m.Renderer.Prepare(a); err != nil {
			t.Fatal(err)
		}
		if err := m.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	s.featured = story("strike-begins", "Strike begins at the harbour", "The dockers walked out at dawn.", func(a *article.Article) {
		a.ImageURL, a.ImageAlt = s.harbour.URL(), "Dockers' boats at the pier"
	})
	s.inBody = story("turnout", "Turnout rises in every ward",
		"The chart:\n\n![Turnout by ward](/media/"+s.chart.Sizes[0].File+")\n\nAnd the harbour again:\n\n![Boats](/media/"+s.harbour.Fit(640).File+")\n", nil)
	s.page = story("about", "About us", "<img src=\"/media/"+s.harbour.File+"\" alt=\"Our harbour\">", func(a *article.Article) { a.Kind = article.Page })
	return s
}

// siteCLI is cli on the database of m, whichever it is (BROADSHEET_TEST_MAIN_DB=postgres).
func siteCLI(t *testing.T, m *Main, args ...string) (int, string, string) {
	t.Helper()
	if m.Config.DB != "" {
		args = append([]string{args[0], "--db", m.Config.DB}, args[1:]...)
	}
	return cli(t, m, args...)
}

// TestExportImportRoundTripWithPictures exports a site with pictures (as WXR, with its
// originals in a folder) and imports the export into an empty site: from the folder, and from
// the old site while it still runs. Each picture arrives once, with its words; the stories show
// it from the new library; a second import adds nothing.
func TestExportImportRoundTripWithPictures(t *testing.T) {
	t.Parallel()
	old := newPicturedSite(t)
	dir := t.TempDir()
	file, pics := filepath.Join(dir, "site.xml"), filepath.Join(dir, "pictures")
	code, out, errOut := siteCLI(t, old.m, "export", "--base-url", old.m.URL(), "--out", file, "--media-dir", pics)
	if code != 0 || !strings.Contains(out, "Copied 3 pictures to "+pics) {
		t.Fatalf("export --media-dir = %d\n%s\n%s", code, out, errOut)
	}
	// The folder holds the originals, byte for byte, and nothing derived.
	var written []string
	filepath.WalkDir(pics, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(pics, p)
			written = append(written, filepath.ToSlash(rel))
		} else if err == nil && d.IsDir() && p != pics && strings.HasPrefix(d.Name(), ".") {
			written = append(written, d.Name()+"/")
		}
		return nil
	})
	want := []string{old.chart.File, old.harbour.File, old.spare.File}
	slices.Sort(want)
	if !slices.Equal(written, want) {
		t.Errorf("--media-dir holds %q, want only the originals %q", written, want)
	}
	for _, it := range []*media.Item{old.harbour, old.chart, old.spare} {
		f, err := old.m.Media.Files.Open(t.Context(), it.File)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(f)
		f.Close()
		if got, _ := os.ReadFile(filepath.Join(pics, filepath.FromSlash(it.File))); !bytes.Equal(got, stored) {
			t.Errorf("%s in --media-dir differs from the library's original", it.File)
		}
	}
	// Again: everything is there already.
	if code, out, _ := siteCLI(t, old.m, "export", "--base-url", old.m.URL(), "--out", file, "--media-dir", pics); code != 0 ||
		!strings.Contains(out, "Copied 0 pictures to "+pics+" (3 were there already)") {
		t.Errorf("second export --media-dir = %d\n%s", code, out)
	}
	checkAttachments(t, old, file)
	lines := filepath.Join(dir, "site.jsonl")
	if code, out, errOut := siteCLI(t, old.m, "export", "--format", "jsonl", "--base-url", old.m.URL(), "--out", lines); code != 0 {
		t.Fatalf("export --format jsonl = %d\n%s\n%s", code, out, errOut)
	}

	// The folder as an archive, under a folder of its own.
	archive := filepath.Join(dir, "pictures.zip")
	zf, _ := os.Create(archive)
	zw := zip.NewWriter(zf)
	for _, name := range written {
		w, _ := zw.Create("site-pictures/" + name)
		data, _ := os.ReadFile(filepath.Join(pics, filepath.FromSlash(name)))
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()

	for how, args := range map[string][]string{
		"media-dir":   {"import", "--media-dir", pics, file},
		"zip":         {"import", "--media-dir", archive, file},
		"fetch-media": {"import", "--fetch-media", file},
		"jsonl":       {"import", "--media-dir", pics, lines},
		"jsonl-fetch": {"import", "--fetch-media", lines},
	} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			fresh, _ := startMainWith(t, func(c *Config) { c.Demo = false })
			code, out, errOut := siteCLI(t, fresh, args...)
			if code != 0 || !strings.Contains(out, "Pictures: 3 read, 0 already in the library, 0 not found; 3 added to the library, 3 stories now show them from it.") {
				t.Fatalf("import %s = %d\n%s\n%s", how, code, out, errOut)
			}
			checkMovedIn(t, old, fresh)
			// A second import moves nothing twice.
			code, out, errOut = siteCLI(t, fresh, args...)
			if code != 0 || !strings.Contains(out, "Pictures: 0 read, 1 already in the library, 0 not found; 0 added to the library") {
				t.Errorf("second import %s = %d\n%s\n%s", how, code, out, errOut)
			}
			checkMovedIn(t, old, fresh)
		})
	}
}

// checkAttachments reads the export as WordPress's importer would: each picture is an
// attachment WordPress can download, with its words, under the story that shows it.
func checkAttachments(t *testing.T, old *picturedSite, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := wxr.NewReader(f)
	attachments := map[string]*wxr.Item{}
	posts := map[string]*wxr.Item{}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := rec.(*wxr.Item); ok && it.PostType == "attachment" {
			attachments[it.AttachmentURL] = it
		} else if ok {
			posts[it.PostName] = it
		}
	}
	if len(attachments) != 3 {
		t.Errorf("%d attachments, want 3 (one a picture)", len(attachments))
	}
	meta := func(it *wxr.Item, key string) string {
		for _, m := range it.Postmeta {
			if m.Key == key {
				return m.Value
			}
		}
		return ""
	}
	h := attachments[old.m.URL()+old.harbour.URL()]
	if h == nil {
		t.Fatalf("no attachment at %s; have %v", old.m.URL()+old.harbour.URL(), attachments)
	}
	wantAttached := old.harbour.CreatedAt.UTC().Format("2006/01/") + "harbour-at-dawn.jpg"
	if h.Status != "inherit" || h.PostParent != old.featured.ID || h.Excerpt != old.harbour.Caption ||
		h.Content != old.harbour.Description || meta(h, "_wp_attachment_image_alt") != old.harbour.Alt ||
		meta(h, "_wp_attached_file") != wantAttached {
		t.Errorf("harbour's attachment = status %q, parent %d, excerpt %q, content %q, alt %q, file %q",
			h.Status, h.PostParent, h.Excerpt, h.Content, meta(h, "_wp_attachment_image_alt"), meta(h, "_wp_attached_file"))
	}
	if c := attachments[old.m.URL()+old.chart.URL()]; c == nil || c.PostParent != old.inBody.ID {
		t.Errorf("chart's attachment = %+v, want it under the story that shows it", c)
	}
	if s := attachments[old.m.URL()+old.spare.URL()]; s == nil || s.PostParent != 0 {
		t.Errorf("spare's attachment = %+v, want it under no story", s)
	}
	if got := meta(posts["strike-begins"], "_thumbnail_id"); got != strconv.FormatInt(h.PostID, 10) {
		t.Errorf("the featured story's _thumbnail_id = %q, want the harbour's attachment %d", got, h.PostID)
	}
	if body := posts["turnout"].Content; !strings.Contains(body, `src="`+old.m.URL()+`/media/`+old.chart.Sizes[0].File+`"`) {
		t.Errorf("the story's content does not name its pictures absolutely, as WordPress needs:\n%s", body)
	}
}

// checkMovedIn compares the new site's library and stories with the old site's.
func checkMovedIn(t *testing.T, old *picturedSite, fresh *Main) {
	t.Helper()
	ctx := t.Context()
	list, n, err := fresh.Store.ListMedia(ctx, store.MediaQuery{})
	if err != nil || n != 3 {
		t.Fatalf("the new library has %d pictures (%v), want 3", n, err)
	}
	byName := map[string]*media.Item{}
	for _, it := range list {
		byName[it.Name] = it
	}
	for _, was := range []*media.Item{old.harbour, old.chart, old.spare} {
		it := byName[was.Name]
		if it == nil {
			t.Errorf("no picture named %q in the new library", was.Name)
			continue
		}
		if it.Alt != was.Alt || it.Caption != was.Caption || it.Credit != was.Credit || it.Description != was.Description ||
			it.FocusX != was.FocusX || it.FocusY != was.FocusY || it.Width != was.Width || it.Height != was.Height || it.Type != was.Type {
			t.Errorf("%s moved in as %+v\nwas %+v", was.Name, it, was)
		}
		if resp, _ := get(t, fresh, it.URL()); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", it.URL(), resp.StatusCode)
		}
	}
	harbour, chart := byName[old.harbour.Name], byName[old.chart.Name]
	if harbour != nil && harbour.Hash == old.harbour.Hash {
		t.Errorf("the harbour kept its hash %s: the test means it to move to another", harbour.Hash)
	}
	if harbour == nil || chart == nil {
		return
	}
	a, err := fresh.Store.ArticleBySlug(ctx, "strike-begins")
	if err != nil {
		t.Fatal(err)
	}
	if a.ImageURL != harbour.URL() || a.ImageAlt != "Dockers' boats at the pier" {
		t.Errorf("featured image = %q (%q), want %q with the story's alt text", a.ImageURL, a.ImageAlt, harbour.URL())
	}
	b, err := fresh.Store.ArticleBySlug(ctx, "turnout")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/media/" + chart.Sizes[0].File, "/media/" + harbour.Fit(640).File} {
		if !strings.Contains(b.Body, want) || !strings.Contains(b.BodyHTML, want) {
			t.Errorf("the body does not show %s:\n%s", want, b.Body)
		}
	}
	if strings.Contains(b.Body, old.m.URL()) {
		t.Errorf("the body still names the old site:\n%s", b.Body)
	}
	p, err := fresh.Store.ArticleBySlug(ctx, "about")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Body, `src="`+harbour.URL()+`"`) {
		t.Errorf("the page's original picture = %q, want the new original %s", p.Body, harbour.URL())
	}
	resp, page := get(t, fresh, b.Path(time.UTC))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `src="/media/`+chart.Hash+`/`) {
		t.Errorf("GET %s = %d; the page shows no picture from the new library", b.Path(time.UTC), resp.StatusCode)
	}
	// The old site's addresses of a picture whose hash changed answer on the new one.
	for from, to := range map[string]string{
		"/media/" + old.harbour.Fit(640).File: "/media/" + harbour.Fit(640).File,
		old.harbour.URL():                     harbour.URL(),
	} {
		if resp, _ := get(t, fresh, from); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != to {
			t.Errorf("GET %s = %d → %q, want 301 to %s", from, resp.StatusCode, resp.Header.Get("Location"), to)
		}
	}
}
