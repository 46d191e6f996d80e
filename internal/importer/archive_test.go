package importer_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/media"
)

// entry is one file of a crafted archive.
type entry struct {
	name, link string // link: a symbolic link's target
	data       []byte
}

// craftedEntries are an uploads archive's good file beside the tricks a hostile one plays: a
// path that climbs out (../), an absolute path, a symbolic link to a system file, and a bomb
// (32 MB of zeros that compress to a few kilobytes).
func craftedEntries(t *testing.T) []entry {
	return []entry{
		{name: "wp-content/", data: nil},
		{name: "wp-content/uploads/2019/05/harbour.jpg", data: jpegOf(t, 900, 600)},
		{name: "wp-content/uploads/../../../2019/05/slip.jpg", data: jpegOf(t, 10, 10)},
		{name: "/2019/05/absolute.jpg", data: jpegOf(t, 10, 10)},
		{name: "wp-content/uploads/2019/05/link.jpg", link: "/etc/passwd"},
		{name: "wp-content/uploads/2019/05/bomb.jpg", data: make([]byte, 32<<20)},
		{name: "wp-content/uploads/2019/05/unused.jpg", data: jpegOf(t, 20, 20)},
	}
}

func writeZip(t *testing.T, entries []entry) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "uploads.zip")
	f, _ := os.Create(name)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		data := e.data
		if e.link != "" {
			h.SetMode(os.ModeSymlink | 0o777)
			data = []byte(e.link)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return name
}

func writeTarGz(t *testing.T, entries []entry) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "uploads.tgz") // the name says nothing: the bytes do
	f, _ := os.Create(name)
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}
		switch {
		case e.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	// A hard link to the good file under a name stories use.
	tw.WriteHeader(&tar.Header{Name: "wp-content/uploads/2019/05/hard.jpg", Typeflag: tar.TypeLink, Linkname: "wp-content/uploads/2019/05/harbour.jpg"})
	tw.Close()
	gz.Close()
	f.Close()
	return name
}

// TestUploadsArchives moves pictures in from a .zip and a .tar.gz of wp-content/uploads with
// every trick a crafted archive plays: only the good file comes in; the others are listed as
// missing with their reasons; nothing is written outside the importer's own temporary folder,
// which is gone after Close.
func TestUploadsArchives(t *testing.T) {
	t.Parallel()
	entries := craftedEntries(t)
	for _, archive := range []string{writeZip(t, entries), writeTarGz(t, entries)} {
		t.Run(filepath.Base(archive), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := newStore(t)
			files, _ := media.NewDir(t.TempDir())
			lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320}}, MaxBytes: 1 << 20}
			const old = "https://old.example/wp-content/uploads/2019/05/"
			var body strings.Builder
			for _, n := range []string{"harbour-300x200.jpg", "slip.jpg", "absolute.jpg", "link.jpg", "bomb.jpg", "hard.jpg"} {
				body.WriteString(`<img src="` + old + n + `"> `)
			}
			a := &article.Article{Kind: article.Story, Slug: "strike", Title: "Strike ends", Status: article.Published,
				PublishedAt: time.Date(2019, 5, 2, 9, 0, 0, 0, time.UTC), Body: body.String(), BodyHTML: body.String()}
			if err := db.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			src, closer, err := importer.OpenUploads(archive, lib.Limit())
			if err != nil {
				t.Fatal(err)
			}
			sum, err := importer.ImportMedia(ctx, db, lib, src, importer.MediaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != 1 || sum.Stories != 1 || len(sum.Missing) != 5 {
				t.Errorf("summary = %+v; want harbour.jpg added, 5 missing", sum)
			}
			for n, reason := range map[string]string{"slip.jpg": "not in the archive", "absolute.jpg": "not in the archive",
				"link.jpg": "not in the archive", "hard.jpg": "not in the archive", "bomb.jpg": "more than 1 MB"} {
				if got := sum.Reasons[old+n]; !strings.Contains(got, reason) {
					t.Errorf("reason for %s = %q, want %q", n, got, reason)
				}
			}
			dir := importer.ArchiveDir(src)
			if copies := importer.ArchiveCopies(src); dir != "" && len(copies) != 1 {
				t.Errorf("the archive's copies = %q, want harbour.jpg's alone", copies)
			}
			if err := closer.Close(); err != nil {
				t.Error(err)
			}
			if _, err := os.Stat(dir); dir != "" && !os.IsNotExist(err) {
				t.Errorf("the temporary folder %s is still there after Close: %v", dir, err)
			}
			got, _ := db.Article(ctx, a.ID)
			if strings.Contains(got.BodyHTML, "harbour-300x200") || !strings.Contains(got.BodyHTML, old+"slip.jpg") {
				t.Errorf("body after the move: %q", got.BodyHTML)
			}
		})
	}
}

// TestOpenUploadsRefuses names what it cannot read.
func TestOpenUploadsRefuses(t *testing.T) {
	t.Parallel()
	text := filepath.Join(t.TempDir(), "uploads.zip")
	os.WriteFile(text, []byte("not an archive"), 0o644)
	truncated := filepath.Join(t.TempDir(), "cut.zip")
	whole, _ := os.ReadFile(writeZip(t, []entry{{name: "a.jpg", data: bytes.Repeat([]byte("x"), 1000)}}))
	os.WriteFile(truncated, whole[:len(whole)/2], 0o644)
	for name, want := range map[string]string{
		filepath.Join(t.TempDir(), "none"): "no such file",
		text:                               "not a folder, a .zip or a .tar.gz",
		truncated:                          "zip: not a valid zip file",
	} {
		if _, _, err := importer.OpenUploads(name, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenUploads(%s) = %v, want %q", filepath.Base(name), err, want)
		}
	}
}

// TestExportsInAnArchive imports a WordPress export and its Disqus comments from inside a .zip
// and a .tar.gz that also hold pictures and an entry that climbs out: the two exports are
// imported in the archive's order; the rest is left out. A gzip-compressed export alone is
// not an archive.
func TestExportsInAnArchive(t *testing.T) {
	t.Parallel()
	site, _ := os.ReadFile(filepath.Join("testdata", "site.xml"))
	disqus, _ := os.ReadFile(filepath.Join("testdata", "disqus.xml"))
	entries := []entry{
		{name: "export/site.xml", data: site},
		{name: "wp-content/uploads/2019/05/harbour.jpg", data: jpegOf(t, 30, 20)},
		{name: "../../disqus-outside.xml", data: disqus},
		{name: "export/disqus.xml", data: disqus},
	}
	for _, archive := range []string{writeZip(t, entries), writeTarGz(t, entries)} {
		t.Run(filepath.Base(archive), func(t *testing.T) {
			t.Parallel()
			files, closer, ok, err := importer.OpenExports(archive)
			if err != nil || !ok {
				t.Fatalf("OpenExports = %v, %v", ok, err)
			}
			defer closer.Close()
			var names []string
			for _, f := range files {
				names = append(names, strings.TrimPrefix(f.Name, archive+"/"))
			}
			if strings.Join(names, " ") != "export/site.xml export/disqus.xml" {
				t.Fatalf("files = %q, want the two exports in order", names)
			}
			db := newStore(t)
			sums, err := importer.Import(t.Context(), db, files, options())
			if err != nil {
				t.Fatal(err)
			}
			if sums[0].Created[importer.KindStory] != 7 || sums[1].Created[importer.KindComment] != 6 {
				t.Errorf("imported %v stories and %v comments, want 7 and 6", sums[0].Created, sums[1].Created)
			}
		})
	}
	gz := filepath.Join(t.TempDir(), "site.xml.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(site)
	zw.Close()
	os.WriteFile(gz, buf.Bytes(), 0o644)
	if _, _, ok, err := importer.OpenExports(gz); ok || err != nil {
		t.Errorf("OpenExports(site.xml.gz) = %v, %v; want not an archive", ok, err)
	}
}
