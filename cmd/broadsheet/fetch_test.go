package main

import (
	"bytes"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// oldWordPress serves a WordPress site's uploads over real HTTP and writes its export, which
// names the server as the site's address: an attachment with its alt text and caption, a story
// showing a resized copy of it by a relative address (without alt text), and a picture the old
// site no longer has.
func oldWordPress(t *testing.T) (export string, asked *atomic.Int32) {
	t.Helper()
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 800, 500)), nil)
	asked = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path == "/wp-content/uploads/2019/05/harbour.jpg" {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(buf.Bytes())
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	site := srv.URL
	xml := `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Harbour News</title>
	<link>` + site + `</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>` + site + `</wp:base_site_url>
	<wp:base_blog_url>` + site + `</wp:base_blog_url>
	<item>
		<title>Harbour at dawn</title>
		<link>` + site + `/2019/05/02/strike/harbour-at-dawn/</link>
		<excerpt:encoded><![CDATA[The <em>harbour</em> at dawn]]></excerpt:encoded>
		<wp:post_id>31</wp:post_id>
		<wp:post_name>harbour-at-dawn</wp:post_name>
		<wp:status>inherit</wp:status>
		<wp:post_type>attachment</wp:post_type>
		<wp:attachment_url>` + site + `/wp-content/uploads/2019/05/harbour.jpg</wp:attachment_url>
		<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[Fishing boats moored at dawn]]></wp:meta_value></wp:postmeta>
	</item>
	<item>
		<title>Strike ends</title>
		<link>` + site + `/2019/05/02/strike/</link>
		<content:encoded><![CDATA[The strike is over.

<img src="/wp-content/uploads/2019/05/harbour-300x200.jpg" width="300" height="200" />

<img src="` + site + `/wp-content/uploads/2019/05/lost.jpg" alt="Lost" />]]></content:encoded>
		<wp:post_id>30</wp:post_id>
		<wp:post_date>2019-05-02 09:00:00</wp:post_date>
		<wp:post_date_gmt>2019-05-02 09:00:00</wp:post_date_gmt>
		<wp:post_name>strike</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
		<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>31</wp:meta_value></wp:postmeta>
	</item>
</channel>
</rss>
`
	export = filepath.Join(t.TempDir(), "site.xml")
	if err := os.WriteFile(export, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	return export, asked
}

// TestImportFetchesPictures imports a WordPress site with --fetch-media from the old site over
// HTTP: the story shows the picture from the library, with the attachment's alt text; the old
// addresses answer 301 as with --media-dir; the missing picture is in the summary with its
// story; a second run fetches nothing it has.
func TestImportFetchesPictures(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	export, asked := oldWordPress(t)
	code, out, errOut := cli(t, m, "import", "--fetch-media", "--fetch-workers", "2", export)
	if code != 0 {
		t.Fatalf("import --fetch-media = %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Pictures: 1 read, 0 already in the library, 1 not found; 1 added to the library, 1 stories now show them",
		"/wp-content/uploads/2019/05/lost.jpg: the old site answered 404 Not Found (in Strike ends)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "pictures 2/2: 1 read, 0 already in the library, 1 not found") {
		t.Errorf("progress = %q, want the final count", errOut)
	}
	for _, old := range []string{"/wp-content/uploads/2019/05/harbour.jpg", "/wp-content/uploads/2019/05/harbour-300x200.jpg", "/?attachment_id=31"} {
		resp, _ := get(t, m, old)
		to := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(to, "/media/") {
			t.Errorf("GET %s = %d → %q, want 301 to the library", old, resp.StatusCode, to)
			continue
		}
		if resp, _ := get(t, m, to); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET %s = %d %s, want the picture", to, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	_, page := get(t, m, "/2019/05/02/strike/")
	if strings.Contains(page, "harbour-300x200") || !strings.Contains(page, `alt="Fishing boats moored at dawn"`) {
		t.Errorf("the story shows the old address, or the picture without its attachment's alt text:\n%s", page)
	}
	var list, listErr bytes.Buffer
	if code := run(t.Context(), []string{"media", "list", "--data", m.Config.Data}, &list, &listErr, func(string) string { return "" }); code != 0 ||
		!strings.Contains(list.String(), "Fishing boats moored at dawn") {
		t.Errorf("media list = %d\n%s%s\nwant the attachment's alt text", code, list.String(), listErr.String())
	}

	before := asked.Load()
	code, out, errOut = cli(t, m, "import", "--fetch-media", export)
	if code != 0 || !strings.Contains(out, "Pictures: 0 read, 1 already in the library, 1 not found") {
		t.Errorf("second import --fetch-media = %d\n%s\n%s", code, out, errOut)
	}
	if n := asked.Load() - before; n != 1 {
		t.Errorf("the second run asked the old site %d times, want 1 (only the missing picture)", n)
	}
}

// TestFailedImportFetchesNothing: an import that fails fetches no picture and leaves no data
// directory behind.
func TestFailedImportFetchesNothing(t *testing.T) {
	t.Parallel()
	export, asked := oldWordPress(t)
	broken, _ := os.ReadFile(export)
	os.WriteFile(export, bytes.Replace(broken, []byte("</channel>"), []byte("<item><title>&bogus;</title></item></channel>"), 1), 0o644)
	data := filepath.Join(t.TempDir(), "new-site")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"import", "--data", data, "--fetch-media", export}, &stdout, &stderr, func(string) string { return "" })
	if code == 0 || !strings.Contains(stderr.String(), "Nothing was imported") {
		t.Errorf("broken import = %d\n%s", code, stderr.String())
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the failed import asked the old site %d times, want 0", n)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the failed import left %s behind: %v", data, err)
	}
}
