package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// isSkipped reports whether the content of element name is not text a
// reader sees.
func isSkipped(name string) bool {
	switch name {
	case "script", "style", "template", "noscript", "iframe", "object",
		"embed", "svg", "math", "head", "title", "select", "textarea",
		"frameset", "noframes", "noembed":
		return true
	}
	return false
}

// isBlock reports whether element name separates words, so that
// "<p>one</p><p>two</p>" becomes "one two", not "onetwo".
func isBlock(name string) bool {
	switch name {
	case "address", "article", "aside", "blockquote", "body", "br",
		"caption", "dd", "details", "div", "dl", "dt", "figcaption",
		"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
		"hr", "html", "img", "li", "main", "nav", "ol", "p", "pre",
		"section", "summary", "table", "tbody", "td", "tfoot", "th",
		"thead", "tr", "ul":
		return true
	}
	return false
}

// text implements Policy.Text.
func text(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var w textWriter
	w.b.Grow(len(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The input is a string, so the only error is io.EOF.
			return w.b.String()
		case html.TextToken:
			if skip == 0 {
				w.write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			n := string(name)
			if isSkipped(n) {
				switch {
				case tt == html.StartTagToken:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
			}
			if isBlock(n) {
				w.space()
			}
		}
	}
}

// textWriter accumulates text with runs of white space collapsed to one
// space, no leading or trailing space, and no control characters or invalid
// UTF-8.
type textWriter struct {
	b       strings.Builder
	pending bool // a space is owed before the next visible character
}

// space records a word boundary.
func (w *textWriter) space() {
	if w.b.Len() > 0 {
		w.pending = true
	}
}

// write appends decoded text.
func (w *textWriter) write(p []byte) {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		p = p[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			continue
		case unicode.IsSpace(r):
			w.space()
			continue
		case unicode.IsControl(r):
			continue
		}
		if w.pending {
			w.b.WriteByte(' ')
			w.pending = false
		}
		w.b.WriteRune(r)
	}
}
