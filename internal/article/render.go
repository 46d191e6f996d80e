package article

import (
	"bytes"
	"fmt"

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

// NewRenderer returns a Renderer with CommonMark plus tables, strikethrough and autolinks.
// Raw HTML passes through goldmark and is then cleaned by san.
func NewRenderer(san Sanitizer) *Renderer {
	return &Renderer{
		md: goldmark.New(
			goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify, extension.Typographer),
			goldmark.WithRendererOptions(html.WithUnsafe()),
		),
		san: san,
	}
}

// HTML renders Markdown source to sanitised HTML. An address alone on its line that a provider
// of package embed recognises becomes that embed's facade (before sanitising, like all of the
// body), and the code blocks of known languages are coloured on the server (highlight.HTML,
// which only adds spans to the sanitised text).
func (r *Renderer) HTML(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("article: render markdown: %w", err)
	}
	return highlight.HTML(r.san.Article(embed.HTML(buf.String()))), nil
}

// PlainText is the text of rendered HTML, for search, feeds and meta descriptions.
func (r *Renderer) PlainText(html string) string {
	return r.san.Text(html)
}

// Prepare fills the derived fields of a before it is stored: the rendered body and, when the
// editor left it empty, the slug from the title. It validates first.
func (r *Renderer) Prepare(a *Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Kind == "" {
		a.Kind = Story
	}
	if a.Slug == "" {
		a.Slug = Slugify(a.Title)
	}
	h, err := r.HTML(a.Body)
	if err != nil {
		return err
	}
	a.BodyHTML = h
	a.BodyText = r.PlainText(h)
	return nil
}
