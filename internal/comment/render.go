package comment

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Render turns a comment's plain text into safe HTML: paragraphs at blank lines, line breaks,
// "> " quoted lines as block quotes, and web addresses as links marked rel="nofollow ugc". No
// HTML the reader typed survives as markup: it is shown as text.
func Render(text string) string {
	text = strings.ToValidUTF8(strings.ReplaceAll(text, "\r\n", "\n"), "\uFFFD")
	text = strings.Map(func(r rune) rune {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, text)
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n ")
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		quote := true
		for _, l := range lines {
			if !strings.HasPrefix(l, ">") {
				quote = false
				break
			}
		}
		if quote {
			for i, l := range lines {
				lines[i] = strings.TrimPrefix(strings.TrimPrefix(l, ">"), " ")
			}
			b.WriteString("<blockquote><p>")
		} else {
			b.WriteString("<p>")
		}
		for i, l := range lines {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			linkify(&b, l)
		}
		if quote {
			b.WriteString("</p></blockquote>\n")
		} else {
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}

// linkify writes line escaped, with http(s) and www. addresses as links.
func linkify(b *strings.Builder, line string) {
	for line != "" {
		i := urlStart(line)
		if i < 0 {
			b.WriteString(html.EscapeString(line))
			return
		}
		b.WriteString(html.EscapeString(line[:i]))
		line = line[i:]
		n := urlLen(line)
		u := line[:n]
		lower := strings.ToLower(u)
		var href, rest string
		switch {
		case strings.HasPrefix(lower, "https://"):
			href, rest = "https://"+u[8:], u[8:]
		case strings.HasPrefix(lower, "http://"):
			href, rest = "http://"+u[7:], u[7:]
		default: // www.
			href, rest = "http://"+u, u[min(4, len(u)):]
		}
		if len(strings.Trim(rest, "/")) < 3 {
			// Too short to be an address ("www", "http://"): plain text.
			b.WriteString(html.EscapeString(line[:max(n, 1)]))
			line = line[max(n, 1):]
			continue
		}
		b.WriteString(`<a href="` + html.EscapeString(href) + `" rel="nofollow ugc">` + html.EscapeString(u) + `</a>`)
		line = line[n:]
	}
}

// urlStart finds the next address at a word boundary, or -1.
func urlStart(s string) int {
	lower := strings.ToLower(s)
	best := -1
	for _, p := range []string{"https://", "http://", "www."} {
		off := 0
		for {
			i := strings.Index(lower[off:], p)
			if i < 0 {
				break
			}
			i += off
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			if i == 0 || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '.') {
				if len(s) > i+len(p) && !unicode.IsSpace(rune(s[i+len(p)])) {
					if best < 0 || i < best {
						best = i
					}
					break
				}
			}
			off = i + len(p)
		}
	}
	return best
}

// urlLen is the length of the address at the start of s: up to white space or a quote, without
// trailing punctuation that usually ends the sentence rather than the address.
func urlLen(s string) int {
	n := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || r == '\'' || r == '`'
	})
	if n < 0 {
		n = len(s)
	}
	for n > 0 && strings.ContainsRune(".,;:!?)]}", rune(s[n-1])) {
		if s[n-1] == ')' && strings.Count(s[:n], "(") >= strings.Count(s[:n], ")") {
			break
		}
		n--
	}
	return n
}

// CountLinks counts the web addresses in a comment, as the link-hold rule sees them.
func CountLinks(text string) int {
	n := 0
	lower := strings.ToLower(text)
	for _, p := range []string{"http://", "https://", "<a "} {
		n += strings.Count(lower, p)
	}
	return n
}
