package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Card is what a story keeps of an address fetched when it was saved: the words and the
// picture a facade or a link card shows, so that a page view fetches nothing.
type Card struct {
	// URL is the address as the writer gave it.
	URL string
	// Provider, Title and Author are the provider's own words (oEmbed's provider_name, title
	// and author_name), plain text.
	Provider, Title, Author string
	// Thumb is the address of the thumbnail in the site's media library ("/media/…"), with its
	// size; empty when there is none. ThumbData holds the downloaded picture until the caller
	// stores it and sets Thumb.
	Thumb                   string
	ThumbWidth, ThumbHeight int
	ThumbData               []byte `json:"-"`
	// ThumbURL is the provider's address of the thumbnail, which readers' browsers never see.
	ThumbURL string `json:"-"`
}

// Limits of a fetch: an address that answers slower, bigger or redirects more is not embedded.
const (
	fetchTimeout  = 10 * time.Second // per address, the discovery, the oEmbed answer and the thumbnail together
	dialTimeout   = 5 * time.Second
	maxRedirects  = 5
	maxPageBytes  = 1 << 20 // the page is read up to its body or this many bytes
	maxOEmbedSize = 64 << 10
	maxThumbBytes = 5 << 20
	maxFetches    = 20 // addresses fetched for one story
)

// Errors of a fetch; callers test with errors.Is.
var (
	// ErrForbiddenAddress means an address resolved to a private, loopback, link-local or
	// otherwise non-public IP address (or a port other than 80, 443, 8080 and 8443), which a
	// fetch on behalf of a writer must never reach.
	ErrForbiddenAddress = errors.New("address is not a public internet address")
	// ErrNoOEmbed means the page advertises no oEmbed answer.
	ErrNoOEmbed = errors.New("the page offers no oEmbed description")
)

// Fetcher fetches what a story shows of the addresses alone on their lines, when the story is
// saved: the oEmbed description of a built-in provider's address or of any page that
// advertises one (<link rel="alternate" type="application/json+oembed">), and its thumbnail.
// Only the title, author, provider and thumbnail are kept: an oEmbed answer's HTML is never
// used. It is safe for concurrent use.
type Fetcher struct {
	// Client makes the requests; nil means NewClient(Public).
	Client *http.Client
	// Endpoints are the oEmbed addresses of built-in providers by name, to which the escaped
	// address is appended; nil means the providers' published endpoints.
	Endpoints map[string]string
}

// Public reports whether a is a public unicast address on a web port: never loopback, private
// (RFC 1918, fc00::/7), link-local (cloud metadata lives at 169.254.169.254), shared (100.64/10),
// multicast or unspecified.
func Public(a netip.AddrPort) bool {
	ip := a.Addr().Unmap()
	switch a.Port() {
	case 80, 443, 8080, 8443:
	default:
		return false
	}
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are ranges that IsGlobalUnicast admits but the internet does not route to a site.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"), netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// NewClient returns an HTTP client for fetches on a writer's behalf. allow decides, at dial
// time and after name resolution, which IP address and port it may connect to (Public in
// production; tests and development pass a wider rule); so neither a name that resolves to
// an internal address nor a redirect to one reaches it. It uses no proxy, follows at most
// five redirects to http and https addresses, and gives up after the fetch limits.
func NewClient(allow func(netip.AddrPort) bool) *http.Client {
	d := &net.Dialer{Timeout: dialTimeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !allow(ap) {
			return fmt.Errorf("embed: %s: %w", address, ErrForbiddenAddress)
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us, past the check
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    dialTimeout,
		ResponseHeaderTimeout:  dialTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           10,
		IdleConnTimeout:        30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: fetchTimeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("embed: stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("embed: redirect to a %s address", req.URL.Scheme)
		}
		return nil
	}}
}

// Endpoints of the built-in providers that publish an oEmbed service.
var endpoints = map[string]string{
	"YouTube":    "https://www.youtube.com/oembed?format=json&url=",
	"Vimeo":      "https://vimeo.com/api/oembed.json?url=",
	"SoundCloud": "https://soundcloud.com/oembed?format=json&url=",
	"Spotify":    "https://open.spotify.com/oembed?url=",
	"TikTok":     "https://www.tiktok.com/oembed?url=",
	"Bluesky":    "https://embed.bsky.app/oembed?format=json&url=",
	"X":          "https://publish.twitter.com/oembed?omit_script=true&url=",
	"Flourish":   "https://app.flourish.studio/api/v1/oembed?url=",
}

// Cards fetches the cards of the addresses, at most a few at a time and maxFetches in all.
// Known cards (kept from the story's last save) are reused and not fetched again. Each address
// that cannot be fetched has an error in problems, keyed by address, and no card: the story
// shows it as a facade without a picture or as a plain link.
func (f *Fetcher) Cards(ctx context.Context, urls []string, known []Card) (cards []Card, problems map[string]error) {
	problems = map[string]error{}
	var todo []string
	for _, u := range urls {
		if indexCard(cards, u) >= 0 || slices.Contains(todo, u) {
			continue
		}
		if i := indexCard(known, u); i >= 0 {
			cards = append(cards, known[i])
		} else {
			todo = append(todo, u)
		}
	}
	if len(todo) > maxFetches {
		for _, u := range todo[maxFetches:] {
			problems[u] = fmt.Errorf("embed: only %d addresses are fetched per save", maxFetches)
		}
		todo = todo[:maxFetches]
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, u := range todo {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := f.Card(ctx, u)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				problems[u] = err
				return
			}
			cards = append(cards, c)
		})
	}
	wg.Wait()
	return cards, problems
}

func indexCard(cards []Card, u string) int {
	for i, c := range cards {
		if c.URL == u {
			return i
		}
	}
	return -1
}

// Card fetches the card of one address: from its provider's oEmbed endpoint when a built-in
// provider has one, else from the endpoint the page advertises; then its thumbnail, when the
// description names one that is a picture within the limits (a thumbnail that fails leaves a
// card without a picture).
func (f *Fetcher) Card(ctx context.Context, raw string) (Card, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return Card{}, fmt.Errorf("embed: %q is not a web address", raw)
	}
	var endpoint string
	if e, ok := Lookup(raw); ok {
		eps := f.Endpoints
		if eps == nil {
			eps = endpoints
		}
		if p, ok := eps[e.Provider]; ok {
			endpoint = p + url.QueryEscape(raw)
		}
	}
	if endpoint == "" {
		if endpoint, err = f.discover(ctx, u); err != nil {
			return Card{}, err
		}
	}
	c, err := f.describe(ctx, endpoint)
	if err != nil {
		return Card{}, err
	}
	c.URL = raw
	if e, ok := Lookup(raw); ok {
		c.Provider = e.Provider
	} else if c.Provider == "" {
		c.Provider = host(u)
	}
	if c.ThumbURL != "" {
		c.ThumbData, _ = f.get(ctx, c.ThumbURL, "image/", maxThumbBytes)
	}
	return c, nil
}

// get fetches u and answers its body, at most limit bytes, refusing a status other than 200
// and a content type that does not start with want. A longer body is cut at limit when cut is
// allowed (want "text/html"), refused otherwise.
func (f *Fetcher) get(ctx context.Context, u, want string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	req.Header.Set("User-Agent", "Broadsheet (link preview)")
	client := f.Client
	if client == nil {
		client = NewClient(Public)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("embed: %s answers %s", u, resp.Status)
	}
	typ, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !strings.HasPrefix(typ, want) {
		return nil, fmt.Errorf("embed: %s answers %q, not %s", u, typ, want)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("embed: %s: %w", u, err)
	}
	if int64(len(data)) > limit {
		if want != "text/html" {
			return nil, fmt.Errorf("embed: %s answers more than %d bytes", u, limit)
		}
		data = data[:limit]
	}
	return data, nil
}

// discover reads the head of the page at u for the address of its JSON oEmbed description.
func (f *Fetcher) discover(ctx context.Context, u *url.URL) (string, error) {
	page, err := f.get(ctx, u.String(), "text/html", maxPageBytes)
	if err != nil {
		return "", err
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", fmt.Errorf("embed: %s: %w", u, ErrNoOEmbed)
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if t.DataAtom == atom.Body {
				return "", fmt.Errorf("embed: %s: %w", u, ErrNoOEmbed)
			}
			if t.DataAtom != atom.Link || !hasWord(attr(t, "rel"), "alternate") ||
				!strings.EqualFold(strings.TrimSpace(attr(t, "type")), "application/json+oembed") {
				continue
			}
			ref, err := u.Parse(strings.TrimSpace(attr(t, "href")))
			if err != nil || (ref.Scheme != "https" && ref.Scheme != "http") {
				continue
			}
			return ref.String(), nil
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// describe fetches and reads an oEmbed description.
func (f *Fetcher) describe(ctx context.Context, endpoint string) (Card, error) {
	data, err := f.get(ctx, endpoint, "", maxOEmbedSize)
	if err != nil {
		return Card{}, err
	}
	var o struct {
		Type         string `json:"type"`
		Title        any    `json:"title"`
		AuthorName   any    `json:"author_name"`
		ProviderName any    `json:"provider_name"`
		ThumbnailURL any    `json:"thumbnail_url"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return Card{}, fmt.Errorf("embed: %s: the oEmbed answer is not JSON: %w", endpoint, err)
	}
	c := Card{Title: plain(o.Title, 300), Author: plain(o.AuthorName, 120), Provider: plain(o.ProviderName, 60)}
	if t := plain(o.ThumbnailURL, 2000); t != "" {
		if ref, err := url.Parse(endpoint); err == nil {
			if tu, err := ref.Parse(t); err == nil && (tu.Scheme == "https" || tu.Scheme == "http") {
				c.ThumbURL = tu.String()
			}
		}
	}
	return c, nil
}

// plain is a JSON value as one line of plain text of at most n runes: markup is dropped,
// entities decoded, white space collapsed. Anything but a string or number gives "".
func plain(v any, n int) string {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return ""
	}
	s = PlainText(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

// PlainText is s with its markup removed and its entities decoded, on one line: the words a
// reader sees of a fragment of HTML ("<em>Foo</em> &amp; bar" gives "Foo & bar").
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt == html.TextToken {
			b.Write(z.Text())
		} else if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
			if name, _ := z.TagName(); string(name) == "br" || string(name) == "p" {
				b.WriteByte(' ')
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
