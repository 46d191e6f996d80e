// Package highlight colours the code blocks of a rendered story on the server, as Hugo does:
// the tokens get CSS classes that the site's style sheet colours, with no inline style and no
// script, so a page view computes nothing and the Content-Security-Policy stays strict.
package highlight

import (
	"html"
	"regexp"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// MaxCode is the longest code block, in bytes, that is coloured; a longer one is shown plain,
// so that a pasted log or data dump costs no more to save than its text.
const MaxCode = 64 << 10

// reBlock is a code block as the sanitiser writes it: <pre …><code class="language-go">…</code></pre>,
// with no element inside the code.
var reBlock = regexp.MustCompile(`(<pre(?: class="[^"<>]*")?><code class="(?:[^"<>]* )?language-([A-Za-z0-9_+#.-]{1,40})(?: [^"<>]*)?">)([^<]*)(</code></pre>)`)

// formatter writes tokens as spans with class names and nothing around them.
var formatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))

// HTML returns body with the text of each code block whose language is known (a
// class="language-…" on its <code>) split into coloured spans. Everything else is returned as
// it was. body must be HTML the sanitiser wrote: the result is safe as long as body is, since
// the spans hold only the block's own text, escaped again.
func HTML(body string) string {
	if !strings.Contains(body, "language-") {
		return body
	}
	return reBlock.ReplaceAllStringFunc(body, func(block string) string {
		m := reBlock.FindStringSubmatch(block)
		open, lang, code, end := m[1], m[2], m[3], m[4]
		if len(code) > MaxCode {
			return block
		}
		lexer := lexers.Get(lang)
		if lexer == nil {
			return block
		}
		it, err := chroma.Coalesce(lexer).Tokenise(nil, html.UnescapeString(code))
		if err != nil {
			return block
		}
		var b strings.Builder
		b.Grow(len(block) * 3)
		b.WriteString(open)
		if err := formatter.Format(&b, styles.Fallback, it); err != nil {
			return block
		}
		b.WriteString(end)
		return b.String()
	})
}

// CSS returns the style sheet rules that colour the spans HTML writes, scoped to code blocks
// inside selector, in GitHub's light colours. The site's style sheet holds a copy, checked by
// a test, so that serving a page computes nothing.
func CSS(selector string) string {
	var b strings.Builder
	if err := chromahtml.New(chromahtml.WithClasses(true)).WriteCSS(&b, styles.Get("github")); err != nil {
		return ""
	}
	var out strings.Builder
	for line := range strings.SplitSeq(b.String(), "\n") {
		// Keep the token rules (".chroma .kd { … }"), not those of the wrapper and line tables.
		_, rule, ok := strings.Cut(line, "*/ .chroma .")
		if !ok || strings.HasPrefix(rule, "ln") || strings.HasPrefix(rule, "line ") || strings.HasPrefix(rule, "hl ") {
			continue
		}
		out.WriteString(selector + " ." + rule + "\n")
	}
	return out.String()
}
