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
