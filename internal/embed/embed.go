// Package embed turns the address of a video, a post, a podcast, a chart or a map, alone on its
// line in a story, into an embed that respects readers: a facade (the provider's name, what
// it is and a note that clicking loads it from the provider) that loads nothing from the
// provider until the reader clicks, when the site's script puts the provider's frame in its
// place. Without JavaScript the facade is a plain link to the original address.
//
// The facade is HTML that the article sanitiser accepts (SrcPattern says which frame addresses),
// so it is made before sanitising, like everything else in a body.
//
// When a story is saved, a Fetcher describes each address alone on its line (oEmbed: title,
// author, provider, thumbnail), for a built-in provider's facade and for any other site's link
// card; the caller keeps the thumbnail in the site's media library, and the cards live in the
// story's HTML (Stored reads them back), so that a page view fetches nothing.
package embed

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Embed is what a story shows for one recognised address.
type Embed struct {
	// URL is the address as the writer gave it; the facade links to it.
	URL string
	// Provider is the provider's name for readers ("YouTube").
	Provider string
	// Src is the address of the provider's frame, loaded only when the reader asks.
	Src string
	// What says what the address holds, for the facade's label ("Video", "Post").
	What string
	// Tall is set for posts and players whose frame is taller than a 16:9 video.
	Tall bool
}

// provider recognises the addresses of one provider and gives its frame's address.
type provider struct {
	name, what string
	tall       bool
	// hosts are the host names (without "www.") the provider's addresses use; empty for any.
	hosts []string
	// src returns the frame address for u, or "" when u is not an embeddable address.
	src func(u *url.URL) string
	// frames is the pattern of the frame addresses src returns.
	frames string
}

// Expressions of the providers' addresses; compiled once, never modified.
var (
	reID          = regexp.MustCompile(`^[A-Za-z0-9_-]{6,40}$`)
	reDigits      = regexp.MustCompile(`^[0-9]{1,25}$`)
	reTweet       = regexp.MustCompile(`^/[A-Za-z0-9_]{1,30}/status(?:es)?/([0-9]{1,25})/?$`)
	reInstagram   = regexp.MustCompile(`^/(?:[A-Za-z0-9_.]{1,40}/)?(p|reel|tv)/([A-Za-z0-9_-]{5,40})/?$`)
	reTikTok      = regexp.MustCompile(`^/@[A-Za-z0-9_.]{1,40}/video/([0-9]{5,25})/?$`)
	reBluesky     = regexp.MustCompile(`^/profile/(did:plc:[a-z0-9]{10,40})/post/([a-z0-9]{5,20})/?$`)
	reMastodon    = regexp.MustCompile(`^/@[A-Za-z0-9_]{1,40}/([0-9]{6,25})/?$`)
	reSpotify     = regexp.MustCompile(`^/(?:intl-[a-z]{2}/)?(track|album|playlist|episode|show|artist)/([A-Za-z0-9]{10,40})/?$`)
	reApple       = regexp.MustCompile(`^/[a-z]{2}/podcast/[^/]{1,200}/id[0-9]{1,20}/?$`)
	reDatawrapper = regexp.MustCompile(`^/(?:_/)?([A-Za-z0-9]{5})(?:/[0-9]{1,3})?/?$`)
	reFlourish    = regexp.MustCompile(`^/(visualisation|story)/([0-9]{1,12})/?$`)
	reDocument    = regexp.MustCompile(`^/documents/([0-9]{1,12}-[a-z0-9-]{1,200})(?:\.html)?/?$`)
	reFacebook    = regexp.MustCompile(`^/(?:[A-Za-z0-9.]{1,60}/(posts|videos)/[A-Za-z0-9.:_-]{1,60}|watch/?|permalink\.php|photo\.php|reel/[0-9]{1,25})/?$`)
	reSoundCloud  = regexp.MustCompile(`^/[a-z0-9_-]{1,60}/(?:sets/)?[a-z0-9_-]{1,120}/?$`)
	reHost        = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,60}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,60}[a-z0-9])?)*\.[a-z]{2,20}$`)
	reMapsPB      = regexp.MustCompile(`^[A-Za-z0-9!._~:+-]{1,1000}$`)
)

// providers are the providers recognised, in the order they are tried.
var providers = []provider{
	{name: "YouTube", what: "Video", hosts: []string{"youtube.com", "m.youtube.com", "youtu.be", "youtube-nocookie.com"},
		frames: `https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{6,40}(?:\?start=[0-9]{1,6})?`,
		src: func(u *url.URL) string {
			var id string
			if host(u) == "youtu.be" {
				id = strings.Trim(u.Path, "/")
			} else if u.Path == "/watch" {
				id = u.Query().Get("v")
			} else {
				for _, p := range [...]string{"/embed/", "/shorts/", "/live/", "/v/"} {
					if rest, ok := strings.CutPrefix(u.Path, p); ok {
						id = strings.TrimSuffix(rest, "/")
					}
				}
			}
			if !reID.MatchString(id) {
				return ""
			}
			src := "https://www.youtube-nocookie.com/embed/" + id
			if t := seconds(u.Query().Get("t") + u.Query().Get("start")); t != "" {
				src += "?start=" + t
			}
			return src
		}},
	{name: "Vimeo", what: "Video", hosts: []string{"vimeo.com", "player.vimeo.com"},
		frames: `https://player\.vimeo\.com/video/[0-9]{1,25}\?dnt=1`,
		src: func(u *url.URL) string {
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			if id := parts[len(parts)-1]; reDigits.MatchString(id) {
				return "https://player.vimeo.com/video/" + id + "?dnt=1"
			}
			return ""
		}},
	{name: "X", what: "Post", tall: true, hosts: []string{"twitter.com", "x.com", "mobile.twitter.com"},
		frames: `https://platform\.twitter\.com/embed/Tweet\.html\?dnt=true&id=[0-9]{1,25}`,
		src: func(u *url.URL) string {
			if m := reTweet.FindStringSubmatch(u.Path); m != nil {
				return "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=" + m[1]
			}
			return ""
		}},
	{name: "Instagram", what: "Post", tall: true, hosts: []string{"instagram.com"},
		frames: `https://www\.instagram\.com/(?:p|reel|tv)/[A-Za-z0-9_-]{5,40}/embed/`,
		src: func(u *url.URL) string {
			if m := reInstagram.FindStringSubmatch(u.Path); m != nil {
				return "https://www.instagram.com/" + m[1] + "/" + m[2] + "/embed/"
			}
			return ""
		}},
	{name: "Bluesky", what: "Post", tall: true, hosts: []string{"bsky.app"},
		frames: `https://embed\.bsky\.app/embed/did:plc:[a-z0-9]{10,40}/app\.bsky\.feed\.post/[a-z0-9]{5,20}`,
		src: func(u *url.URL) string {
			if m := reBluesky.FindStringSubmatch(u.Path); m != nil {
				return "https://embed.bsky.app/embed/" + m[1] + "/app.bsky.feed.post/" + m[2]
			}
			return ""
		}},
	{name: "TikTok", what: "Video", tall: true, hosts: []string{"tiktok.com"},
		frames: `https://www\.tiktok\.com/embed/v2/[0-9]{5,25}`,
		src: func(u *url.URL) string {
			if m := reTikTok.FindStringSubmatch(u.Path); m != nil {
				return "https://www.tiktok.com/embed/v2/" + m[1]
			}
			return ""
		}},
	{name: "Facebook", what: "Post", tall: true, hosts: []string{"facebook.com", "m.facebook.com", "fb.watch"},
		frames: `https://www\.facebook\.com/plugins/(?:post|video)\.php\?href=[A-Za-z0-9%._~-]{1,600}`,
		src: func(u *url.URL) string {
			if host(u) != "fb.watch" && !reFacebook.MatchString(u.Path) {
				return ""
			}
			kind := "post"
			if strings.Contains(u.Path, "/videos/") || strings.HasPrefix(u.Path, "/watch") || strings.HasPrefix(u.Path, "/reel/") || host(u) == "fb.watch" {
				kind = "video"
			}
			return "https://www.facebook.com/plugins/" + kind + ".php?href=" + url.QueryEscape(canonical(u))
		}},
	{name: "SoundCloud", what: "Audio", hosts: []string{"soundcloud.com"},
		frames: `https://w\.soundcloud\.com/player/\?url=[A-Za-z0-9%._~-]{1,600}`,
		src: func(u *url.URL) string {
			if !reSoundCloud.MatchString(u.Path) {
				return ""
			}
			return "https://w.soundcloud.com/player/?url=" + url.QueryEscape(canonical(u))
		}},
	{name: "Spotify", what: "Audio", hosts: []string{"open.spotify.com"},
		frames: `https://open\.spotify\.com/embed/(?:track|album|playlist|episode|show|artist)/[A-Za-z0-9]{10,40}`,
		src: func(u *url.URL) string {
			if m := reSpotify.FindStringSubmatch(u.Path); m != nil {
				return "https://open.spotify.com/embed/" + m[1] + "/" + m[2]
			}
			return ""
		}},
	{name: "Apple Podcasts", what: "Podcast", hosts: []string{"podcasts.apple.com"},
		frames: `https://embed\.podcasts\.apple\.com/[a-z]{2}/podcast/[A-Za-z0-9%._~-]{1,200}/id[0-9]{1,20}(?:\?i=[0-9]{1,20})?`,
		src: func(u *url.URL) string {
			if !reApple.MatchString(u.EscapedPath()) {
				return ""
			}
			src := "https://embed.podcasts.apple.com" + strings.TrimSuffix(u.EscapedPath(), "/")
			if i := u.Query().Get("i"); reDigits.MatchString(i) {
				src += "?i=" + i
			}
			return src
		}},
	{name: "Datawrapper", what: "Chart", hosts: []string{"datawrapper.dwcdn.net", "datawrapper.de"},
		frames: `https://datawrapper\.dwcdn\.net/[A-Za-z0-9]{5}/`,
		src: func(u *url.URL) string {
			if m := reDatawrapper.FindStringSubmatch(u.Path); m != nil {
				return "https://datawrapper.dwcdn.net/" + m[1] + "/"
			}
			return ""
		}},
	{name: "Flourish", what: "Chart", hosts: []string{"public.flourish.studio", "flo.uriit.ch"},
		frames: `https://flo\.uriit\.ch/(?:visualisation|story)/[0-9]{1,12}/embed`,
		src: func(u *url.URL) string {
			if m := reFlourish.FindStringSubmatch(strings.TrimSuffix(u.Path, "embed")); m != nil {
				return "https://flo.uriit.ch/" + m[1] + "/" + m[2] + "/embed"
			}
			return ""
		}},
	{name: "DocumentCloud", what: "Document", tall: true, hosts: []string{"documentcloud.org", "embed.documentcloud.org"},
		frames: `https://embed\.documentcloud\.org/documents/[0-9]{1,12}-[a-z0-9-]{1,200}/`,
		src: func(u *url.URL) string {
			if m := reDocument.FindStringSubmatch(u.Path); m != nil {
				return "https://embed.documentcloud.org/documents/" + m[1] + "/"
			}
			return ""
		}},
	{name: "Google Maps", what: "Map", hosts: []string{"google.com", "maps.google.com"},
		frames: `https://maps\.google\.com/maps\?output=embed&q=[A-Za-z0-9%._~+-]{1,300}|https://www\.google\.com/maps/embed\?pb=[A-Za-z0-9%!._~:+-]{1,1000}`,
		src: func(u *url.URL) string {
			if u.Path == "/maps/embed" {
				if pb := u.Query().Get("pb"); pb != "" && reMapsPB.MatchString(pb) {
					return "https://www.google.com/maps/embed?pb=" + pb
				}
				return ""
			}
			q := u.Query().Get("q")
			if place, ok := strings.CutPrefix(u.Path, "/maps/place/"); ok {
				q, _ = url.PathUnescape(strings.ReplaceAll(strings.SplitN(place, "/", 2)[0], "+", " "))
			} else if u.Path != "/maps" && u.Path != "/maps/" && u.Path != "/" {
				return ""
			}
			if q == "" || len(q) > 200 {
				return ""
			}
			return "https://maps.google.com/maps?output=embed&q=" + url.QueryEscape(q)
		}},
	{name: "Mastodon", what: "Post", tall: true,
		frames: `https://[a-z0-9.-]{1,200}\.[a-z]{2,20}/@[A-Za-z0-9_]{1,40}/[0-9]{6,25}/embed`,
		src: func(u *url.URL) string {
			if m := reMastodon.FindStringSubmatch(u.Path); m != nil && reHost.MatchString(strings.ToLower(u.Host)) {
				return "https://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/") + "/embed"
			}
			return ""
		}},
}

// Lookup returns the embed of an address, if a provider recognises it. Only https and http
// addresses count, and the frame is always https.
func Lookup(raw string) (Embed, bool) {
	if len(raw) > 2000 {
		return Embed{}, false
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Host == "" {
		return Embed{}, false
	}
	h := host(u)
	for _, p := range providers {
		if len(p.hosts) > 0 && !slices.Contains(p.hosts, h) {
			continue
		}
		if src := p.src(u); src != "" {
			return Embed{URL: u.String(), Provider: p.name, Src: src, What: p.what, Tall: p.tall}, true
		}
		if len(p.hosts) > 0 {
			return Embed{}, false
		}
	}
	return Embed{}, false
}

// SrcPattern is a regular expression that matches exactly the frame addresses Lookup gives:
// the sanitiser admits a facade's frame address only when it matches.
func SrcPattern() string {
	alts := make([]string, len(providers))
	for i, p := range providers {
		alts[i] = p.frames
	}
	return `^(?:` + strings.Join(alts, "|") + `)$`
}

// host is u's lower-case host name without "www." and port.
func host(u *url.URL) string {
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// canonical is u as https, without its fragment, for a provider's ?url= parameter.
func canonical(u *url.URL) string {
	c := *u
	c.Scheme, c.Fragment, c.RawFragment = "https", "", ""
	return c.String()
}

// seconds reads a YouTube start time ("90", "90s", "1m30s") as whole seconds, or "".
func seconds(t string) string {
	if t == "" {
		return ""
	}
	if reDigits.MatchString(t) && len(t) <= 6 {
		return t
	}
	n, cur := 0, 0
	for _, c := range t {
		switch {
		case c >= '0' && c <= '9':
			cur = cur*10 + int(c-'0')
		case c == 'h':
			n, cur = n+cur*3600, 0
		case c == 'm':
			n, cur = n+cur*60, 0
		case c == 's':
			n, cur = n+cur, 0
		default:
			return ""
		}
		if cur > 1e6 || n > 1e6 {
			return ""
		}
	}
	n += cur
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// reAlone is a paragraph that holds only an address: a link whose text is its address, as
// Markdown's autolinks and WordPress write it, or the bare address.
var reAlone = regexp.MustCompile(`<p>\s*(?:<a href="([^"<>]{1,1000})"(?: rel="[^"<>]*")?>([^<>]{1,1000})</a>|(https?://[^\s<>"]{1,1000}))\s*</p>`)

// HTML returns body with each paragraph that holds only an address replaced: a recognised
// address by its facade, an address of another site that cards describes (fetched when the
// story was saved) by a link card. Other addresses stay links. body is HTML as a Markdown
// renderer or an importer writes it, before sanitising.
func HTML(body string, cards ...Card) string {
	if !strings.Contains(body, "http") {
		return body
	}
	return reAlone.ReplaceAllStringFunc(body, func(p string) string {
		raw, ok := alone(p)
		if !ok {
			return p
		}
		var card *Card
		if i := indexCard(cards, raw); i >= 0 {
			card = &cards[i]
		}
		if e, ok := Lookup(raw); ok {
			return Facade(e, card)
		}
		if card != nil {
			return LinkCard(*card)
		}
		return p
	})
}

// alone returns the address a paragraph matched by reAlone holds, unless it is a link with
// words of its own.
func alone(p string) (string, bool) {
	m := reAlone.FindStringSubmatch(p)
	if m[3] != "" {
		return html.UnescapeString(m[3]), true
	}
	href, text := html.UnescapeString(m[1]), html.UnescapeString(strings.TrimSpace(m[2]))
	if href != text {
		return "", false // a link with words of its own is a link, not an embed
	}
	return href, true
}

// Addresses returns the http and https addresses that stand alone in a paragraph of body
// (HTML before sanitising, as HTML takes it), in order and without repeats: those whose card
// a save fetches.
func Addresses(body string) []string {
	if !strings.Contains(body, "http") {
		return nil
	}
	var out []string
	for _, p := range reAlone.FindAllString(body, -1) {
		raw, ok := alone(p)
		if !ok || slices.Contains(out, raw) {
			continue
		}
		if u, err := url.Parse(raw); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			out = append(out, raw)
		}
	}
	return out
}

// Facade is the HTML of an embed before the reader asks for it: a link to the address, with
// the provider's name, what it holds, and a note that opening it loads content from the
// provider; with the card fetched at save, when there is one, its title, author and locally
// stored thumbnail. The site's script turns a click on it into the provider's frame.
func Facade(e Embed, card *Card) string {
	slug := strings.ToLower(strings.ReplaceAll(e.Provider, " ", "-"))
	class := "embed is-provider-" + slug
	if e.Tall {
		class += " is-tall"
	}
	name := html.EscapeString(e.Provider)
	var b strings.Builder
	b.WriteString(`<figure class="` + class + `"><a class="embed-facade" href="` + html.EscapeString(e.URL) +
		`" data-embed="` + html.EscapeString(e.Src) + `" data-provider="` + name + `">`)
	if card != nil {
		writeThumb(&b, *card)
	}
	b.WriteString(`<span class="embed-what">` + html.EscapeString(e.What) + ` on ` + name + `</span>`)
	if card != nil {
		writeWords(&b, *card, false)
	}
	b.WriteString(`<span class="embed-url">` + html.EscapeString(displayURL(e.URL)) + `</span>` +
		`<span class="embed-note">Load it here: content from ` + name + `, which may set cookies</span>` +
		`</a></figure>`)
	return b.String()
}

// LinkCard is the HTML of an address of a site that is not a built-in provider: a link with the
// title, author, provider and locally stored thumbnail its oEmbed description gave at save
// time. It never loads anything from the site; following the link leaves for it.
func LinkCard(c Card) string {
	var b strings.Builder
	b.WriteString(`<figure class="embed embed-card"><a href="` + html.EscapeString(c.URL) + `">`)
	writeThumb(&b, c)
	writeWords(&b, c, true)
	b.WriteString(`<span class="embed-url">` + html.EscapeString(displayURL(c.URL)) + `</span></a></figure>`)
	return b.String()
}

func writeThumb(b *strings.Builder, c Card) {
	if c.Thumb == "" || !strings.HasPrefix(c.Thumb, "/") || strings.HasPrefix(c.Thumb, "//") {
		return // only a picture of the site's own library: a reader's browser asks no one else
	}
	b.WriteString(`<img class="embed-thumb" src="` + html.EscapeString(c.Thumb) + `" alt=""`)
	if c.ThumbWidth > 0 && c.ThumbHeight > 0 {
		b.WriteString(` width="` + strconv.Itoa(c.ThumbWidth) + `" height="` + strconv.Itoa(c.ThumbHeight) + `"`)
	}
	b.WriteString(` loading="lazy">`)
}

func writeWords(b *strings.Builder, c Card, provider bool) {
	if c.Title != "" {
		b.WriteString(`<span class="embed-title">` + html.EscapeString(c.Title) + `</span>`)
	}
	if c.Author != "" {
		b.WriteString(`<span class="embed-author">` + html.EscapeString(c.Author) + `</span>`)
	}
	if provider && c.Provider != "" {
		b.WriteString(`<span class="embed-provider">` + html.EscapeString(c.Provider) + `</span>`)
	}
}

// displayURL is an address shortened for reading: no scheme, at most 80 characters.
func displayURL(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	if r := []rune(u); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return u
}

// reDataEmbed finds the frame addresses of the facades in sanitised HTML.
var reDataEmbed = regexp.MustCompile(`data-embed="(https://[^"/]{1,250})/`)

// Frames returns the origins (https://host) of the frames that the facades in body may load,
// sorted and without repeats, for the page's Content-Security-Policy frame-src.
func Frames(body string) []string {
	if !strings.Contains(body, "data-embed=") {
		return nil
	}
	var origins []string
	for _, m := range reDataEmbed.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(origins, m[1]) {
			origins = append(origins, m[1])
		}
	}
	slices.Sort(origins)
	return origins
}

// Stored returns the cards that a story's stored HTML (as HTML made it, then sanitised) shows,
// so that a save reuses them instead of fetching again. Only pictures of the site's own library
// count as thumbnails.
func Stored(body string) []Card {
	if !strings.Contains(body, `class="embed`) {
		return nil
	}
	nodes, err := nethtml.ParseFragment(strings.NewReader(body), &nethtml.Node{Type: nethtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return nil
	}
	var cards []Card
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		if n.Type == nethtml.ElementNode && n.DataAtom == atom.Figure && hasWord(nodeAttr(n, "class"), "embed") {
			if c, ok := storedCard(n); ok {
				cards = append(cards, c)
			}
			return
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return cards
}

// storedCard reads one figure that Facade or LinkCard wrote; a facade without a title holds no
// card.
func storedCard(fig *nethtml.Node) (Card, bool) {
	var c Card
	var a *nethtml.Node
	for k := fig.FirstChild; k != nil; k = k.NextSibling {
		if k.DataAtom == atom.A {
			a = k
		}
	}
	if a == nil {
		return c, false
	}
	c.URL = nodeAttr(a, "href")
	for k := a.FirstChild; k != nil; k = k.NextSibling {
		switch cl := nodeAttr(k, "class"); {
		case k.DataAtom == atom.Img && cl == "embed-thumb":
			c.Thumb = nodeAttr(k, "src")
			c.ThumbWidth, _ = strconv.Atoi(nodeAttr(k, "width"))
			c.ThumbHeight, _ = strconv.Atoi(nodeAttr(k, "height"))
		case cl == "embed-title":
			c.Title = nodeText(k)
		case cl == "embed-author":
			c.Author = nodeText(k)
		case cl == "embed-provider":
			c.Provider = nodeText(k)
		}
	}
	if e, ok := Lookup(c.URL); ok {
		c.Provider = e.Provider
	}
	if !strings.HasPrefix(c.Thumb, "/") || strings.HasPrefix(c.Thumb, "//") {
		c.Thumb, c.ThumbWidth, c.ThumbHeight = "", 0, 0
	}
	return c, c.URL != "" && c.Title != ""
}

func nodeAttr(n *nethtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func nodeText(n *nethtml.Node) string {
	var b strings.Builder
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		if n.Type == nethtml.TextNode {
			b.WriteString(n.Data)
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Providers returns the names of the built-in providers, in the order Lookup tries them.
func Providers() []string {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = p.name
	}
	return names
}

// reFacade is a facade as the article sanitiser writes it (attributes in name order).
var reFacade = regexp.MustCompile(`^<a class="embed-facade" data-embed="([^"<>]+)" data-provider="([A-Za-z ]{1,40})" href="[^"<>]*">(.*)</a>$`)

// reWhat is a facade's label.
var reWhat = regexp.MustCompile(`<span class="embed-(?:title|what)">([^<]{0,400})</span>`)

// Immediate returns sanitised body with the facades of the providers that load names (the
// site's choice, for providers it trusts, such as its own charts) replaced by their frames,
// which load with the page. The frame addresses are the facades' own, which the sanitiser
// checked against SrcPattern; the page's frame-src is Frames of body either way.
func Immediate(body string, load []string) string {
	const start = `<a class="embed-facade"`
	if len(load) == 0 || !strings.Contains(body, start) {
		return body
	}
	var b strings.Builder
	for {
		i := strings.Index(body, start)
		if i < 0 {
			break
		}
		j := strings.Index(body[i:], "</a>")
		if j < 0 {
			break
		}
		a := body[i : i+j+len("</a>")]
		b.WriteString(body[:i])
		body = body[i+len(a):]
		m := reFacade.FindStringSubmatch(a)
		if m == nil || !slices.Contains(load, m[2]) {
			b.WriteString(a)
			continue
		}
		label := m[2]
		if w := reWhat.FindAllStringSubmatch(m[3], -1); len(w) > 0 {
			label += ": " + w[len(w)-1][1] // the title when the card has one, else what it is
		}
		b.WriteString(`<iframe class="embed-frame" src="` + m[1] + `" title="` + label + `" loading="lazy"` +
			` allow="encrypted-media; picture-in-picture; fullscreen; clipboard-write" allowfullscreen` +
			` referrerpolicy="strict-origin-when-cross-origin"></iframe>`)
	}
	b.WriteString(body)
	return b.String()
}
