package article

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/highlight"
)

// Sanitizer cleans untrusted HTML; *sanitize.Policy is the one the product uses.
type Sanitizer interface {
	Article(html string) string
	Text(html string) string
}

// Renderer turns an editor's Markdown (which may embed HTML, as imported WordPress posts do) into
// the safe HTML a reader sees. Build one at start-up; it is safe for concurrent use.
type Renderer struct {
	md  goldmark.Markdown
	san Sanitizer
}

// NewRenderer returns a Renderer with CommonMark plus tables, strikethrough, autolinks,
// footnotes and the "[TOC]" table of contents (toc.go).
// Raw HTML passes through goldmark and is then cleaned by san.
func NewRenderer(san Sanitizer) *Renderer {
	return &Renderer{
		md: goldmark.New(
			goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify, extension.Typographer,
				extension.Footnote, tocExtension{}),
			goldmark.WithRendererOptions(html.WithUnsafe()),
		),
		san: san,
	}
}

// HTML renders Markdown source to sanitised HTML. An address alone on its line that a provider
// of package embed recognises becomes that embed's facade, and another site's address that
// cards describe (fetched when the story was saved) a link card, before sanitising like all
// of the body; the code blocks of known languages are coloured on the server (highlight.HTML,
// which only adds spans to the sanitised text).
func (r *Renderer) HTML(src string, cards ...embed.Card) (string, error) {
	raw, err := r.markdown(src)
	if err != nil {
		return "", err
	}
	return highlight.HTML(r.san.Article(embed.HTML(raw, cards...))), nil
}

func (r *Renderer) markdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(boundNesting(src)), &buf); err != nil {
		return "", fmt.Errorf("article: render markdown: %w", err)
	}
	return buf.String(), nil
}

// Addresses returns the web addresses that stand alone on their lines in Markdown source: those
// a save fetches cards for (embed.Fetcher).
func (r *Renderer) Addresses(src string) ([]string, error) {
	raw, err := r.markdown(src)
	if err != nil {
		return nil, err
	}
	return embed.Addresses(raw), nil
}

// PlainText is the text of rendered HTML, for search, feeds and meta descriptions.
func (r *Renderer) PlainText(html string) string {
	return r.san.Text(html)
}

// Prepare fills the derived fields of a before it is stored: the rendered body (with the embed
// cards fetched for its addresses, if any) and, when the editor left it empty, the slug from
// the title. It validates first.
func (r *Renderer) Prepare(a *Article, cards ...embed.Card) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Kind == "" {
		a.Kind = Story
	}
	if a.Slug == "" {
		a.Slug = Slugify(a.Title)
	}
	h, err := r.HTML(a.Body, cards...)
	if err != nil {
		return err
	}
	a.BodyHTML = h
	a.BodyText = r.PlainText(WithoutTOC(h))
	return nil
}

// Nesting limits of boundNesting. A CommonMark parser's cost grows with the square of the depth
// of nested lists and quotes, so an unbounded depth would let one pasted body hold the server
// for minutes; no story needs more than a few levels.
const (
	maxIndent = 64 // columns of leading white space
	maxQuotes = 32 // block quote markers
)

// boundNesting returns src with the leading white space of each line cut to maxIndent columns
// and its block quote markers to maxQuotes, outside fenced code blocks, whose lines are kept as
// they are. Deeper lines join the deepest level allowed; no text is lost.
func boundNesting(src string) string {
	var b strings.Builder
	changed, fence, at := false, "", 0
	for line := range strings.SplitAfterSeq(src, "\n") {
		start := at
		at += len(line)
		trimmed := strings.TrimLeft(line, " \t")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
		} else if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
		} else if cut := boundLine(line, trimmed); cut != line {
			if !changed {
				b.Grow(len(src))
				b.WriteString(src[:start])
				changed = true
			}
			line = cut
		}
		if changed {
			b.WriteString(line)
		}
	}
	if !changed {
		return src
	}
	return b.String()
}

// boundLine cuts one line's indentation and quote markers; trimmed is line without its
// leading white space.
func boundLine(line, trimmed string) string {
	cols := 0
	for _, c := range line[:len(line)-len(trimmed)] {
		if c == '\t' {
			cols += 4 - cols%4
		} else {
			cols++
		}
	}
	if cols > maxIndent {
		line = strings.Repeat(" ", maxIndent) + trimmed
	}
	quotes, i := 0, len(line)-len(trimmed)
	for ; i < len(line) && (line[i] == '>' || line[i] == ' '); i++ {
		if line[i] == '>' {
			quotes++
		}
	}
	if quotes > maxQuotes {
		line = line[:len(line)-len(trimmed)] + strings.Repeat(">", maxQuotes) + " " + line[i:]
	}
	return line
}
