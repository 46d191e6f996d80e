package importer

import (
	"html"
	"regexp"
	"strings"

	nethtml "golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/wxr"
)

// wordpressHTML turns WordPress post content into the HTML it displays, in the order package wxr
// recommends: shortcodes (galleries by c), then block comments removed from block-editor content, or automatic
// paragraphs for the classic kind.
func wordpressHTML(c wxr.Converter, content string) string {
	s := c.Shortcodes(content)
	if wxr.HasBlocks(s) {
		return wxr.StripBlockComments(s)
	}
	return wxr.Autop(s)
}

// textHTML turns plain text (paragraphs at blank lines) into HTML, as WordPress would show it.
func textHTML(text string) string {
	return wxr.Autop(escapeText(text))
}

// escapeText escapes the three characters that would make text markup. Quotes stay as they
// are, since the result is never an attribute value.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// looksLikeHTML reports whether s holds a tag or a character reference, so that a feed's
// description is read as HTML rather than as text.
func looksLikeHTML(s string) bool {
	return reTagOrEntity.MatchString(s)
}

var reTagOrEntity = regexp.MustCompile(`<[a-zA-Z/!]|&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);`)

// markdownSafe returns HTML that a CommonMark renderer passes through unchanged: one raw HTML
// block. CommonMark ends an HTML block that starts with a block-level tag only at a blank line,
// so blank lines are removed (inside <pre>, where they count, an empty line becomes a character
// reference for the line break), and a body that does not start with such a tag is wrapped in a
// <div>. Without this, text between blocks would be read as Markdown: "*" would become
// emphasis and indented lines code.
func markdownSafe(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	pre, pending := 0, 0
	for line := range strings.SplitSeq(s, "\n") {
		blank := strings.TrimSpace(line) == ""
		switch {
		case blank && pre == 0:
			// Between blocks white space does not matter.
		case blank && line == "":
			pending++
		case blank:
			// A line of spaces inside <pre>: make the first one a reference, so the line is not blank.
			b.WriteString(refFor(line[0]) + line[1:] + "\n")
		default:
			for ; pending > 0; pending-- {
				b.WriteString("&#10;")
			}
			b.WriteString(line)
			b.WriteByte('\n')
		}
		pre += countTag(line, "<pre") - countTag(line, "</pre")
		pre = max(pre, 0)
		if pre == 0 && pending > 0 {
			pending = 0
		}
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if !startsHTMLBlock(out) {
		out = "<div>\n" + out + "\n</div>"
	}
	return out
}

// refFor is the character reference of a white-space byte.
func refFor(c byte) string {
	if c == '\t' {
		return "&#9;"
	}
	return "&#32;"
}

// countTag counts the case-insensitive occurrences of the tag opening prefix in line, followed
// by a character that ends a tag name.
func countTag(line, prefix string) int {
	n := 0
	lower := strings.ToLower(line)
	for i := 0; ; {
		j := strings.Index(lower[i:], prefix)
		if j < 0 {
			return n
		}
		i += j + len(prefix)
		if i == len(lower) || strings.IndexByte(" \t\n>/", lower[i]) >= 0 {
			n++
		}
	}
}

// isHTMLBlockTag reports whether a tag name starts a CommonMark HTML block of the sixth kind,
// which only a blank line ends.
func isHTMLBlockTag(name string) bool {
	switch name {
	case "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
		"col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
		"figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
		"header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav",
		"noframes", "ol", "optgroup", "option", "p", "param", "search", "section", "summary", "table",
		"tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul":
		return true
	}
	return false
}

// startsHTMLBlock reports whether s begins with a tag that starts a CommonMark HTML block of the
// sixth kind, as goldmark reads them.
func startsHTMLBlock(s string) bool {
	if !strings.HasPrefix(s, "<") {
		return false
	}
	s = strings.TrimPrefix(s[1:], "/")
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if !isHTMLBlockTag(strings.ToLower(s[:i])) {
		return false
	}
	rest := s[i:]
	// CommonMark allows a tab after the name too, but goldmark does not start a block there: such
	// a body gets its <div>, which does.
	return rest == "" || strings.IndexByte(" \n>", rest[0]) >= 0 || strings.HasPrefix(rest, "/>")
}

// commentText turns a comment's HTML, as WordPress and Disqus keep it, into the plain text
// Broadsheet stores (comment.Render makes paragraphs, quotes and links of it again): tags go,
// character references are decoded, line breaks and paragraphs become newlines, block quotes
// become "> " lines and a link keeps its address beside its text.
func commentText(s string) string {
	if !strings.Contains(s, "<") {
		// Text without markup is kept as it is, so that a Broadsheet export reads back unchanged.
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		return strings.TrimSpace(html.UnescapeString(s))
	}
	z := nethtml.NewTokenizer(strings.NewReader(s))
	type frame struct {
		b    strings.Builder
		tag  string
		href string
	}
	stack := []*frame{{}}
	top := func() *frame { return stack[len(stack)-1] }
	para := func() {
		b := &top().b
		t := strings.TrimRight(b.String(), " \t")
		if t != "" && !strings.HasSuffix(t, "\n\n") {
			b.Reset()
			b.WriteString(strings.TrimRight(t, "\n") + "\n\n")
		}
	}
	closeFrame := func() {
		f := top()
		stack = stack[:len(stack)-1]
		inner := f.b.String()
		out := &top().b
		switch f.tag {
		case "a":
			text := strings.TrimSpace(inner)
			switch {
			case f.href == "" || !strings.HasPrefix(f.href, "http"):
				out.WriteString(inner)
			case text == "" || strings.Contains(text, f.href) || isShortened(text, f.href):
				out.WriteString(f.href)
			default:
				out.WriteString(inner + " (" + f.href + ")")
			}
		case "blockquote":
			para()
			inner = strings.Trim(tidyText(inner), "\n")
			for line := range strings.SplitSeq(inner, "\n") {
				out.WriteString(strings.TrimRight("> "+line, " ") + "\n")
			}
			out.WriteString("\n")
		}
	}
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			for len(stack) > 1 {
				closeFrame()
			}
			return strings.TrimSpace(tidyText(top().b.String()))
		case nethtml.TextToken:
			if skip == 0 {
				top().b.Write(z.Text())
			}
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "template", "iframe", "object", "svg", "math":
				if tt == nethtml.StartTagToken {
					skip++
				}
			case "br":
				top().b.WriteString("\n")
			case "p", "div", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr":
				para()
			case "li":
				b := &top().b
				if t := b.String(); t != "" && !strings.HasSuffix(t, "\n") {
					b.WriteString("\n")
				}
				b.WriteString("- ")
			case "img":
				src, alt := "", ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "src":
						src = string(v)
					case "alt":
						alt = string(v)
					}
				}
				if strings.HasPrefix(src, "http") {
					top().b.WriteString(" " + src + " ")
				} else if alt != "" {
					top().b.WriteString(alt)
				}
			case "a", "blockquote":
				if tt == nethtml.SelfClosingTagToken {
					break
				}
				f := &frame{tag: tag}
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						f.href = strings.TrimSpace(string(v))
					}
				}
				stack = append(stack, f)
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "template", "iframe", "object", "svg", "math":
				skip = max(skip-1, 0)
			case "p", "div", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr":
				para()
			case "a", "blockquote":
				for i := len(stack) - 1; i > 0; i-- {
					if stack[i].tag == tag {
						for len(stack) > i {
							closeFrame()
						}
						break
					}
				}
			}
		}
	}
}

// isShortened reports whether a link's text is its address, shortened as WordPress and Disqus
// show long addresses ("https://example.org/a-long-pa…").
func isShortened(text, href string) bool {
	if !strings.HasPrefix(text, "http") && !strings.HasPrefix(text, "www.") {
		return false
	}
	text = strings.TrimSuffix(strings.TrimSuffix(text, "…"), "...")
	return strings.Contains(href, text)
}

// tidyText normalises a comment's line breaks: no carriage returns, no white space at line
// ends, at most one blank line in a row, none at either end.
func tidyText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			continue
		}
		if len(out) > 0 && blank > 0 {
			out = append(out, "")
		}
		blank = 0
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// plainTitle is a headline as readers see it: tags removed, character references decoded,
// white space collapsed.
func plainTitle(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = reComment.ReplaceAllString(s, "")
		s = reTag.ReplaceAllString(s, "")
		s = html.UnescapeString(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// plainParagraphs is WordPress HTML (an attachment's description) as plain text: its paragraphs
// separated by a blank line, its line breaks kept, other white space collapsed.
func plainParagraphs(s string) string {
	s = reComment.ReplaceAllString(s, "")
	s = reBreak.ReplaceAllString(s, "\n")
	s = reBlock.ReplaceAllString(s, "\n\n")
	s = html.UnescapeString(reTag.ReplaceAllString(s, ""))
	var paras []string
	for _, p := range reBlank.Split(s, -1) {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(paras, "\n\n")
}

var (
	reBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	reBlock = regexp.MustCompile(`(?i)</?(?:p|div|h[1-6]|li|ul|ol|blockquote|figure|figcaption)\b[^<>]*>`)
	reBlank = regexp.MustCompile(`\n[ \t\r]*\n`)
)

var (
	reTag     = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)
	reComment = regexp.MustCompile(`(?s)<!--.*?-->`)
)
