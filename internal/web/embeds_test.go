package web

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/media"
)

// oembedSite is another newsroom's site over real HTTP whose story page advertises an oEmbed
// description with a thumbnail; hits counts its requests. down makes it answer 503.
type oembedSite struct {
	*httptest.Server
	hits atomic.Int32
	down atomic.Bool
}

func newOEmbedSite(t *testing.T) *oembedSite {
	t.Helper()
	o := &oembedSite{}
	var pic bytes.Buffer
	m, err := jpeg.Decode(bytes.NewReader(testJPEG(t, 640, 360)))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pic, m); err != nil {
		t.Fatal(err)
	}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if o.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/story":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/json+oembed" href="/oembed?format=json"></head><body></body></html>`)
		case "/oembed":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"type":"rich","title":"Night shift at the harbour","author_name":"Ben Byline","provider_name":"Harbour Times",
				"thumbnail_url":"/thumb.png","html":"<iframe src=\"/frame\"></iframe><script>alert(1)</script>"}`)
		case "/thumb.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

// TestSaveFetchesEmbedCards saves a story with another site's address alone on a line: the save
// fetches its oEmbed description once, keeps its thumbnail in the media library, and the page
// shows a link card that asks the other site for nothing; a later save reuses the card even
// when the site is down, and a new address from a site that is down leaves a plain link.
func TestSaveFetchesEmbedCards(t *testing.T) {
	t.Parallel()
	other := newOEmbedSite(t)
	n := newNewsroom(t, withMedia(t, 0), func(c *Config) {
		c.Embeds = &embed.Fetcher{Client: embed.NewClient(func(a netip.AddrPort) bool { return a.Addr().IsLoopback() })}
	})
	b := n.signIn(n.addUser("Ana Author", account.Editor))
	f := newStoryForm(t, b, "Harbour strike ends", "As the Harbour Times reported:\n\n"+other.URL+"/story\n\nThe dockers return on Monday.")
	resp, body := save(b, "/admin/stories/new", f, "publish")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d\n%.800s", resp.StatusCode, body)
	}
	a := loadArticle(t, n.st, "harbour-strike-ends")
	cards := embed.Stored(a.BodyHTML)
	if len(cards) != 1 || cards[0].Title != "Night shift at the harbour" || cards[0].Provider != "Harbour Times" ||
		cards[0].Author != "Ben Byline" || media.HashFromURL(cards[0].Thumb) == "" || cards[0].ThumbWidth != 640 {
		t.Fatalf("stored cards = %+v, want the description with a library thumbnail\n%s", cards, a.BodyHTML)
	}
	if got := other.hits.Load(); got != 3 {
		t.Errorf("the save asked the other site %d times, want 3 (page, description, thumbnail)", got)
	}
	page := n.browser().mustGet(a.Path(time.UTC), http.StatusOK)
	if strings.Contains(page, "127.0.0.1:"+strings.Split(other.URL, ":")[2]+"/thumb") || strings.Contains(page, "<iframe") ||
		strings.Contains(page, "alert(1)") {
		t.Errorf("the page shows the other site's picture address or HTML")
	}
	if !strings.Contains(page, `<figure class="embed embed-card">`) || !strings.Contains(page, `src="`+cards[0].Thumb+`"`) {
		t.Errorf("the page lacks the link card")
	}
	if resp, _ := n.browser().get(cards[0].Thumb); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want the thumbnail from the library", cards[0].Thumb, resp.StatusCode)
	}
	if got := other.hits.Load(); got != 3 {
		t.Errorf("page views asked the other site: %d requests in all", got)
	}

	// Saved again while the other site is down, with a second address from it: the first
	// card is kept without asking, the second is a plain link.
	other.down.Store(true)
	ef := formValues(t, b.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK), "editor")
	ef.Set("body", ef.Get("body")+"\n\n"+other.URL+"/other\n")
	if resp, body := save(b, "/admin/stories/"+itoa64(a.ID)+"/", ef, "publish"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save = %d\n%.800s", resp.StatusCode, body)
	}
	a = loadArticle(t, n.st, "harbour-strike-ends")
	if cards := embed.Stored(a.BodyHTML); len(cards) != 1 || cards[0].Title != "Night shift at the harbour" {
		t.Errorf("after the second save the cards are %+v", cards)
	}
	// (Linkify leaves an IP address as text; a host name becomes a link.)
	if !strings.Contains(a.BodyHTML, `<p>`+other.URL+`/other</p>`) {
		t.Errorf("the address of the site that is down is not a plain link:\n%s", a.BodyHTML)
	}
	edit := b.mustGet("/admin/stories/"+itoa64(a.ID)+"/", http.StatusOK)
	if !strings.Contains(edit, "Readers see these addresses as plain links") || !strings.Contains(edit, "<li>"+other.URL+"/other</li>") ||
		strings.Contains(edit, "<li>"+other.URL+"/story</li>") {
		t.Errorf("the editor does not say which address shows as a plain link")
	}
	if got := other.hits.Load(); got != 4 {
		t.Errorf("the second save asked the other site %d times, want once (for the new address)", got-3)
	}
}

// TestLoadAtOnceSetting has an administrator choose to load Datawrapper's charts at once: the
// story page then holds Datawrapper's frame, with the policy allowing it, while YouTube's embed
// stays a facade; an unknown provider is refused; unticked, the chart is a facade again.
func TestLoadAtOnceSetting(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signIn(n.addUser("Ada Admin", account.Administrator))
	f := newStoryForm(t, admin, "Rents rise again", "The chart:\n\nhttps://www.datawrapper.de/_/AbC12/\n\n"+
		"The minister:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n")
	if resp, body := save(admin, "/admin/stories/new", f, "publish"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d\n%.800s", resp.StatusCode, body)
	}
	a := loadArticle(t, n.st, "rents-rise-again")
	story := func() (string, string) {
		resp, body := n.browser().get(a.Path(time.UTC))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET story = %d", resp.StatusCode)
		}
		return body, resp.Header.Get("Content-Security-Policy")
	}
	if body, _ := story(); strings.Contains(body, "<iframe") || strings.Count(body, `class="embed-facade"`) != 2 {
		t.Fatalf("by default the story shows frames, or not two facades")
	}

	page := admin.mustGet("/admin/settings/", http.StatusOK)
	if !strings.Contains(page, `name="load_at_once" value="Datawrapper"`) || strings.Contains(page, `value="Datawrapper" aria-describedby="embeds-hint" checked`) {
		t.Fatalf("the settings page does not offer Datawrapper, unticked")
	}
	form := formValues(t, page, "/admin/settings/")
	form.Set("load_at_once", "Nowhere TV")
	if resp, body := admin.post("/admin/settings/", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Choose among the providers listed.") {
		t.Errorf("an unknown provider = %d, want 422 with the reason", resp.StatusCode)
	}
	form.Set("load_at_once", "Datawrapper")
	if resp, _ := admin.post("/admin/settings/", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings = %d", resp.StatusCode)
	}
	if !strings.Contains(admin.mustGet("/admin/settings/", http.StatusOK), `value="Datawrapper" aria-describedby="embeds-hint" checked`) {
		t.Error("the settings page does not show the choice")
	}
	body, csp := story()
	if !strings.Contains(body, `<iframe class="embed-frame" src="https://datawrapper.dwcdn.net/AbC12/" title="Datawrapper: Chart on Datawrapper"`) ||
		strings.Count(body, "<iframe") != 1 || !strings.Contains(body, `data-provider="YouTube"`) {
		t.Errorf("with Datawrapper at once the story shows:\n%s", body)
	}
	if !strings.Contains(csp, "frame-src https://datawrapper.dwcdn.net https://www.youtube-nocookie.com") {
		t.Errorf("Content-Security-Policy = %q, want the two providers' frames", csp)
	}

	form.Del("load_at_once")
	if resp, _ := admin.post("/admin/settings/", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings = %d", resp.StatusCode)
	}
	if body, _ := story(); strings.Contains(body, "<iframe") {
		t.Error("unticked, the story still loads the chart at once")
	}
}
