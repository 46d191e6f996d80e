package embed

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// loopback lets a test's client reach the test's own servers on 127.0.0.1.
func loopback(a netip.AddrPort) bool { return a.Addr().Unmap().IsLoopback() }

func testPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 36))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testProvider is a small oEmbed provider over real HTTP: /post/1 is a page that advertises its
// description, /oembed describes it (with HTML holding a script, which must not be used),
// /thumb.png is its picture. hits counts the requests.
func testProvider(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	pic := testPNG(t)
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /post/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Post</title>
<link rel="alternate" type="application/xml+oembed" href="/oembed.xml">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=%s&amp;format=json">
</head><body>The post</body></html>`, url.QueryEscape(srv.URL+"/post/1"))
	})
	mux.HandleFunc("GET /oembed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"type":"rich","version":"1.0","title":"<em>Harbour</em> &amp; the strike","author_name":"Ana Author",
"provider_name":"Local News","thumbnail_url":"/thumb.png","html":"<script>alert(1)</script><iframe src=\"%s/frame\"></iframe>"}`, srv.URL)
	})
	mux.HandleFunc("GET /thumb.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic)
	})
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>No oEmbed</title></head><body><link rel="alternate" type="application/json+oembed" href="/oembed"></body></html>`)
	})
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><head>"))
		chunk := []byte(strings.Repeat("<meta name=x content=y>", 1000))
		for range 10 << 20 / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /bigoembed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><link rel="alternate" type="application/json+oembed" href="/bigjson"></head></html>`)
	})
	mux.HandleFunc("GET /bigjson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"title":"%s"}`, strings.Repeat("x", 100<<10))
	})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestFetchDiscoversOEmbed(t *testing.T) {
	t.Parallel()
	srv, _ := testProvider(t)
	f := &Fetcher{Client: NewClient(loopback)}
	c, err := f.Card(t.Context(), srv.URL+"/post/1")
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != srv.URL+"/post/1" || c.Title != "Harbour & the strike" || c.Author != "Ana Author" || c.Provider != "Local News" {
		t.Errorf("Card = %+v, want the description's words as plain text", c)
	}
	if c.ThumbURL != srv.URL+"/thumb.png" || !bytes.Equal(c.ThumbData, testPNG(t)) {
		t.Errorf("thumbnail %q with %d bytes, want the provider's picture", c.ThumbURL, len(c.ThumbData))
	}
	card := LinkCard(c)
	if strings.Contains(card, "script") || strings.Contains(card, "iframe") || strings.Contains(card, srv.URL+"/thumb") {
		t.Errorf("the card shows the provider's HTML or picture address: %s", card)
	}
}

func TestFetchBuiltInProviderEndpoint(t *testing.T) {
	t.Parallel()
	srv, _ := testProvider(t)
	f := &Fetcher{Client: NewClient(loopback), Endpoints: map[string]string{"YouTube": srv.URL + "/oembed?url="}}
	c, err := f.Card(t.Context(), "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
	if err != nil {
		t.Fatal(err)
	}
	if c.Provider != "YouTube" || c.Title != "Harbour & the strike" || len(c.ThumbData) == 0 {
		t.Errorf("Card = %+v, want YouTube's description with its thumbnail", c)
	}
	c.Thumb, c.ThumbWidth, c.ThumbHeight = "/media/0123/thumb-480.jpg", 480, 270
	e, _ := Lookup(c.URL)
	facade := Facade(e, &c)
	for _, want := range []string{`<img class="embed-thumb" src="/media/0123/thumb-480.jpg" alt="" width="480" height="270" loading="lazy">`,
		`<span class="embed-title">Harbour &amp; the strike</span>`, `data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"`} {
		if !strings.Contains(facade, want) {
			t.Errorf("facade lacks %s\n%s", want, facade)
		}
	}
}

func TestFetchRefusesBadAnswers(t *testing.T) {
	t.Parallel()
	srv, _ := testProvider(t)
	f := &Fetcher{Client: NewClient(loopback)}
	for _, tt := range []struct {
		path string
		want error
		says string
	}{
		{"/plain", ErrNoOEmbed, ""},          // the link is in the body, not the head
		{"/huge", ErrNoOEmbed, ""},           // 10 MB of head: read up to the limit, then given up
		{"/loop", nil, "redirects"},          // redirects forever
		{"/bigjson", nil, "not text/html"},   // not through a page: an answer that is not HTML
		{"/bigoembed", nil, "more than"},     // an oEmbed answer over its limit
		{"/missing", nil, "404 Not Found"},   // a page that is not there
		{"/thumb.png", nil, "not text/html"}, // a picture, not a page
	} {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			_, err := f.Card(t.Context(), srv.URL+tt.path)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Card(%s) error = %v, want %v %q", tt.path, err, tt.want, tt.says)
			}
		})
	}
}

func TestFetchRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv, hits := testProvider(t)
	// The product's client: the test server on 127.0.0.1 is out of reach, by address or by name.
	f := &Fetcher{Client: NewClient(Public)}
	u, _ := url.Parse(srv.URL)
	for _, addr := range []string{srv.URL + "/post/1", "http://localhost:" + u.Port() + "/post/1"} {
		if _, err := f.Card(t.Context(), addr); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Card(%s) error = %v, want ErrForbiddenAddress", addr, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the refused fetches reached the server %d times", n)
	}

	// A server the rule allows redirects to another on a private address: refused at the dial.
	inner, innerHits := testProvider(t)
	allowed := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "http://"))
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/post/1", http.StatusFound)
	}))
	defer outer.Close()
	outerAddr := netip.MustParseAddrPort(strings.TrimPrefix(outer.URL, "http://"))
	f = &Fetcher{Client: NewClient(func(a netip.AddrPort) bool { return a == allowed || a == outerAddr })}
	if _, err := f.Card(t.Context(), outer.URL+"/somewhere"); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("a redirect to a private address: error = %v, want ErrForbiddenAddress", err)
	}
	if n := innerHits.Load(); n != 0 {
		t.Errorf("the redirect reached the private server %d times", n)
	}
}

func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.215.14:443": true, "93.184.215.14:80": true, "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443": true,
		"93.184.215.14:22": false, "127.0.0.1:443": false, "10.1.2.3:80": false, "172.16.0.1:443": false,
		"192.168.1.1:80": false, "169.254.169.254:80": false, "100.64.0.1:443": false, "0.0.0.0:80": false,
		"[::1]:443": false, "[fe80::1]:443": false, "[fd00::1]:443": false, "[::ffff:127.0.0.1]:443": false,
		"[::ffff:10.0.0.1]:80": false, "224.0.0.1:80": false, "255.255.255.255:80": false,
	} {
		if got := Public(netip.MustParseAddrPort(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCardsReuseKnownAndReportProblems(t *testing.T) {
	t.Parallel()
	srv, hits := testProvider(t)
	f := &Fetcher{Client: NewClient(loopback)}
	known := []Card{{URL: srv.URL + "/post/1", Title: "Kept", Provider: "Local News", Thumb: "/media/x/t.jpg"}}
	cards, problems := f.Cards(t.Context(), []string{srv.URL + "/post/1", srv.URL + "/plain", srv.URL + "/post/1"}, known)
	if len(cards) != 1 || cards[0].Title != "Kept" {
		t.Errorf("Cards = %+v, want the known card alone", cards)
	}
	if len(problems) != 1 || !errors.Is(problems[srv.URL+"/plain"], ErrNoOEmbed) {
		t.Errorf("problems = %v, want /plain's", problems)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the server was asked %d times, want once (for /plain)", n)
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"<em>Foo</em> &amp; bar": "Foo & bar", "A <b>bold</b>\n move": "A bold move", "Fish &amp; chips &lt;3": "Fish & chips <3",
		"a < b and c > d": "a < b and c > d", "<p>One</p><p>Two</p>": "One Two", "  ": "", "Tom &c": "Tom &c",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}
