package feed

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// urlAttrs are the attributes whose values are one URL; srcset holds several.
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "cite": true, "longdesc": true}

// Absolute returns fragment with every URL in its href, src, srcset, poster, cite and longdesc
// attributes resolved against base, an absolute URL: a feed reader shows the HTML away from
// the site, where "/media/…" or "#fn1" would lead nowhere. Tags without such an attribute and
// all text are copied byte for byte; an absolute URL is left as it is.
func Absolute(fragment, base string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() || !strings.Contains(fragment, "=") {
		return fragment
	}
	var out strings.Builder
	out.Grow(len(fragment) + len(fragment)/8)
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String() // io.EOF: the tokenizer reads from a string and fails on nothing else
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		tok := z.Token()
		changed := false
		for i, a := range tok.Attr {
			v := a.Val
			switch {
			case a.Namespace != "":
			case urlAttrs[a.Key]:
				v = resolve(b, a.Val)
			case a.Key == "srcset":
				v = resolveSrcSet(b, a.Val)
			}
			if v != a.Val {
				tok.Attr[i].Val, changed = v, true
			}
		}
		if changed {
			out.WriteString(tok.String())
		} else {
			out.Write(raw)
		}
	}
}

// resolve returns u resolved against base, or u itself when it is absolute or no URL.
func resolve(base *url.URL, u string) string {
	t := strings.TrimSpace(u)
	if t == "" {
		return u
	}
	ref, err := url.Parse(t)
	if err != nil || ref.IsAbs() {
		return u
	}
	return base.ResolveReference(ref).String()
}

// resolveSrcSet resolves each candidate's URL of a srcset value ("a.jpg 320w, b.jpg 640w").
func resolveSrcSet(base *url.URL, v string) string {
	var parts []string
	for c := range strings.SplitSeq(v, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, desc, _ := strings.Cut(c, " ")
		c = resolve(base, u)
		if desc = strings.TrimSpace(desc); desc != "" {
			c += " " + desc
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, ", ")
}
