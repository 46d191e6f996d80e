package sanitize

import (
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// finish parses HTML that a bluemonday policy has already cleaned, completes
// the rel attribute of its links, and serialises it again with attributes in
// name order. Serialising from
// the parse tree closes every open element, so a body that ends inside <a>
// or <em> cannot leak a link or italics into the page around it.
//
// A link opening a new tab (target="_blank") gets rel="noopener"; when ugc
// is set every link gets rel="nofollow ugc".
func finish(s string, ugc bool) string {
	if !strings.Contains(s, "<") {
		// Escaped text only: nothing to balance.
		return s
	}
	context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), context)
	if err != nil {
		// The parser refuses elements nested more than 512 deep: keep the words, as text.
		if t := text(s); t != "" {
			return "<p>" + html.EscapeString(t) + "</p>"
		}
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, n := range nodes {
		fixLinks(n, ugc)
		if err := html.Render(&b, n); err != nil {
			return ""
		}
	}
	return b.String()
}

// fixLinks completes the rel attribute of every link under n, keeps only
// the allowed words of class attributes and puts every element's attributes
// in name order, so that sanitising twice gives the same bytes as sanitising
// once.
func fixLinks(n *html.Node, ugc bool) {
	if n.Type == html.ElementNode {
		if n.DataAtom == atom.A {
			n.Attr = linkAttrs(n.Attr, ugc)
		}
		n.Attr = layoutClasses(n.Attr)
		slices.SortStableFunc(n.Attr, func(a, b html.Attribute) int {
			return strings.Compare(a.Key, b.Key)
		})
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		fixLinks(c, ugc)
	}
}

// linkAttrs returns the attributes of one <a> element with rel completed.
func linkAttrs(attrs []html.Attribute, ugc bool) []html.Attribute {
	var href, blank bool
	rel := -1
	for i, a := range attrs {
		switch {
		case a.Namespace != "":
		case a.Key == "href":
			href = true
		case a.Key == "target" && a.Val == "_blank":
			blank = true
		case a.Key == "rel":
			rel = i
		}
	}
	var need []string
	if href && ugc {
		need = append(need, "nofollow", "ugc")
	}
	if blank {
		need = append(need, "noopener")
	}
	if len(need) == 0 {
		return attrs
	}
	if rel < 0 {
		attrs = append(attrs, html.Attribute{Key: "rel"})
		rel = len(attrs) - 1
	}
	have := strings.Fields(strings.ToLower(attrs[rel].Val))
	for _, n := range need {
		if !slices.Contains(have, n) {
			have = append(have, n)
		}
	}
	attrs[rel].Val = strings.Join(have, " ")
	return attrs
}

// layoutClasses keeps the words of a class attribute that layoutClass
// allows and drops the attribute when none is left.
func layoutClasses(attrs []html.Attribute) []html.Attribute {
	for i, a := range attrs {
		if a.Key != "class" || a.Namespace != "" {
			continue
		}
		var keep []string
		for _, c := range strings.Fields(a.Val) {
			if layoutClass(c) && !slices.Contains(keep, c) {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			return slices.Delete(attrs, i, i+1)
		}
		attrs[i].Val = strings.Join(keep, " ")
		return attrs
	}
	return attrs
}

// layoutClass reports whether a class is one the theme styles: WordPress's
// alignment, caption, size and block classes, and code languages. Anything
// else (a plugin's, an old theme's) would do nothing or, worse, something.
func layoutClass(c string) bool {
	switch c {
	case "alignleft", "alignright", "aligncenter", "alignnone", "alignwide", "alignfull",
		"wp-caption", "wp-caption-text", "wp-block-image", "wp-block-gallery", "gallery",
		"wp-block-pullquote", "pullquote", "wp-block-quote", "is-style-large", "is-large",
		"wp-block-table", "wp-block-embed", "wp-block-code", "footnotes",
		"embed", "is-tall", "embed-facade", "embed-what", "embed-url", "embed-note",
		"embed-card", "embed-thumb", "embed-title", "embed-author", "embed-provider",
		"footnote-ref", "footnote-backref", "toc":
		return true
	}
	for _, prefix := range [...]string{"size-", "has-text-align-", "language-", "columns-", "is-provider-"} {
		if rest, ok := strings.CutPrefix(c, prefix); ok {
			return rest != "" && len(rest) <= 40 && strings.Trim(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+#.-") == ""
		}
	}
	return false
}

// reH1 finds the opening and closing tags of h1 elements.
var reH1 = regexp.MustCompile(`(?i)<(/?)h1(\s|/|>)`)

// h1ToH2 renames a body's <h1> elements to <h2>, keeping their heading, since the page's
// headline is its one <h1>. The result still goes through the policy.
func h1ToH2(s string) string {
	if !strings.Contains(s, "1") {
		return s
	}
	return reH1.ReplaceAllString(s, "<${1}h2${2}")
}
