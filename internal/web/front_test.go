package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
)

// purgeLog records what the site asks shared caches to purge.
type purgeLog struct {
	mu   sync.Mutex
	keys []string
	all  int // purges of everything
}

func (p *purgeLog) purge(keys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if keys == nil {
		p.all++
	}
	p.keys = append(p.keys, keys...)
}

// take returns the keys purged since the last call, and whether everything was purged.
func (p *purgeLog) take() (keys []string, all bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys, all = p.keys, p.all > 0
	p.keys, p.all = nil, 0
	return keys, all
}

// withPurgeLog records the site's purges in p.
func withPurgeLog(p *purgeLog) func(*Config) { return func(c *Config) { c.Purge = p.purge } }

// addStory publishes a story in sec, age before the clock's time.
func (n *newsroom) addStory(title string, sec article.Section, age time.Duration) *article.Article {
	n.t.Helper()
	a := &article.Article{Kind: article.Story, Slug: article.Slugify(title), Title: title, Body: "Words.",
		BodyHTML: "<p>Words.</p>", BodyText: "Words.", Status: article.Published, PublishedAt: n.clock.now().Add(-age),
		Section: sec}
	if err := n.st.CreateArticle(n.t.Context(), a); err != nil {
		n.t.Fatal(err)
	}
	return a
}

// frontLayout reads the front page: the lead's title, the featured titles, the section blocks'
// names in order, and the latest stories' titles.
func frontLayout(t *testing.T, body string) (lead string, featured, blocks, latest []string) {
	t.Helper()
	doc := parseHTML(t, body)
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.Data == "h2" && attrOf(n, "class") == "lead-title":
			lead = textOf(n)
		case n.Data == "section" && attrOf(n, "class") == "front-section":
			for h := range n.Descendants() {
				if h.Data == "h2" && hasAttr(h, "id") {
					blocks = append(blocks, textOf(h))
				}
			}
		case n.Data == "h2" && attrOf(n, "class") == "card-title":
			switch attrOf(n.Parent.Parent, "class") {
			case "featured":
				featured = append(featured, textOf(n))
			case "cards":
				if attrOf(n.Parent.Parent, "aria-label") == "Latest stories" {
					latest = append(latest, textOf(n))
				}
			}
		}
	}
	return strings.TrimSpace(lead), featured, blocks, latest
}

// TestFrontPagePlan: an editor's lead, featured stories and section blocks show on the front
// page in their order; a pin that ends gives way to the automatic order without an edit or a
// restart, and the front page is purged from shared caches when it does.
func TestFrontPagePlan(t *testing.T) {
	t.Parallel()
	var purges purgeLog
	n := newNewsroom(t, withPurgeLog(&purges))
	politics, sport := n.addSection("Politics"), n.addSection("Sport")
	newest := n.addStory("Newest story", politics, time.Hour)
	n.addStory("Second story", sport, 2*time.Hour)
	feature := n.addStory("Feature story", sport, 3*time.Hour)
	pinned := n.addStory("Old but important", politics, 48*time.Hour)
	reader := n.browser()
	lead, _, _, _ := frontLayout(t, reader.mustGet("/", http.StatusOK))
	if lead != newest.Title {
		t.Fatalf("before any plan the lead is %q, want the newest story", lead)
	}

	editor := n.signIn(n.addUser("Eddie Editor", account.Editor))
	until := n.clock.now().Add(90 * time.Minute)
	form := url.Values{"lead": {itoa64(pinned.ID)}, "lead_until": {until.Format("2006-01-02T15:04")},
		"featured1": {itoa64(feature.ID)}, "section" + itoa64(sport.ID): {"1"}, "count" + itoa64(sport.ID): {"1"},
		"section" + itoa64(politics.ID): {"2"}, "count" + itoa64(politics.ID): {"2"}}
	resp, body := editor.post("/admin/front/", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the front page answered %d\n%s", resp.StatusCode, fieldErrors(t, body))
	}
	if keys, all := purges.take(); all || !slices.Contains(keys, "front-page") {
		t.Errorf("saving the plan purged %v (everything: %v), want the front page only", keys, all)
	}
	n.srv.current().expireFront() // the follower's first look: it only notes the time
	page := reader.mustGet("/", http.StatusOK)
	lead, featured, blocks, latest := frontLayout(t, page)
	if lead != pinned.Title {
		t.Errorf("lead = %q, want the pinned %q", lead, pinned.Title)
	}
	if diff := cmp.Diff([]string{feature.Title}, featured); diff != "" {
		t.Errorf("featured (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Sport", "Politics"}, blocks); diff != "" {
		t.Errorf("section blocks (-want +got):\n%s", diff)
	}
	if slices.Contains(latest, pinned.Title) || slices.Contains(latest, feature.Title) {
		t.Errorf("the latest stories repeat a pinned story: %v", latest)
	}
	resp, _ = reader.get("/")
	if keys := resp.Header.Get("Surrogate-Key"); !strings.Contains(keys, "front-page") {
		t.Errorf("the front page's Surrogate-Key %q lacks front-page", keys)
	}

	// The lead's pin ends: the newest story leads again, from the page cache's own clock, and
	// the follower purges the front page from shared caches.
	n.clock.add(91 * time.Minute)
	lead, featured, _, _ = frontLayout(t, reader.mustGet("/", http.StatusOK))
	if lead != newest.Title {
		t.Errorf("after the pin ended the lead is %q, want the newest story %q", lead, newest.Title)
	}
	if diff := cmp.Diff([]string{feature.Title}, featured); diff != "" {
		t.Errorf("featured after the lead's pin ended (-want +got):\n%s", diff)
	}
	n.srv.current().expireFront()
	if keys, _ := purges.take(); !slices.Contains(keys, "front-page") {
		t.Errorf("at the pin's end the site purged %v, want front-page", keys)
	}
	n.srv.current().expireFront()
	if keys, all := purges.take(); len(keys) > 0 || all {
		t.Errorf("a second look purged %v again", keys)
	}
	// The editor's screen says the pin has ended.
	if got := editor.mustGet("/admin/front/", http.StatusOK); !strings.Contains(got, "This pin has ended") {
		t.Error("the front page editor does not say the lead's pin has ended")
	}
}

// TestFrontPageErrors: a time in the past, an unpublished story and a bad count are refused
// with the form as typed.
func TestFrontPageErrors(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	sec := n.addSection("Politics")
	story := n.addStory("A story", sec, time.Hour)
	draft := &article.Article{Kind: article.Story, Slug: "draft", Title: "Draft", Status: article.Draft}
	if err := n.st.CreateArticle(t.Context(), draft); err != nil {
		t.Fatal(err)
	}
	editor := n.signIn(n.addUser("Eddie Editor", account.Editor))
	past := n.clock.now().Add(-time.Hour).Format("2006-01-02T15:04")
	resp, body := editor.post("/admin/front/", url.Values{"lead": {itoa64(story.ID)}, "lead_until": {past},
		"featured1": {itoa64(draft.ID)}, "section" + itoa64(sec.ID): {"1"}, "count" + itoa64(sec.ID): {"99"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad plan answered %d, want 422", resp.StatusCode)
	}
	if got := len(fieldErrors(t, body)); got != 3 {
		t.Errorf("%d field errors, want 3: %v", got, fieldErrors(t, body))
	}
	if v := formValues(t, body, "/admin/front/").Get("lead_until"); v != past {
		t.Errorf("the form came back with lead_until %q, want %q as typed", v, past)
	}
	if p := n.srv.settings().Front; p.Lead.ID != 0 {
		t.Errorf("a refused plan was put in force: %+v", p)
	}
	// A contributor may not arrange the front page.
	contrib := n.signIn(n.addUser("Cora Contributor", account.Contributor))
	if resp, _ := contrib.post("/admin/front/", url.Values{"lead": {itoa64(story.ID)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a contributor's plan answered %d, want 403", resp.StatusCode)
	}
}

// TestBreakingBanner: a breaking story's banner shows across public pages until its time, then
// leaves every page (and shared caches) by itself.
func TestBreakingBanner(t *testing.T) {
	t.Parallel()
	var purges purgeLog
	n := newNewsroom(t, withPurgeLog(&purges))
	sec := n.addSection("News")
	breaking := n.addStory("Harbour wall breached", sec, time.Minute)
	other := n.addStory("Council budget", sec, time.Hour)
	reader := n.browser()
	path := other.Path(time.UTC)
	if strings.Contains(reader.mustGet(path, http.StatusOK), `class="breaking"`) {
		t.Fatal("a banner shows before any story is breaking")
	}
	editor := n.signIn(n.addUser("Eddie Editor", account.Editor))
	until := n.clock.now().Add(30 * time.Minute).Format("2006-01-02T15:04")
	if resp, body := editor.post("/admin/front/", url.Values{"breaking": {itoa64(breaking.ID)}, "breaking_until": {until}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("marking a story breaking answered %d: %v", resp.StatusCode, fieldErrors(t, body))
	}
	if _, all := purges.take(); !all {
		t.Error("a new banner did not purge every page from shared caches")
	}
	n.srv.current().expireFront()
	for _, p := range []string{path, "/", "/section/news/"} {
		resp, body := reader.get(p)
		want := `<a href="` + breaking.Path(time.UTC) + `">` + breaking.Title + `</a>`
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks the banner %s", p, want)
		}
		if keys := resp.Header.Get("Surrogate-Key"); !strings.Contains(" "+keys+" ", " breaking ") {
			t.Errorf("%s: Surrogate-Key %q lacks breaking", p, keys)
		}
	}
	n.clock.add(31 * time.Minute)
	n.srv.current().expireFront()
	if keys, _ := purges.take(); !slices.Contains(keys, "breaking") {
		t.Errorf("at the banner's end the site purged %v, want breaking", keys)
	}
	for _, p := range []string{path, "/"} {
		if body := reader.mustGet(p, http.StatusOK); strings.Contains(body, `class="breaking"`) {
			t.Errorf("%s still shows the banner after its time", p)
		}
	}
	// Without a time, a banner lasts two hours.
	editor.post("/admin/front/", url.Values{"breaking": {itoa64(breaking.ID)}})
	if b := n.srv.settings().Front.Breaking; !b.Until.Equal(n.clock.now().Add(2 * time.Hour).Truncate(time.Minute)) {
		t.Errorf("a banner without a time lasts until %v, want two hours", b.Until)
	}
}

// navLinks are the header menu's labels and addresses.
func navLinks(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for n := range parseHTML(t, body).Descendants() {
		if n.Data == "nav" && attrOf(n, "class") == "sections" {
			for a := range n.Descendants() {
				if a.Data == "a" {
					out = append(out, textOf(a)+" "+attrOf(a, "href"))
				}
			}
		}
	}
	return out
}

// TestMenuEditor: the menu starts as every section; entries are added, moved and removed
// without JavaScript, and the header shows them in order.
func TestMenuEditor(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	n.addSection("Politics")
	n.addSection("Sport")
	about := &article.Article{Kind: article.Page, Slug: "about", Title: "About us", Body: "Us.", BodyHTML: "<p>Us.</p>",
		Status: article.Published, PublishedAt: n.clock.now().Add(-time.Hour)}
	if err := n.st.CreateArticle(t.Context(), about); err != nil {
		t.Fatal(err)
	}
	reader := n.browser()
	want := []string{"Politics /section/politics/", "Sport /section/sport/"}
	if diff := cmp.Diff(want, navLinks(t, reader.mustGet("/", http.StatusOK))); diff != "" {
		t.Fatalf("the default menu (-want +got):\n%s", diff)
	}
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	for _, f := range []url.Values{
		{"action": {"add-link"}, "url": {"https://shop.example.org/"}, "label": {"Shop"}},
		{"action": {"add-page"}, "page": {itoa64(about.ID)}},
		{"action": {"up"}, "i": {"3"}},   // About before Shop
		{"action": {"down"}, "i": {"0"}}, // Sport before Politics
		{"action": {"remove"}, "i": {"1"}},
	} {
		if resp, body := admin.post("/admin/identity/menu", f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("menu %v answered %d: %v", f, resp.StatusCode, fieldErrors(t, body))
		}
	}
	want = []string{"Sport /section/sport/", "About us " + about.Path(time.UTC), "Shop https://shop.example.org/"}
	if diff := cmp.Diff(want, navLinks(t, reader.mustGet("/", http.StatusOK))); diff != "" {
		t.Errorf("the edited menu (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"javascript:alert(1)", "//evil.example/", "ftp://x.example/"} {
		resp, _ := admin.post("/admin/identity/menu", url.Values{"action": {"add-link"}, "url": {bad}, "label": {"Bad"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a menu link to %q answered %d, want 422", bad, resp.StatusCode)
		}
	}
	if got := len(n.srv.settings().Menu); got != 3 {
		t.Errorf("the menu has %d entries after refused links, want 3", got)
	}
}

// TestSiteLogo: a library picture becomes the logo in the header, the JSON-LD publisher's logo
// (an ImageObject with its size), every feed (read by a real feed parser) and the favicon; the
// accent colour arrives in a cacheable style sheet, not an inline style.
func TestSiteLogo(t *testing.T) {
	t.Parallel()
	var purges purgeLog
	n := newNewsroom(t, withMedia(t, 1<<20), withPurgeLog(&purges))
	story := n.addStory("Harbour wall", n.addSection("News"), time.Hour)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	body, ct := multipartBody(t, map[string]string{"accent": "#1D4E89", "footer": "Run by [the co-op](https://coop.example/)<script>alert(1)</script>"},
		"logo_file", "logo.jpg", testJPEG(t, 800, 200))
	req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/identity/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, got := admin.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the identity answered %d: %v", resp.StatusCode, fieldErrors(t, got))
	}
	if _, all := purges.take(); !all {
		t.Error("a new identity did not purge every page")
	}
	logo := n.srv.settings().Logo
	if logo.Src == "" || logo.Width != 640 || logo.Height != 160 {
		t.Fatalf("logo = %+v, want the 640-wide rendition", logo)
	}
	reader := n.browser()
	page := reader.mustGet(story.Path(time.UTC), http.StatusOK)
	doc := parseHTML(t, page)
	var css, icon string
	var ld newsArticleLD
	for x := range doc.Descendants() {
		switch {
		case x.Data == "img" && attrOf(x, "class") == "logo":
			if attrOf(x, "src") != logo.Src || attrOf(x, "width") != "640" || attrOf(x, "alt") != "The Test Courier" {
				t.Errorf("header logo <img src=%q width=%q alt=%q>", attrOf(x, "src"), attrOf(x, "width"), attrOf(x, "alt"))
			}
		case x.Data == "link" && attrOf(x, "rel") == "stylesheet" && strings.HasPrefix(attrOf(x, "href"), "/site.css"):
			css = attrOf(x, "href")
		case x.Data == "link" && attrOf(x, "rel") == "icon":
			icon = attrOf(x, "href")
		case x.Data == "script" && attrOf(x, "type") == "application/ld+json":
			if err := json.Unmarshal([]byte(textOf(x)), &ld); err != nil {
				t.Fatal(err)
			}
		case hasAttr(x, "style"):
			t.Errorf("<%s> has an inline style, which the CSP forbids", x.Data)
		}
	}
	want := &ldLogo{Type: "ImageObject", URL: n.ts.URL + logo.Src, Width: 640, Height: 160}
	if diff := cmp.Diff(want, ld.Publisher.Logo); diff != "" {
		t.Errorf("JSON-LD publisher.logo (-want +got):\n%s", diff)
	}
	if icon != logo.Icon {
		t.Errorf("the page's icon is %q, want the logo's %q", icon, logo.Icon)
	}
	if !strings.Contains(page, `<a href="https://coop.example/"`) || strings.Contains(page, "alert(1)") {
		t.Errorf("the footer text was not rendered through the sanitiser:\n%s", page[strings.Index(page, "<footer"):])
	}
	resp, sheet := reader.get(css)
	if sheet != ":root { --accent: #1d4e89; }\n" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %q (%s, %s)", css, sheet, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	if resp, _ := reader.get("/favicon.ico"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logo.Icon {
		t.Errorf("/favicon.ico answered %d to %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), logo.Icon)
	}
	for _, path := range []string{"/feed/", "/feed/atom/", "/feed.json", "/comments/feed/"} {
		f, err := gofeed.NewParser().ParseString(reader.mustGet(path, http.StatusOK))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if f.Image == nil || f.Image.URL != n.ts.URL+logo.Src {
			t.Errorf("%s: feed image %+v, want %s", path, f.Image, n.ts.URL+logo.Src)
		}
	}
	// A light accent would make white text unreadable: refused.
	body, ct = multipartBody(t, map[string]string{"accent": "#ffee00"}, "", "", nil)
	req, _ = http.NewRequest(http.MethodPost, n.ts.URL+"/admin/identity/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, _ := admin.do(req); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a light accent answered %d, want 422", resp.StatusCode)
	}
}

// TestSVGLogoServedSafely: an SVG logo, script and all, is served as a sandboxed image that runs
// nothing when opened on its own; a file that is not SVG is refused.
func TestSVGLogoServedSafely(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withMedia(t, 1<<20))
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	post := func(name string, data []byte) *http.Response {
		body, ct := multipartBody(t, nil, "logo_svg", name, data)
		req, _ := http.NewRequest(http.MethodPost, n.ts.URL+"/admin/identity/", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, _ := admin.do(req)
		return resp
	}
	if resp := post("logo.svg", []byte(evilSVG)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an SVG logo answered %d", resp.StatusCode)
	}
	l := n.srv.settings().Logo
	if l.SVG == "" || l.SVGWidth != 200 || l.SVGHeight != 50 {
		t.Fatalf("logo = %+v, want an SVG of 200×50", l)
	}
	src := "/logo/" + l.SVG + ".svg"
	reader := n.browser()
	var header, icon bool
	for x := range parseHTML(t, reader.mustGet("/", http.StatusOK)).Descendants() {
		header = header || (x.Data == "img" && attrOf(x, "class") == "logo" && attrOf(x, "src") == src && attrOf(x, "width") == "200")
		icon = icon || (x.Data == "link" && attrOf(x, "rel") == "icon" && attrOf(x, "href") == src && attrOf(x, "type") == "image/svg+xml")
	}
	if !header || !icon {
		t.Errorf("the header (%v) or the icon (%v) does not use the SVG logo", header, icon)
	}
	resp, got := reader.get(src)
	if got != evilSVG {
		t.Errorf("GET %s changed the file", src)
	}
	for k, want := range map[string]string{"Content-Type": "image/svg+xml", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"} {
		if v := resp.Header.Get(k); v != want {
			t.Errorf("GET %s: %s = %q, want %q", src, k, v, want)
		}
	}
	if resp := post("logo.svg", []byte("<html><script>alert(1)</script></html>")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an HTML file as SVG answered %d, want 422", resp.StatusCode)
	}
}

// evilSVG is an SVG logo that would run script if it were ever a document of the site's origin.
const evilSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50" viewBox="0 0 200 50" onload="document.title='pwned-onload'">
<script>document.title = 'pwned'; fetch('/admin/').then(function(){ document.title = 'pwned-fetch' });</script>
<rect width="200" height="50" fill="#1d4e89"/><text x="10" y="32" fill="#fff">Courier</text></svg>`

// TestShippedPictureVersioned: a story whose picture ships with the program (the demo's) shows
// it at its versioned address, fetched without a redirect, with its size (no layout shift).
func TestShippedPictureVersioned(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	a := n.addStory("Harbour at dawn", n.addSection("News"), time.Hour)
	a.ImageURL, a.ImageAlt = "/static/demo/harbour.svg", "The harbour"
	if err := n.st.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	want := n.srv.assets.url("demo/harbour.svg")
	for x := range parseHTML(t, n.browser().mustGet(a.Path(time.UTC), http.StatusOK)).Descendants() {
		if x.Data == "img" && attrOf(x, "alt") == "The harbour" {
			if attrOf(x, "src") != want || attrOf(x, "width") == "" || attrOf(x, "height") == "" {
				t.Errorf(`<img src=%q width=%q height=%q>, want src=%q with a size`, attrOf(x, "src"), attrOf(x, "width"), attrOf(x, "height"), want)
			}
			return
		}
	}
	t.Error("the story page does not show its picture")
}

// TestSettingsFollowOtherNodes: a change saved through one server (a node) is in force on
// another serving the same database at its next request, without a restart.
func TestSettingsFollowOtherNodes(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	n.addSection("Politics")
	other, err := New(Config{Title: "The Test Courier", BaseURL: n.ts.URL}, n.st, n.srv.log, n.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.LoadSettings(t.Context()); err != nil {
		t.Fatal(err)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		other.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return rec.Body.String()
	}
	if diff := cmp.Diff([]string{"Politics /section/politics/"}, navLinks(t, get())); diff != "" {
		t.Fatalf("the other node's menu (-want +got):\n%s", diff)
	}
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	if resp, _ := admin.post("/admin/identity/menu", url.Values{"action": {"add-link"}, "url": {"/about/"}, "label": {"About"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a link answered %d", resp.StatusCode)
	}
	want := []string{"Politics /section/politics/", "About /about/"}
	if diff := cmp.Diff(want, navLinks(t, get())); diff != "" {
		t.Errorf("the other node's menu after the change (-want +got):\n%s", diff)
	}
}
