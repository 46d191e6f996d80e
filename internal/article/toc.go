package article

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A story asks for a table of contents with the line "[TOC]" alone in its body, as
// Python-Markdown and many publishing systems spell it. The marker becomes a list of links to
// the body's headings (h2, with its h3 nested), and those headings get ids: "h-" and the slug
// of their words, with -2, -3 … when words repeat, so that no id can name one of the page's
// own elements or a property of window. A body with fewer than two headings gets no list, and
// the marker disappears.

// tocMarker is the marker's text; "[toc]" and `\[TOC\]` (as the visual editor writes it) are
// accepted too.
const tocMarker = "[TOC]"

// kindTOC is the AST node that stands where the marker was.
var kindTOC = ast.NewNodeKind("TOC")

// tocNode is the table of contents: the headings it lists, in order.
type tocNode struct {
	ast.BaseBlock
	entries []tocEntry
}

// tocEntry is one heading: its id, words and depth (0 for h1 or h2, 1 for h3).
type tocEntry struct {
	id, text string
	depth    int
}

func (n *tocNode) Kind() ast.NodeKind { return kindTOC }

func (n *tocNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// tocExtension adds the marker's transformer and renderer to goldmark.
type tocExtension struct{}

func (tocExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(tocTransformer{}, 999)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(tocRenderer{}, 500)))
}

// tocTransformer replaces the marker paragraphs and gives the listed headings their ids.
type tocTransformer struct{}

func (tocTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var markers []ast.Node
	var headings []*ast.Heading
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Paragraph:
			if isTOCMarker(n, src) {
				markers = append(markers, n)
			}
		case *ast.Heading:
			if n.Level <= 3 {
				headings = append(headings, n)
			}
		}
	}
	if len(markers) == 0 {
		return
	}
	var entries []tocEntry
	if len(headings) >= 2 {
		used, top := map[string]bool{}, false
		for _, h := range headings {
			words := headingText(h, src)
			id := headingID(words, used)
			h.SetAttributeString("id", []byte(id))
			depth := 0
			if h.Level == 3 && top {
				depth = 1 // an h3 before any h2 has nothing to nest in
			}
			top = top || depth == 0
			entries = append(entries, tocEntry{id: id, text: words, depth: depth})
		}
	}
	for _, m := range markers {
		if entries == nil {
			doc.RemoveChild(doc, m)
			continue
		}
		doc.ReplaceChild(doc, m, &tocNode{entries: entries})
	}
}

// isTOCMarker reports whether p is the marker alone on its line.
func isTOCMarker(p *ast.Paragraph, src []byte) bool {
	lines := p.Lines()
	if lines.Len() != 1 {
		return false
	}
	seg := lines.At(0)
	// The visual editor escapes every bracket of text.
	line := strings.ReplaceAll(strings.ReplaceAll(string(bytes.TrimSpace(seg.Value(src))), `\[`, "["), `\]`, "]")
	return line == tocMarker || line == strings.ToLower(tocMarker)
}

// headingText is the words of a heading, as plain text: markup and raw HTML dropped, character
// references and backslash escapes resolved.
func headingText(h *ast.Heading, src []byte) string {
	var b bytes.Buffer
	hidden := "" // the closing tag of a script or style element the sanitiser will drop
	_ = ast.Walk(h, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			var tag []byte
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				tag = append(tag, seg.Value(src)...)
			}
			tag = bytes.ToLower(tag)
			switch {
			case hidden != "" && bytes.HasPrefix(tag, []byte(hidden)):
				hidden = ""
			case hidden == "" && bytes.HasPrefix(tag, []byte("<script")):
				hidden = "</script"
			case hidden == "" && bytes.HasPrefix(tag, []byte("<style")):
				hidden = "</style"
			}
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if hidden != "" {
				return ast.WalkContinue, nil
			}
			v := n.Segment.Value(src)
			if !n.IsRaw() {
				v = util.UnescapePunctuations(v)
				v = util.ResolveNumericReferences(v)
				v = util.ResolveEntityNames(v)
			}
			b.Write(v)
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			// Typographer's quotes and dashes are character references.
			b.WriteString(html.UnescapeString(string(n.Value)))
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// headingID returns "h-" and the slug of words, made unique among used, which it updates.
func headingID(words string, used map[string]bool) string {
	base := Slugify(words)
	if base == "" {
		base = "section"
	}
	base = "h-" + base
	id := base
	for i := 2; used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	used[id] = true
	return id
}

// tocRenderer writes a tocNode as a nav of nested ordered lists.
type tocRenderer struct{}

func (tocRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindTOC, renderTOC)
}

func renderTOC(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var b strings.Builder
	b.WriteString(`<nav class="toc" aria-label="Contents"><ol>`)
	depth := 0
	for i, e := range node.(*tocNode).entries {
		switch {
		case e.depth > depth:
			b.WriteString("<ol>")
		case e.depth < depth:
			b.WriteString("</li></ol></li>")
		case i > 0:
			b.WriteString("</li>")
		}
		depth = e.depth
		b.WriteString(`<li><a href="#`)
		b.WriteString(html.EscapeString(e.id))
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(e.text))
		b.WriteString("</a>")
	}
	if depth > 0 {
		b.WriteString("</li></ol>")
	}
	b.WriteString("</li></ol></nav>\n")
	_, err := w.WriteString(b.String())
	return ast.WalkSkipChildren, err
}

// reTOC matches the table of contents in a rendered, sanitised body.
var reTOC = regexp.MustCompile(`<nav aria-label="Contents" class="toc">.*?</nav>\n?`)

// WithoutTOC returns a rendered body without its table of contents, for feeds (whose readers
// resolve "#" links against the feed, not the story) and for the body's plain text.
func WithoutTOC(bodyHTML string) string {
	if !strings.Contains(bodyHTML, `class="toc"`) {
		return bodyHTML
	}
	return reTOC.ReplaceAllString(bodyHTML, "")
}
