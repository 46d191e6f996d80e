package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// withMedia gives a test site a picture library in a temporary folder.
func withMedia(t testing.TB, maxBytes int64) func(*Config) {
	return func(c *Config) {
		dir, err := media.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c.Media = &media.Library{Files: dir, MaxBytes: maxBytes, Options: media.Options{Widths: []int{320, 640}}}
	}
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	m.Set(1, 1, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// send posts body to the API with content type ct and decodes the answer into out.
func (c *apiClient) send(path, ct string, body []byte, out any) *http.Response {
	t := c.b.n.t
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.b.n.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", ct)
	resp, got := c.b.do(req)
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("POST %s: %v\n%s", path, err, got)
		}
	}
	return resp
}

func multipartBody(t testing.TB, fields map[string]string, fileField, fileName string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestAPIMediaUploadAndServe(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	writer := n.apiToken(n.addUser("Cora Contributor", account.Contributor))
	var item mediaView
	body, ct := multipartBody(t, map[string]string{"alt": "Boats in the harbour", "caption": "Dawn.", "credit": "Ana Lima",
		"description": " Taken from the lighthouse; the fleet's last day. "}, "file", "harbour.jpg", testJPEG(t, 800, 400))
	if resp := writer.send("/api/v1/media", ct, body, &item); resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart upload = %d %+v", resp.StatusCode, item)
	}
	if item.Alt != "Boats in the harbour" || item.Credit != "Ana Lima" || item.Description != "Taken from the lighthouse; the fleet's last day." ||
		item.Width != 800 || len(item.Sizes) != 2 ||
		!strings.Contains(item.SrcSet, "320w") || !strings.HasSuffix(item.URL, "/harbour.jpg") {
		t.Errorf("uploaded item = %+v", item)
	}
	// The same bytes again, raw this time: the item already there.
	var again mediaView
	if resp := writer.send("/api/v1/media?name=copy.jpg", "image/jpeg", testJPEG(t, 800, 400), &again); resp.StatusCode != http.StatusOK || again.ID != item.ID {
		t.Errorf("raw upload of the same bytes = %d, item %d; want 200 and item %d", resp.StatusCode, again.ID, item.ID)
	}

	for _, tc := range []struct {
		name, ct string
		body     []byte
		want     int
	}{
		{"html.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), http.StatusUnprocessableEntity},
		{"empty.jpg", "image/jpeg", nil, http.StatusUnprocessableEntity},
		{"huge.jpg", "image/jpeg", make([]byte, 1<<20+1), http.StatusRequestEntityTooLarge},
	} {
		var e apiErrorAnswer
		if resp := writer.send("/api/v1/media?name="+tc.name, tc.ct, tc.body, &e); resp.StatusCode != tc.want || e.Field != "file" || e.Error == "" {
			t.Errorf("upload %s = %d %+v, want %d with a message", tc.name, resp.StatusCode, e, tc.want)
		}
	}
	// Raw bytes take their words from the query, the description too.
	var raw mediaView
	if resp := writer.send("/api/v1/media?name=quay.jpg&alt=The+quay&description=From+the+ferry%27s+deck", "image/jpeg", testJPEG(t, 300, 200), &raw); resp.StatusCode != http.StatusCreated ||
		raw.Alt != "The quay" || raw.Description != "From the ferry's deck" {
		t.Errorf("raw upload with words = %d %+v", resp.StatusCode, raw)
	}
	if got, err := n.st.MediaByHash(t.Context(), media.HashFromURL(raw.URL)); err != nil || got.Description != "From the ferry's deck" {
		t.Errorf("stored description = %+v, %v", got, err)
	}
	mod := n.apiToken(n.addUser("Mo Moderator", account.Moderator))
	if resp := mod.send("/api/v1/media?name=x.jpg", "image/jpeg", testJPEG(t, 10, 10), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("moderator upload = %d, want 403", resp.StatusCode)
	}

	// Serving: type from the bytes, nosniff, cached for good, ranges, 304.
	path := strings.TrimPrefix(item.URL, n.ts.URL)
	b := n.browser()
	resp, got := b.get(path)
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Cache-Control"), "immutable") || h.Get("ETag") == "" || len(got) == 0 {
		t.Fatalf("GET %s = %d %v", path, resp.StatusCode, h)
	}
	if resp, _ := b.get(path, "If-None-Match", h.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", resp.StatusCode)
	}
	if resp, part := b.get(path, "Range", "bytes=0-9"); resp.StatusCode != http.StatusPartialContent || part != got[:10] {
		t.Errorf("range GET = %d, %d bytes; want 206 and 10", resp.StatusCode, len(part))
	}
	for _, bad := range []string{"/media/../site.db", "/media/%2e%2e/site.db", "/media/" + strings.Repeat("a", 32) + "/none.jpg", "/media/.tmp/x"} {
		if resp, _ := b.get(bad); resp.StatusCode == http.StatusOK || resp.StatusCode >= 500 {
			t.Errorf("GET %s = %d, want no file", bad, resp.StatusCode)
		}
	}
	var list struct {
		Items []mediaView `json:"items"`
		Total int         `json:"total"`
	}
	if writer.call("GET", "/api/v1/media?q=harbour", nil, &list); list.Total != 1 || list.Items[0].ID != item.ID {
		t.Errorf("GET /api/v1/media?q=harbour = %+v", list)
	}
}

// postMultipart sends an editor form with a file as a browser on the site does.
func (b *browser) postMultipart(path string, f url.Values, fileField, fileName string, data []byte) (*http.Response, string) {
	b.n.t.Helper()
	fields := map[string]string{}
	for k := range f {
		fields[k] = f.Get(k)
	}
	body, ct := multipartBody(b.n.t, fields, fileField, fileName, data)
	req, _ := http.NewRequest(http.MethodPost, b.n.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.n.ts.URL)
	return b.do(req)
}

func TestEditorUploadsFeaturedImage(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	b := n.signIn(n.addUser("Ana Author", account.Author))

	// Over the limit: 413, the text kept, nothing saved.
	f := newStoryForm(t, b, "Harbour strike ends", "The dockers return on Monday after six weeks.")
	f.Set("action", "publish")
	f.Set("image_alt", "Dockers at the gate")
	resp, body := b.postMultipart("/admin/stories/new", f, "image_file", "big.jpg", make([]byte, 1<<20+10))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The dockers return on Monday") ||
		!strings.Contains(body, "upload limit") {
		t.Fatalf("oversized picture = %d, want 413 with the text kept\n%.800s", resp.StatusCode, body)
	}
	// A web page named .jpg: 422, the text kept.
	resp, body = b.postMultipart("/admin/stories/new", f, "image_file", "photo.jpg", []byte("<html><body>hi</body></html>"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The dockers return on Monday") {
		t.Fatalf("HTML as a picture = %d, want 422 with the text kept", resp.StatusCode)
	}
	if _, total, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{}); total != 0 {
		t.Fatalf("%d stories saved by refused uploads", total)
	}

	resp, body = b.postMultipart("/admin/stories/new", f, "image_file", "dockers.jpg", testJPEG(t, 1200, 800))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish with a picture = %d\n%.800s", resp.StatusCode, body)
	}
	list, _, _ := n.st.ListArticles(t.Context(), store.ArticleQuery{})
	a := list[0]
	if media.HashFromURL(a.ImageURL) == "" || a.ImageAlt != "Dockers at the gate" {
		t.Fatalf("story image %q alt %q, want a library address and the alt text", a.ImageURL, a.ImageAlt)
	}
	page := n.browser().mustGet(a.Path(time.UTC), http.StatusOK)
	doc := parseHTML(t, page)
	img := findNode(doc, func(x *html.Node) bool { return x.Data == "img" && strings.Contains(attrOf(x, "src"), "/media/") })
	if img == nil {
		t.Fatalf("story page has no library image\n%.2000s", page)
	}
	for k, want := range map[string]string{"alt": "Dockers at the gate", "width": "640", "height": "427", "fetchpriority": "high", "decoding": "async"} {
		if got := attrOf(img, k); got != want {
			t.Errorf("featured <img %s=%q>, want %q", k, got, want)
		}
	}
	if !strings.Contains(attrOf(img, "srcset"), "320w") || attrOf(img, "sizes") == "" || hasAttr(img, "loading") {
		t.Errorf("featured image srcset %q sizes %q loading %q", attrOf(img, "srcset"), attrOf(img, "sizes"), attrOf(img, "loading"))
	}
	if !strings.Contains(page, `property="og:image" content="`+n.ts.URL+"/media/") || !strings.Contains(page, "-social.jpg") {
		t.Error("og:image is not the social card")
	}
	// The front page shows it as the lead.
	home := n.browser().mustGet("/", http.StatusOK)
	if !strings.Contains(home, `class="lead with-image"`) || !strings.Contains(home, `fetchpriority="high"`) {
		t.Errorf("front page lead without its picture")
	}
	// Every file the page names is served.
	for _, u := range strings.Split(attrOf(img, "srcset"), ", ") {
		path := strings.Fields(u)[0]
		if resp, _ := n.browser().get(path); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET %s = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// findNode returns the first node under n, depth first, that ok accepts.
func findNode(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findNode(c, ok); f != nil {
			return f
		}
	}
	return nil
}

func TestAdminMediaLibrary(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	author := n.signIn(n.addUser("Ana Author", account.Author))
	resp, body := author.postMultipart("/admin/media/", url.Values{"alt": {"The mayor"}, "caption": {"At the budget vote."},
		"description": {"Second term."}}, "file", "mayor.jpg", testJPEG(t, 500, 300))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("library upload = %d\n%.600s", resp.StatusCode, body)
	}
	resp, body = author.postMultipart("/admin/media/", nil, "file", "notes.jpg", []byte("just text"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "notes.jpg: That file is not a JPEG") {
		t.Errorf("library upload of text = %d, want 422 naming the file", resp.StatusCode)
	}
	list, _, _ := n.st.ListMedia(t.Context(), store.MediaQuery{})
	if len(list) != 1 {
		t.Fatalf("%d items in the library, want 1", len(list))
	}
	it := list[0]
	if it.Description != "Second term." {
		t.Errorf("the upload form's description was stored as %q", it.Description)
	}
	month := time.Now().UTC().Format("2006-01")
	for q, want := range map[string]bool{"q=MAYOR": true, "q=budget+vote": true, "q=harbour": false,
		"unused=1": true, "month=" + month: true, "month=1999-01": false} {
		page := author.mustGet("/admin/media/?"+q, http.StatusOK)
		if got := strings.Contains(page, `href="/admin/media/`+itoa64(it.ID)+`/"`); got != want {
			t.Errorf("library ?%s lists the picture: %v, want %v", q, got, want)
		}
	}
	// A story shows it: it is no longer unused, and deleting warns.
	a := &article.Article{Kind: article.Story, Slug: "budget", Title: "Budget passes", Body: "Text.", BodyHTML: "<p>Text.</p>",
		Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour), ImageURL: it.URL()}
	if err := n.st.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if page := author.mustGet("/admin/media/?unused=1", http.StatusOK); strings.Contains(page, `/admin/media/`+itoa64(it.ID)+`/"`) {
		t.Error("a picture a story shows is listed as unused")
	}
	page := author.mustGet("/admin/media/"+itoa64(it.ID)+"/", http.StatusOK)
	if !strings.Contains(page, " by Ana Author</dd>") {
		t.Error("the item page does not say who uploaded the picture")
	}
	if !strings.Contains(page, "Budget passes") || strings.Contains(page, "Delete picture") {
		t.Errorf("an author's item page: uses listed %v, delete offered %v", strings.Contains(page, "Budget passes"), strings.Contains(page, "Delete picture"))
	}
	if resp, _ := author.post("/admin/media/"+itoa64(it.ID)+"/delete", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author delete = %d, want 403", resp.StatusCode)
	}
	editor := n.signIn(n.addUser("Eve Editor", account.Editor))
	page = editor.mustGet("/admin/media/"+itoa64(it.ID)+"/", http.StatusOK)
	if !strings.Contains(page, "1 story shows this picture") {
		t.Error("the delete form does not warn that a story shows the picture")
	}
	if resp, _ := editor.post("/admin/media/"+itoa64(it.ID)+"/", url.Values{"alt": {"Mayor Ines Duarte"}, "credit": {"Staff"},
		"description": {" Taken in the council chamber <before> the vote. "}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("save words = %d", resp.StatusCode)
	}
	if got, _ := n.st.MediaItem(t.Context(), it.ID); got.Description != "Taken in the council chamber <before> the vote." {
		t.Errorf("description saved as %q", got.Description)
	}
	page = editor.mustGet("/admin/media/"+itoa64(it.ID)+"/", http.StatusOK)
	if !strings.Contains(page, `name="description" rows="4">Taken in the council chamber &lt;before&gt; the vote.</textarea>`) {
		t.Error("the item page does not show the saved description, escaped, in its field")
	}
	if page := author.mustGet("/admin/media/?q=council+chamber", http.StatusOK); !strings.Contains(page, `href="/admin/media/`+itoa64(it.ID)+`/"`) {
		t.Error("the library's search does not find the picture by its description")
	}
	if page := author.mustGet("/admin/media/?q=STAFF", http.StatusOK); !strings.Contains(page, `href="/admin/media/`+itoa64(it.ID)+`/"`) {
		t.Error("the library's search does not find the picture by its credit")
	}
	story := n.browser().mustGet(a.Path(time.UTC), http.StatusOK)
	if !strings.Contains(story, `alt="Mayor Ines Duarte"`) || !strings.Contains(story, `<span class="credit">Staff</span>`) {
		t.Error("the story page does not show the new words")
	}
	if resp, _ := editor.post("/admin/media/"+itoa64(it.ID)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("editor delete = %d", resp.StatusCode)
	}
	if files, _ := n.srv.cfg.Media.Files.List(t.Context(), ""); len(files) != 0 {
		t.Errorf("%d files left after deletion", len(files))
	}
}

func TestCSPLetsStoriesShowPictures(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{
		"https://news.example.org": "img-src 'self' https: data:; upgrade-insecure-requests;",
		"":                         "img-src 'self' https: http: data:;",
	} {
		n := newNewsroom(t, func(c *Config) {
			if base != "" {
				c.BaseURL = base
			}
		})
		resp, _ := n.browser().get("/")
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, want) {
			t.Errorf("base %q: CSP %q, want %q", base, csp, want)
		}
	}
}

func TestListingsShowPictures(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	ed := n.apiToken(n.addUser("Eve Editor", account.Editor))
	var item mediaView
	ed.send("/api/v1/media?name=port.jpg&alt=The+port", "image/jpeg", testJPEG(t, 900, 600), &item)
	sec := n.addSection("Business")
	for i, img := range []string{item.URL, "", "http://old.example.org/wp-content/uploads/2019/05/crane.jpg"} {
		a := &article.Article{Kind: article.Story, Slug: "port-" + itoa(i), Title: "Port story " + itoa(i), Body: "Port text.",
			BodyHTML: "<p>Port text.</p>", BodyText: "Port text.", Status: article.Published, Section: sec,
			PublishedAt: n.clock.now().Add(-time.Duration(3-i) * time.Hour), ImageURL: strings.TrimPrefix(img, n.ts.URL)}
		if err := n.st.CreateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	b := n.browser()
	for _, path := range []string{"/section/business/", "/search?q=port", "/"} {
		page := b.mustGet(path, http.StatusOK)
		if !strings.Contains(page, `srcset="/media/`+item.URL[len(n.ts.URL)+7:39+len(n.ts.URL)]) {
			t.Errorf("%s: no library picture with a srcset", path)
		}
		if !strings.Contains(page, `src="http://old.example.org/wp-content/uploads/2019/05/crane.jpg"`) {
			t.Errorf("%s: the outside picture is missing", path)
		}
		if strings.Count(page, `loading="lazy"`) < 1 {
			t.Errorf("%s: no lazy picture", path)
		}
	}
}

// TestMediaFocalPointWithoutScript sets a picture's focal point with the two number fields, as
// a browser without JavaScript does: the social card is cut again under a new name, the old one
// goes, the story page (cached before) names the new card and the listing's crop keeps the point
// in view; a point outside the picture is refused with the words kept.
func TestMediaFocalPointWithoutScript(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	ed := n.apiToken(n.addUser("Eve Editor", account.Editor))
	var view mediaView
	ed.send("/api/v1/media?name=port.jpg&alt=The+port", "image/jpeg", testJPEG(t, 900, 600), &view)
	it, err := n.st.MediaByHash(t.Context(), media.HashFromURL(view.URL))
	if err != nil {
		t.Fatal(err)
	}
	sec := n.addSection("Business")
	a := &article.Article{Kind: article.Story, Slug: "port", Title: "Port reopens", Body: "Text.", BodyHTML: "<p>Text.</p>",
		Status: article.Published, Section: sec, PublishedAt: n.clock.now().Add(-time.Hour), ImageURL: it.URL()}
	if err := n.st.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	reader := n.browser()
	if story := reader.mustGet(a.Path(time.UTC), http.StatusOK); !strings.Contains(story, it.SocialURL()) {
		t.Fatalf("the story page does not name the social card %s", it.SocialURL())
	}
	editor := n.signIn(n.addUser("Ed Editor", account.Editor))
	item := "/admin/media/" + itoa64(it.ID) + "/"
	form := formValues(t, editor.mustGet(item, http.StatusOK), item)
	if form.Get("focus_x") != "50" || form.Get("focus_y") != "50" {
		t.Errorf("a new picture's focal point fields = %q, %q; want the centre", form.Get("focus_x"), form.Get("focus_y"))
	}
	form.Set("focus_x", "80")
	form.Set("focus_y", "20")
	if resp, body := editor.post(item, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the focal point = %d\n%.600s", resp.StatusCode, body)
	}
	got, _ := n.st.MediaItem(t.Context(), it.ID)
	if got.FocusX != 0.8 || got.FocusY != 0.2 || got.Social == it.Social {
		t.Fatalf("after saving: focus %v,%v, card %q; want 0.8,0.2 and a new card", got.FocusX, got.FocusY, got.Social)
	}
	files := n.srv.cfg.Media.Files
	if _, err := files.Stat(t.Context(), it.Social); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("the old card is still stored: %v", err)
	}
	if _, err := files.Stat(t.Context(), got.Social); err != nil {
		t.Errorf("the new card is not stored: %v", err)
	}
	if story := reader.mustGet(a.Path(time.UTC), http.StatusOK); !strings.Contains(story, got.SocialURL()) {
		t.Errorf("the cached story page still names the old card, not %s", got.SocialURL())
	}
	if listing := reader.mustGet("/section/business/", http.StatusOK); !strings.Contains(listing, `<img class="fx-80 fy-20" src="/media/`) {
		t.Error("the listing's picture does not keep the focal point in view (class fx-80 fy-20)")
	}
	if page := editor.mustGet(item, http.StatusOK); !strings.Contains(page, `class="focal-marker fx-80 fy-20"`) {
		t.Error("the item page's marker is not at the focal point")
	}
	// The admin crops as the listings do: the library's grid, the editor's featured picture
	// and the picker's list (from the JSON, whose focal point the editor's script turns into the
	// same classes).
	if grid := editor.mustGet("/admin/media/", http.StatusOK); !strings.Contains(grid, `<a href="/admin/media/`+itoa64(it.ID)+`/"><img class="fx-80 fy-20" src="/media/`) {
		t.Error("the library grid's thumbnail does not keep the focal point in view (class fx-80 fy-20)")
	}
	page := editor.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK)
	if !strings.Contains(page, `<figure class="featured-crop"><img class="fx-80 fy-20" src="/media/`) ||
		!strings.Contains(page, `<a href="/admin/media/`+itoa64(it.ID)+`/">Move its focal point</a>`) {
		t.Error("the editor's featured picture is not cropped around the focal point with a way to move it")
	}
	var list struct{ Items []mediaView }
	_, picker := editor.get("/admin/media/?q=port", "Accept", "application/json")
	if err := json.Unmarshal([]byte(picker), &list); err != nil ||
		len(list.Items) != 1 || list.Items[0].FocusX != 0.8 || list.Items[0].FocusY != 0.2 {
		t.Errorf("the picker's JSON = %+v, %v; want the focal point 0.8, 0.2", list.Items, err)
	}

	form.Set("alt", "Cranes at the port")
	form.Set("focus_x", "150")
	resp, body := editor.post(item, form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "two numbers from 0 to 100") ||
		!strings.Contains(body, `value="Cranes at the port"`) || !strings.Contains(body, `value="150"`) {
		t.Errorf("a focal point outside the picture = %d, want 422 with the form as typed\n%.800s", resp.StatusCode, body)
	}
	if again, _ := n.st.MediaItem(t.Context(), it.ID); again.Alt != it.Alt || again.FocusX != 0.8 {
		t.Errorf("a refused save changed the item: %+v", again)
	}
}

// TestLogoPictureIsAUse: the library picture that is the site's logo is listed as used, by the
// logo, and its deletion is refused with a way out (409) until Identity chooses no logo; the
// header logo keeps working meanwhile.
func TestLogoPictureIsAUse(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	identity := func(fields map[string]string, data []byte) {
		t.Helper()
		body, ct := multipartBody(t, fields, "logo_file", "logo.jpg", data)
		req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/identity/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if resp, got := admin.do(req); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the identity answered %d: %v", resp.StatusCode, fieldErrors(t, got))
		}
	}
	identity(nil, testJPEG(t, 800, 200))
	list, _, _ := n.st.ListMedia(t.Context(), store.MediaQuery{})
	if len(list) != 1 {
		t.Fatalf("%d items in the library, want the logo", len(list))
	}
	it := list[0]
	item := "/admin/media/" + itoa64(it.ID) + "/"
	if page := admin.mustGet("/admin/media/?unused=1", http.StatusOK); strings.Contains(page, `href="`+item+`"`) {
		t.Error("the logo is listed as unused")
	}
	page := admin.mustGet(item, http.StatusOK)
	if !strings.Contains(page, "The site's logo") || strings.Contains(page, "Delete picture") {
		t.Errorf("the logo's page names the logo: %v; offers deletion: %v", strings.Contains(page, "The site's logo"), strings.Contains(page, "Delete picture"))
	}
	resp, body := admin.post(item+"delete", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is the site&#39;s logo, so it was not deleted") {
		t.Errorf("deleting the logo = %d, want 409 saying why\n%.600s", resp.StatusCode, body)
	}
	if _, err := n.srv.cfg.Media.Files.Stat(t.Context(), it.File); err != nil {
		t.Errorf("a refused deletion removed the logo's file: %v", err)
	}
	logo := n.srv.settings().Logo
	if r, _ := n.browser().get(logo.Src); r.StatusCode != http.StatusOK {
		t.Errorf("the header logo %s answers %d after the refused deletion", logo.Src, r.StatusCode)
	}

	identity(map[string]string{"remove_logo": "1"}, nil)
	if resp, _ := admin.post(item+"delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deleting the former logo = %d, want 303", resp.StatusCode)
	}
	if _, err := n.st.MediaItem(t.Context(), it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the former logo is still in the library: %v", err)
	}
}

// TestMediaLibraryMonths: the library's month filter offers every month that has pictures, as
// far back as an imported archive goes, and only those; a month asked for by address is shown
// as chosen, and a month that is no month filters nothing rather than failing.
func TestMediaLibraryMonths(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	lib := n.srv.cfg.Media
	old, _, err := lib.Add(t.Context(), n.st, media.Upload{Name: "flood.jpg", Data: testJPEG(t, 300, 200),
		CreatedAt: time.Date(2019, 5, 10, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.Add(t.Context(), n.st, media.Upload{Name: "today.jpg", Data: testJPEG(t, 200, 300)}); err != nil {
		t.Fatal(err)
	}
	author := n.signIn(n.addUser("Ana Author", account.Author))
	page := author.mustGet("/admin/media/", http.StatusOK)
	now := time.Now().UTC()
	for _, want := range []string{`<option value="2019-05">May 2019</option>`, `<option value="` + now.Format("2006-01") + `">` + now.Format("January 2006") + `</option>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the month filter lacks %s", want)
		}
	}
	if strings.Contains(page, `value="2019-06"`) || strings.Contains(page, `value="`+now.AddDate(0, -1, 1-now.Day()).Format("2006-01")+`"`) {
		t.Error("the month filter offers a month without pictures")
	}
	if page := author.mustGet("/admin/media/?month=2019-05", http.StatusOK); !strings.Contains(page, `href="/admin/media/`+itoa64(old.ID)+`/"`) ||
		strings.Contains(page, "today.jpg") || !strings.Contains(page, `<option value="2019-05" selected>`) {
		t.Error("?month=2019-05 does not list the picture of May 2019 alone, with its month chosen")
	}
	if page := author.mustGet("/admin/media/?month=2018-02", http.StatusOK); !strings.Contains(page, `<option value="2018-02" selected>February 2018</option>`) ||
		!strings.Contains(page, "No pictures match") {
		t.Error("?month=2018-02 (no pictures) is not shown as chosen, with nothing found")
	}
	if page := author.mustGet("/admin/media/?month=2026-13", http.StatusOK); !strings.Contains(page, "flood.jpg") || !strings.Contains(page, "today.jpg") {
		t.Error("?month=2026-13 does not list the whole library")
	}
}

// TestEditorFeaturedAlt: a featured library picture left without words of the story's own is
// described to readers by the library's alt text, and the editor says so instead of warning;
// it warns when neither has any.
func TestEditorFeaturedAlt(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	lib := n.srv.cfg.Media
	described, _, err := lib.Add(t.Context(), n.st, media.Upload{Name: "port.jpg", Data: testJPEG(t, 300, 200), Alt: "Cranes at the port"})
	if err != nil {
		t.Fatal(err)
	}
	bare, _, err := lib.Add(t.Context(), n.st, media.Upload{Name: "bare.jpg", Data: testJPEG(t, 200, 300)})
	if err != nil {
		t.Fatal(err)
	}
	editor := n.signIn(n.addUser("Eve Editor", account.Editor))
	const warning = "This image has no description"
	for i, tc := range []struct {
		it   *media.Item
		hint string
	}{
		{described, "Left empty, readers hear the library's description: “Cranes at the port”."},
		{bare, warning},
	} {
		a := &article.Article{Kind: article.Story, Slug: "port-" + itoa(i), Title: "Port " + itoa(i), Body: "Text.", BodyHTML: "<p>Text.</p>",
			Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour), ImageURL: tc.it.URL()}
		if err := n.st.CreateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		page := editor.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK)
		if !strings.Contains(page, tc.hint) || tc.it.Alt != "" && strings.Contains(page, warning) {
			t.Errorf("%s: the editor does not say %q alone", tc.it.Name, tc.hint)
		}
		story := n.browser().mustGet(a.Path(time.UTC), http.StatusOK)
		if tc.it.Alt != "" && !strings.Contains(story, `alt="`+tc.it.Alt+`"`) {
			t.Errorf("%s: readers do not get the library's alt text", tc.it.Name)
		}
	}
}
