// Package sanitize is Broadsheet's one policy for untrusted HTML: it turns
// article bodies, reader comments and imported markup into HTML that is safe
// to serve, and any of them into plain text for meta descriptions and feeds.
//
// The policies are built once by New and are safe for concurrent use.
// Sanitising costs about a millisecond for a long story, so store the
// sanitised body when it is saved or imported rather than on every view.
package sanitize

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"

	"github.com/broadsheet/broadsheet/internal/embed"
)

// Config adjusts the policies. The zero value is the recommended default.
type Config struct {
	// NoFollowArticleLinks adds rel="nofollow" to absolute links in article
	// bodies. Leave it off for a newsroom's own copy, which links to its
	// sources on purpose; links in comments are always nofollow.
	NoFollowArticleLinks bool
}

// Policy sanitises HTML. A Policy is immutable after New returns and is safe
// for concurrent use by many goroutines.
type Policy struct {
	article *bluemonday.Policy
	comment *bluemonday.Policy
}

// Patterns shared by the policies; compiled once when a Policy is built.
const (
	// linkRelPattern lists the link types an editor may set: those that
	// tell search engines about paid or unvetted links, and none that make
	// an identity or navigation claim (such as "me" or "author").
	linkRelPattern = `^(?i)\s*(?:(?:nofollow|noopener|noreferrer|sponsored|ugc|external)\s*)+$`
	// imageSrcPattern admits absolute http(s) URLs and relative URLs (no
	// scheme before the first '/', '?' or '#'); the shared URL rule then
	// checks the rest. It keeps mailto: out of img src.
	imageSrcPattern = `^\s*(?:(?i:https?:)|[^:/?#]*(?:[/?#]|$))`
	// classListPattern admits a class attribute of plain words; finish then
	// keeps only the words of the layout allowlist (layoutClass). The group
	// around it keeps the regexp package from building its one-pass matcher,
	// which for a bounded repeat of a class holds a copy of the class per
	// repeat (see headingIDPattern).
	classListPattern = `(^[A-Za-z0-9_+#.:\s-]{1,400}$)`
	// headingIDPattern admits the ids package article gives headings. In a
	// group, as classListPattern: its one-pass matcher would hold 3.3 MB.
	headingIDPattern = `(^h-[\p{Ll}\p{Lo}\p{Lm}\p{N}-]{1,100}$)`
)

// New returns the default policy (Config{}).
func New() *Policy {
	return NewWithConfig(Config{})
}

// NewWithConfig returns a policy adjusted by c.
func NewWithConfig(c Config) *Policy {
	return &Policy{
		article: articlePolicy(c),
		comment: commentPolicy(),
	}
}

// Article returns html with everything a news story's body does not need
// removed. It keeps paragraphs, headings h2 to h6, block quotes, lists,
// links, images, figures, tables, code, audio and video players, inline
// emphasis, plain div blocks (so that the words they separate stay
// apart), and a table of contents: <nav class="toc"> and heading ids
// beginning "h-". An <h1> becomes an <h2>: the page's headline is its one <h1>.
// Classes survive only from the layout allowlist (alignleft, wp-caption,
// size-large, wp-block-pullquote, language-go, …); every other is dropped. It
// removes scripts, styles, iframes, forms, event handlers, style attributes
// and any URL that is not http, https, mailto (links only) or relative. A
// link that opens in a new tab (target="_blank") always carries
// rel="noopener".
//
// The result is serialised from a parse tree: every element is closed, void
// elements are written as <br/>, and attributes are in name order, so
// Article(Article(s)) == Article(s).
func (p *Policy) Article(html string) string {
	return finish(p.article.Sanitize(h1ToH2(html)), false)
}

// Comment returns html reduced to what a reader's comment may contain:
// paragraphs, line breaks, links, quotes, lists, code and inline emphasis,
// with no images. Every link gets rel="nofollow ugc", as search engines ask
// for user-generated links.
func (p *Policy) Comment(html string) string {
	return finish(p.comment.Sanitize(html), true)
}

// Text returns s with all markup removed, character references decoded and
// white space collapsed, for meta descriptions, feed summaries and search.
// The content of script, style and similar elements is dropped, and block
// elements are separated by a space.
//
// The result is plain text, not HTML: escape it before writing it into a page.
func (p *Policy) Text(s string) string {
	return text(s)
}

// articlePolicy builds the policy for story bodies.
func articlePolicy(c Config) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	allowURLs(p)
	if c.NoFollowArticleLinks {
		p.RequireNoFollowOnFullyQualifiedLinks(true)
	}

	p.AllowElements("p", "div", "address", "br", "hr", "h2", "h3", "h4", "h5", "h6",
		"em", "strong", "b", "i", "u", "s", "strike", "del", "ins", "mark", "small",
		"sub", "sup", "cite", "dfn", "kbd", "samp", "var", "pre",
		"figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot",
		"tr", "th", "td", "dl", "dt", "dd", "ul", "ol", "li")

	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowElements("blockquote", "q")
	// Free text in attributes is escaped on output, so any text is safe.
	p.AllowAttrs("title").OnElements("abbr", "a", "img")
	p.AllowElements("abbr")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("time", "del", "ins")
	p.AllowElements("time")
	p.AllowElements("code")
	// Classes pass as a list of plain words; finish keeps only those of the layout allowlist
	// (alignment, captions, pull quotes, code languages), which the theme styles.
	p.AllowAttrs("class").Matching(regexp.MustCompile(classListPattern)).
		OnElements("p", "div", "figure", "figcaption", "img", "blockquote", "table", "pre", "code",
			"h2", "h3", "h4", "h5", "h6", "ul", "ol", "audio", "video")

	// An embed's facade (package embed): a link that the site's script turns into the
	// provider's frame when the reader asks, and only to a frame address embed gives.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(?:embed-facade|footnote-ref|footnote-backref)$`)).OnElements("a")
	// Markdown footnotes: the reference and the note link to each other by these ids.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fn(?:ref[0-9]{0,3})?:[0-9]{1,4}$`)).OnElements("sup", "li")
	// A story's table of contents ("[TOC]", package article) and the headings it links to,
	// whose ids begin "h-" so that none names an element of the page or a property of window.
	p.AllowAttrs("id").Matching(regexp.MustCompile(headingIDPattern)).OnElements("h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^toc$`)).OnElements("nav")
	p.AllowAttrs("aria-label").Matching(regexp.MustCompile(`^Contents$`)).OnElements("nav")
	p.AllowElements("nav")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(?:noteref|backlink|endnotes)$`)).OnElements("a", "div")
	p.AllowAttrs("data-embed").Matching(regexp.MustCompile(embed.SrcPattern())).OnElements("a")
	p.AllowAttrs("data-provider").Matching(regexp.MustCompile(`^[A-Za-z ]{1,40}$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^embed-(?:what|url|note|title|author|provider)$`)).OnElements("span")
	p.AllowElements("span")

	// Audio and video play files of the site or of an https address; they never start by
	// themselves and load nothing before the reader presses play.
	p.AllowAttrs("src").Matching(regexp.MustCompile(imageSrcPattern)).OnElements("audio", "video", "source")
	p.AllowAttrs("poster").Matching(regexp.MustCompile(imageSrcPattern)).OnElements("video")
	p.AllowAttrs("controls").Matching(regexp.MustCompile(`^(?:|controls)$`)).OnElements("audio", "video")
	p.AllowAttrs("preload").Matching(regexp.MustCompile(`^(?:none|metadata)$`)).OnElements("audio", "video")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("video")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^(?:audio|video)/[a-z0-9.+-]{1,40}$`)).OnElements("source")
	p.AllowElements("audio", "video", "source")

	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(linkRelPattern)).OnElements("a")

	p.AllowAttrs("src").Matching(regexp.MustCompile(imageSrcPattern)).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^(?:lazy|eager)$`)).OnElements("img")

	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`^(?:|reversed)$`)).OnElements("ol")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(?:row|col|rowgroup|colgroup)$`)).OnElements("th")
	return p
}

// commentPolicy builds the policy for readers' comments.
func commentPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	allowURLs(p)
	p.RequireNoFollowOnLinks(true)

	p.AllowElements("p", "br", "em", "strong", "b", "i", "s", "strike", "del",
		"code", "pre", "cite", "ul", "ol", "li", "blockquote", "q", "abbr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a", "abbr")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	return p
}

// allowURLs sets the URL rule both policies share: parseable, and either
// relative or http, https or mailto.
func allowURLs(p *bluemonday.Policy) {
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
}
