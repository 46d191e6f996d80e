package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/feed"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// The keys of the site's identity settings.
const (
	keyLogo   = "site.logo"
	keyAccent = "site.accent"
	keyMenu   = "site.menu"
	keyFooter = "site.footer"
)

// siteLogo is the site's logo: a raster picture from the media library, and optionally an SVG
// drawn at the same place. Feeds, JSON-LD and the favicon use the raster (search engines and
// feed readers want one); the header and the browser's tab prefer the SVG.
type siteLogo struct {
	// Item is the library picture; Src (a rendition about 600 pixels wide), Width and Height
	// are what publisher.logo and feeds name, Icon the smallest rendition, for the favicon.
	Item          int64  `json:"item,omitempty"`
	Src           string `json:"src,omitempty"`
	Width, Height int    `json:",omitempty"`
	Icon          string `json:"icon,omitempty"`
	// SVG is the hash under which the SVG version is kept in the media store (HASH/logo.svg);
	// SVGWidth and SVGHeight are its intrinsic size.
	SVG                 string `json:"svg,omitempty"`
	SVGWidth, SVGHeight int    `json:",omitempty"`
}

// menuItem is one entry of the navigation menu: a section or a page (by ID, so that a renamed
// one keeps its place), or an outside address.
type menuItem struct {
	Kind  string `json:"kind"` // "section", "page" or "link"
	ID    int64  `json:"id,omitempty"`
	URL   string `json:"url,omitempty"`
	Label string `json:"label,omitempty"`
}

// menuLink is a menu entry as the header shows it.
type menuLink struct {
	Label, URL string
}

// logoView is the logo as the header shows it.
type logoView struct {
	Src           string
	Width, Height int
}

// readIdentity gives the stored identity settings their types; unreadable values are left out.
func (st *siteSettings) readIdentity(kv map[string]string) {
	if v := kv[keyLogo]; v != "" {
		json.Unmarshal([]byte(v), &st.Logo)
	}
	if validAccent(kv[keyAccent]) {
		st.Accent = strings.ToLower(kv[keyAccent])
	}
	if v, ok := kv[keyMenu]; ok && v != "" {
		if json.Unmarshal([]byte(v), &st.Menu) == nil {
			st.MenuSet = true
		}
	}
	st.Footer = kv[keyFooter]
	st.Front = readFrontPlan(kv[keyFrontPlan])
}

// identityKV is the logo, accent colour and footer as the store keeps them.
func (st siteSettings) identityKV() map[string]string {
	logo, _ := json.Marshal(st.Logo)
	return map[string]string{keyLogo: string(logo), keyAccent: st.Accent, keyFooter: st.Footer}
}

// menuKV is the menu as the store keeps it.
func (st siteSettings) menuKV() map[string]string {
	menu, _ := json.Marshal(st.Menu)
	return map[string]string{keyMenu: string(menu)}
}

var accentPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// validAccent reports whether v is a colour the theme takes: #rrggbb.
func validAccent(v string) bool { return accentPattern.MatchString(v) }

// siteCSS is the style sheet of the identity settings: the accent colour as the theme's custom
// property. It is a file of its own, not an inline style, so the strict CSP stays as it is.
func (st siteSettings) siteCSS() []byte {
	if st.Accent == "" {
		return nil
	}
	return []byte(":root { --accent: " + st.Accent + "; }\n")
}

// siteCSSURL is the address of the identity style sheet, versioned by its content so that it
// is cached for good; "" when there is nothing in it.
func (st siteSettings) siteCSSURL() string {
	css := st.siteCSS()
	if css == nil {
		return ""
	}
	sum := sha256.Sum256(css)
	return "/site.css?v=" + hex.EncodeToString(sum[:6])
}

// handleSiteCSS serves GET /site.css: the accent colour. The versioned address pages link to
// is immutable; any other answer is revalidated.
func (s *Server) handleSiteCSS(w http.ResponseWriter, r *http.Request) {
	st := s.settings()
	css := st.siteCSS()
	resp := newResponse(http.StatusOK, "text/css; charset=utf-8", css)
	resp.cacheControl = "no-cache"
	if u := st.siteCSSURL(); u != "" && r.URL.RequestURI() == u {
		resp.cacheControl = "public, max-age=31536000, immutable"
	}
	resp.write(w, r)
}

// svgPolicy is the Content-Security-Policy of a served SVG logo: whoever opens it as a page
// gets a sandboxed document that runs no script and loads nothing.
const svgPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// handleLogoSVG serves GET /logo/{hash}.svg, the SVG logo. An SVG is a document that may carry
// script, so it is served sandboxed; in an <img> browsers never run it anyway.
func (s *Server) handleLogoSVG(w http.ResponseWriter, r *http.Request) {
	hash, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	if !ok || s.cfg.Media == nil || !media.ValidName(hash+"/logo.svg") {
		s.fail(w, r, store.ErrNotFound)
		return
	}
	f, err := s.media().Files.Open(r.Context(), hash+"/logo.svg")
	if err != nil {
		s.fail(w, r, store.ErrNotFound)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", svgPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"logo-`+hash+`"`)
	http.ServeContent(w, r, "", f.Info().ModTime, f)
}

// maxSVG is the largest SVG logo accepted.
const maxSVG = 512 << 10

// errNotSVG is an upload that is not an SVG image.
var errNotSVG = errors.New("not an SVG image")

// svgSize checks that data is an SVG document and returns its intrinsic size: its width and
// height in pixels, or else its viewBox's.
func svgSize(data []byte) (w, h int, err error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err != nil {
			return 0, 0, errNotSVG
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != "svg" {
			return 0, 0, errNotSVG
		}
		var vb string
		for _, a := range el.Attr {
			n := strings.TrimSuffix(strings.TrimSpace(a.Value), "px")
			switch a.Name.Local {
			case "width":
				w = int(parseNum(n))
			case "height":
				h = int(parseNum(n))
			case "viewBox":
				vb = a.Value
			}
		}
		if (w <= 0 || h <= 0) && vb != "" {
			if f := strings.Fields(strings.ReplaceAll(vb, ",", " ")); len(f) == 4 {
				w, h = int(parseNum(f[2])), int(parseNum(f[3]))
			}
		}
		if w <= 0 || h <= 0 {
			w, h = 300, 150 // a browser's default size of a replaced element
		}
		return w, h, nil
	}
}

func parseNum(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e5 {
		return 0
	}
	return f
}

// putSVGLogo keeps an SVG logo in the media store and returns its hash.
func (s *Server) putSVGLogo(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:16])
	err := s.media().Files.Put(ctx, hash+"/logo.svg", bytes.NewReader(data))
	if err != nil && !errors.Is(err, media.ErrExist) {
		return "", err
	}
	return hash, nil
}

// rasterLogo fills the raster half of a logo from a library picture.
func rasterLogo(it *media.Item, l *siteLogo) {
	l.Item = it.ID
	fit := it.Fit(600)
	l.Src, l.Width, l.Height = media.URL(fit.File), fit.Width, fit.Height
	if len(it.Sizes) > 0 {
		l.Icon = media.URL(it.Sizes[0].File)
	} else {
		l.Icon = l.Src
	}
}

// headerLogo is the logo the header shows, or nil.
func (st siteSettings) headerLogo() *logoView {
	switch l := st.Logo; {
	case l.SVG != "":
		return &logoView{Src: "/logo/" + l.SVG + ".svg", Width: l.SVGWidth, Height: l.SVGHeight}
	case l.Src != "":
		return &logoView{Src: l.Src, Width: l.Width, Height: l.Height}
	}
	return nil
}

// icon is the address and type of the site's icon, or the built-in one.
func (s *Server) icon() (href, typ string) {
	switch l := s.settings().Logo; {
	case l.SVG != "":
		return "/logo/" + l.SVG + ".svg", "image/svg+xml"
	case l.Icon != "":
		return l.Icon, ""
	}
	return s.assets.url("favicon.svg"), "image/svg+xml"
}

// ldLogo is schema.org's ImageObject, the publisher's logo.
type ldLogo struct {
	Type   string `json:"@type"`
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// publisherLD is the site as the publisher of its stories, with its raster logo.
func (s *Server) publisherLD() ldOrg {
	org := ldOrg{Type: "NewsMediaOrganization", Name: s.cfg.Title, URL: s.abs("/")}
	if l := s.settings().Logo; l.Src != "" {
		org.Logo = &ldLogo{Type: "ImageObject", URL: s.abs(l.Src), Width: l.Width, Height: l.Height}
	}
	return org
}

// menu is the navigation the header shows: the editor's menu, or every section until one is
// saved.
func (s *Server) menu(ctx context.Context, secs []article.Section) []menuLink {
	st := s.settings()
	if !st.MenuSet {
		out := make([]menuLink, len(secs))
		for i, x := range secs {
			out[i] = menuLink{Label: x.Name, URL: "/section/" + x.Slug + "/"}
		}
		return out
	}
	var out []menuLink
	for _, it := range st.Menu {
		switch it.Kind {
		case "section":
			for _, x := range secs {
				if x.ID == it.ID {
					out = append(out, menuLink{Label: orLabel(it.Label, x.Name), URL: "/section/" + x.Slug + "/"})
				}
			}
		case "page":
			a, err := s.store.Article(ctx, it.ID)
			if err == nil && a.Live(s.now()) {
				out = append(out, menuLink{Label: orLabel(it.Label, a.Title), URL: s.permalink(a)})
			}
		case "link":
			out = append(out, menuLink{Label: orLabel(it.Label, it.URL), URL: it.URL})
		}
	}
	return out
}

func orLabel(label, name string) string {
	if label != "" {
		return label
	}
	return name
}

// validMenuURL reports whether u may be a menu link: a site path or an http(s) address.
func validMenuURL(u string) bool {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return !strings.ContainsAny(u, " \t\r\n\\")
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && p.User == nil
}

// footerHTML renders the footer text (Markdown) through the one sanitiser.
func (s *Server) footerHTML(src string) template.HTML {
	if strings.TrimSpace(src) == "" || s.cfg.Renderer == nil {
		return ""
	}
	h, err := s.cfg.Renderer.HTML(src)
	if err != nil {
		return ""
	}
	return template.HTML(h)
}

// feedLogo names the site's raster logo and icon in a feed.
func (s *Server) feedLogo(f *feed.Feed) {
	if l := s.settings().Logo; l.Src != "" {
		f.Logo, f.LogoWidth, f.LogoHeight, f.Icon = s.abs(l.Src), l.Width, l.Height, s.abs(l.Icon)
	}
}
