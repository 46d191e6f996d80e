package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/broadsheet/broadsheet/internal/media"
)

func TestMediaCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		env := func(k string) string {
			return map[string]string{"BROADSHEET_DATA": dir, "BROADSHEET_BASE_URL": "https://news.example.org"}[k]
		}
		err := mediaCmd(t.Context(), args, &stdout, &stderr, env)
		return stdout.String(), stderr.String(), err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 700, 300)), nil); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "Harbour Strike.JPG")
	fake := filepath.Join(t.TempDir(), "page.jpg")
	os.WriteFile(good, buf.Bytes(), 0o644)
	os.WriteFile(fake, []byte("<!doctype html><p>not a picture"), 0o644)

	out, errOut, err := run("add", "--alt", "Dockers at the gate", "--credit", "Ana Lima", "--description", "Shot from the harbour master's roof", good, fake)
	if err == nil || !strings.Contains(err.Error(), "1 of 2") {
		t.Errorf("media add with a bad file = %v, want it counted", err)
	}
	if !strings.Contains(errOut, "page.jpg: not a JPEG") {
		t.Errorf("stderr = %q, want the bad file named with the reason", errOut)
	}
	url := strings.TrimSpace(out)
	if !strings.HasPrefix(url, "https://news.example.org/media/") || !strings.HasSuffix(url, "/harbour-strike.jpg") {
		t.Fatalf("media add printed %q, want the new URL", out)
	}
	file := filepath.Join(dir, "media", filepath.FromSlash(strings.TrimPrefix(url, "https://news.example.org/media/")))
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the printed URL's file is not in DATA/media: %v", err)
	}
	out, _, err = run("list", "--unused")
	if err != nil || !strings.Contains(out, url) || !strings.Contains(out, "700×300") || !strings.Contains(out, "Dockers at the gate") {
		t.Errorf("media list = %q, %v", out, err)
	}
	// The description is kept: the library's search finds the picture by it.
	out, _, err = run("list", "--q", "harbour master")
	if err != nil || !strings.Contains(out, url) || !strings.HasSuffix(out, "\n1 picture\n") {
		t.Errorf("media list --q 'harbour master' = %q, %v; want the picture found by its description", out, err)
	}
	if _, _, err := run("add"); err == nil {
		t.Error("media add without files succeeded")
	}
}

// TestImportMovesPicturesIn imports the WordPress site with a copy of its uploads folder: the
// story's picture comes from the library and the old address answers 301.
func TestImportMovesPicturesIn(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	uploads := t.TempDir()
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 600, 400)), nil)
	os.WriteFile(filepath.Join(uploads, "crowd.jpg"), buf.Bytes(), 0o644)
	code, out, errOut := cli(t, m, "import", "--media-dir", uploads, importData("site.xml"))
	if code != 0 || !strings.Contains(out, "Pictures: 1 read, 0 already in the library, 0 not found; 1 added to the library, 1 stories now show them") {
		t.Fatalf("import --media-dir = %d\n%s\n%s", code, out, errOut)
	}
	resp, _ := get(t, m, "/wp-content/uploads/crowd.jpg")
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusMovedPermanently || !strings.Contains(to, "/media/") {
		t.Fatalf("old picture address = %d → %q, want 301 to the library", resp.StatusCode, to)
	}
	if resp, _ := get(t, m, to); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("GET %s = %d %s", to, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	_, page := get(t, m, "/2024/05/01/election-night/")
	if strings.Contains(page, "old.example/wp-content") || !strings.Contains(page, `src="/media/`) {
		t.Errorf("the story still shows the old address or no library picture")
	}
}

// TestImportPicturesFromAZip imports the WordPress site with a .zip of its uploads folder.
func TestImportPicturesFromAZip(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 600, 400)), nil)
	archive := filepath.Join(t.TempDir(), "uploads.zip")
	f, _ := os.Create(archive)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("wp-content/uploads/crowd.jpg")
	w.Write(buf.Bytes())
	zw.Close()
	f.Close()
	code, out, errOut := cli(t, m, "import", "--media-dir", archive, importData("site.xml"))
	if code != 0 || !strings.Contains(out, "1 added to the library, 1 stories now show them") {
		t.Fatalf("import --media-dir uploads.zip = %d\n%s\n%s", code, out, errOut)
	}
	if resp, _ := get(t, m, "/wp-content/uploads/crowd.jpg"); resp.StatusCode != http.StatusMovedPermanently {
		t.Errorf("old picture address = %d, want 301", resp.StatusCode)
	}
}

// TestMediaS3: with --media s3://… the command line puts pictures in the bucket, not DATA/media,
// and the site serves them from there, ranges included; with --media-public-url it redirects
// there, except for a picture's old address from before an import, which answers its 301.
func TestMediaS3(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("news"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(s3.Close)
	bucket := "s3://news/courier?insecure=1&endpoint=" + strings.TrimPrefix(s3.URL, "http://")
	dir := t.TempDir()
	vars := map[string]string{"BROADSHEET_DATA": dir, "BROADSHEET_MEDIA": bucket, "AWS_ACCESS_KEY_ID": "courier", "AWS_SECRET_ACCESS_KEY": "secret"}
	env := func(k string) string { return vars[k] }
	var buf, stdout, stderr bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 700, 300)), nil)
	pic := filepath.Join(t.TempDir(), "quay.jpg")
	os.WriteFile(pic, buf.Bytes(), 0o644)
	if err := mediaCmd(t.Context(), []string{"add", "--alt", "The quay", pic}, &stdout, &stderr, env); err != nil {
		t.Fatalf("media add --media s3://… = %v\n%s", err, stderr.String())
	}
	path := strings.TrimPrefix(strings.TrimSpace(stdout.String()), "http://localhost:8080")
	if _, err := os.Stat(filepath.Join(dir, "media")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("with --media s3://… DATA/media exists (%v)", err)
	}
	files, err := media.NewS3(t.Context(), bucket, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := files.Stat(t.Context(), strings.TrimPrefix(path, "/media/")); err != nil {
		t.Fatalf("%s is not in the bucket: %v", path, err)
	}

	m, _ := startMainWith(t, func(c *Config) {
		c.Data, c.Media, c.env, c.Demo = dir, bucket, env, false
	})
	resp, body := get(t, m, path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || body != buf.String() {
		t.Errorf("GET %s = %d %s, %d bytes; want the JPEG's %d", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), buf.Len())
	}
	resp, body = get(t, m, path, "Range", "bytes=2-5")
	if resp.StatusCode != http.StatusPartialContent || body != buf.String()[2:6] {
		t.Errorf("GET %s bytes=2-5 = %d, %q", path, resp.StatusCode, body)
	}

	// With the bucket's public address, the site redirects and the bucket answers.
	pub, _ := startMainWith(t, func(c *Config) {
		c.Data, c.Media, c.env, c.Demo = dir, bucket, env, false
		c.MediaPublicURL = s3.URL + "/news/courier/"
	})
	resp, _ = get(t, pub, path)
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || to != s3.URL+"/news/courier/"+strings.TrimPrefix(path, "/media/") {
		t.Fatalf("GET %s with --media-public-url = %d → %q", path, resp.StatusCode, to)
	}
	// An address the picture had on another site before an import gave it a new hash still
	// answers its 301, not a redirect into the bucket, where no such file is.
	old := "/media/" + strings.Repeat("ab", 16) + "/quay.jpg"
	if err := pub.Store.AddRedirect(t.Context(), old, path); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, pub, old)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(loc, path) {
		t.Errorf("GET %s (an old address) with --media-public-url = %d → %q, want 301 to %s", old, resp.StatusCode, loc, path)
	}
	if resp, _ := get(t, pub, path); resp.StatusCode != http.StatusFound {
		t.Errorf("GET %s after the old address = %d, want 302 to the bucket still", path, resp.StatusCode)
	}
	direct, err := http.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Body.Close()
	got, _ := io.ReadAll(direct.Body)
	if direct.StatusCode != http.StatusOK || direct.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("the bucket answers %s with %d %s, %d bytes", to, direct.StatusCode, direct.Header.Get("Content-Type"), len(got))
	}

	cfg := DefaultConfig()
	cfg.Data, cfg.MediaPublicURL = t.TempDir(), "https://cdn.example.org/courier"
	if _, err := cfg.library(t.Context(), nil); err == nil || !strings.Contains(err.Error(), "--media s3://") {
		t.Errorf("--media-public-url without --media = %v, want it refused", err)
	}

	vars["BROADSHEET_MEDIA"] = "ftp://news/courier"
	if err := mediaCmd(t.Context(), []string{"list"}, &stdout, &stderr, env); err == nil || !strings.Contains(err.Error(), "s3://") {
		t.Errorf("media list --media ftp://… = %v, want the expected form named", err)
	}
}

// TestImportAttachmentPages imports attachments with a copy of the uploads folder: every old
// form of an attachment's page answers 301 to its picture in the library; a picture that was
// not in the folder answers 410 Gone; an attachment's slug that a post also had leads to the
// post.
func TestImportAttachmentPages(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	uploads := t.TempDir()
	os.MkdirAll(filepath.Join(uploads, "2019", "05"), 0o755)
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 300)), nil)
	os.WriteFile(filepath.Join(uploads, "2019", "05", "harbour.jpg"), buf.Bytes(), 0o644)
	if code, out, errOut := cli(t, m, "import", "--media-dir", uploads, importData("attachments.xml")); code != 0 {
		t.Fatalf("import --media-dir = %d\n%s\n%s", code, out, errOut)
	}
	picture := ""
	for _, p := range []string{"/?attachment_id=31", "/?p=31", "/?page_id=31", "/wp-json/wp/v2/media/31",
		"/2019/05/02/strike/harbour-at-dawn/", "/harbour-at-dawn/", "/wp-content/uploads/2019/05/harbour.jpg"} {
		resp, _ := get(t, m, p)
		to := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(to, "/media/") || !strings.HasSuffix(to, "/harbour.jpg") {
			t.Errorf("GET %s = %d → %q, want 301 to the picture in the library", p, resp.StatusCode, to)
			continue
		}
		if picture == "" {
			picture = to
			if resp, _ := get(t, m, to); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("GET %s = %d %s, want the picture", to, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		} else if to != picture {
			t.Errorf("GET %s → %q, want %q as the other forms", p, to, picture)
		}
	}
	for _, p := range []string{"/?attachment_id=32", "/?p=32", "/gone/", "/?attachment_id=33"} {
		if resp, _ := get(t, m, p); resp.StatusCode != http.StatusGone {
			t.Errorf("GET %s = %d, want 410 Gone (its picture was not in the folder)", p, resp.StatusCode)
		}
	}
	if a := follow(m.Server, "/strike/"); a.Code != http.StatusOK || !strings.Contains(a.Chain, "/2019/05/02/strike/") {
		t.Errorf("GET /strike/ = %d via %s, want the post", a.Code, a.Chain)
	}
}
