package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/comment"
)

// The story page's comments are written here rather than by a template: with twenty comments
// they were most of a page's template work, html/template calling an escaper through reflection
// for each of a comment's twenty values. The markup and the escaping are html/template's, byte
// for byte (TestCommentHTMLMatchesTemplate holds them to a template of the same markup).

// commentsHTML is the story template's {{commentsHTML .Thread}}: the threaded comments.
func (s *Server) commentsHTML(thread []*comment.Public) template.HTML {
	b, _ := s.views.buffers.Get().(*bytes.Buffer) // grown by earlier pages
	if b == nil {
		b = new(bytes.Buffer)
	}
	for _, c := range thread {
		s.writeComment(b, c)
	}
	out := b.String()
	if b.Cap() <= 1<<20 {
		b.Reset()
		s.views.buffers.Put(b)
	}
	return template.HTML(out)
}

// writeComment writes one comment and, nested, its replies.
func (s *Server) writeComment(b *bytes.Buffer, c *comment.Public) {
	id := strconv.FormatInt(c.ID, 10)
	b.WriteString(`<li id="comment-`)
	b.WriteString(id)
	b.WriteString(`" class="comment depth-`)
	b.WriteString(strconv.Itoa(c.Depth))
	if c.Staff {
		b.WriteString(" staff")
	}
	if c.Featured {
		b.WriteString(" featured")
	}
	if c.Pending {
		b.WriteString(" pending")
	}
	b.WriteString("\">\n  <article class=\"comment-body\" aria-label=\"Comment by ")
	escapeHTML(b, c.AuthorName)
	b.WriteString("\">\n    <footer class=\"comment-meta\">\n      <img class=\"avatar\" src=\"")
	escapeURL(b, avatarURL(c))
	b.WriteString(`" alt="" width="40" height="40">` + "\n      " + `<b class="fn">`)
	if c.AuthorURL != "" {
		b.WriteString(`<a href="`)
		escapeURL(b, c.AuthorURL)
		b.WriteString(`" rel="external nofollow ugc">`)
		escapeHTML(b, c.AuthorName)
		b.WriteString(`</a>`)
	} else {
		escapeHTML(b, c.AuthorName)
	}
	b.WriteString(`</b>`)
	if c.Staff {
		b.WriteString(` <span class="badge">Staff</span>`)
	}
	if c.Featured {
		b.WriteString(` <span class="badge badge-featured">Featured</span>`)
	}
	b.WriteString("\n      <a class=\"comment-time\" href=\"#comment-")
	b.WriteString(id)
	b.WriteString(`"><time datetime="`)
	escapeHTML(b, s.iso(c.CreatedAt))
	b.WriteString(`">`)
	escapeHTML(b, s.datetime(c.CreatedAt))
	b.WriteString("</time></a>\n      ")
	if c.Pending {
		b.WriteString(`<p class="comment-awaiting-moderation" role="status">Your comment is awaiting moderation.</p>`)
	}
	b.WriteString("\n    </footer>\n    <div class=\"comment-content\">")
	b.WriteString(c.ContentHTML) // already safe HTML, as commentHTML says
	b.WriteString("</div>\n    ")
	if !c.Pending {
		b.WriteString(`<p class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom=`)
		b.WriteString(id)
		b.WriteString(`#respond" data-commentid="`)
		b.WriteString(id)
		b.WriteString(`" data-author="`)
		escapeHTML(b, c.AuthorName)
		b.WriteString(`" aria-label="Reply to `)
		escapeHTML(b, c.AuthorName)
		b.WriteString(`">Reply</a></p>`)
	}
	b.WriteString("\n  </article>\n  ")
	if len(c.Replies) > 0 {
		b.WriteString(`<ol class="children">`)
		for _, r := range c.Replies {
			s.writeComment(b, r)
		}
		b.WriteString(`</ol>`)
	}
	b.WriteString("\n</li>")
}

// htmlEscapes is html/template's replacement table for text and quoted attribute values.
var htmlEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// escapeHTML writes s escaped for HTML text or a quoted attribute, as html/template does.
func escapeHTML(b *bytes.Buffer, s string) {
	written := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if int(r) < len(htmlEscapes) && htmlEscapes[r] != "" {
			b.WriteString(s[written:i])
			b.WriteString(htmlEscapes[r])
			written = i + w
		}
		i += w
	}
	b.WriteString(s[written:])
}

// escapeURL writes u as html/template writes a URL attribute: a scheme other than http, https
// or mailto becomes "#ZgotmplZ", bytes outside a URL's are percent-encoded, then it is escaped.
func escapeURL(b *bytes.Buffer, u string) {
	if scheme, _, ok := strings.Cut(u, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		u = "#ZgotmplZ"
	}
	var n strings.Builder
	written := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0 ||
			c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]) { // a valid escape stays
			continue
		}
		n.WriteString(u[written:i])
		n.WriteByte('%')
		n.WriteByte("0123456789abcdef"[c>>4])
		n.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	if written > 0 {
		n.WriteString(u[written:])
		u = n.String()
	}
	escapeHTML(b, u)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
