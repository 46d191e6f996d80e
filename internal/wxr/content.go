package wxr

import (
	"html"
	"regexp"
	"strconv"
	"strings"
)

// WordPress stores post content in one of two forms. Content with block
// markup (HasBlocks) is HTML already: StripBlockComments removes the block
// delimiters. Older content is text whose paragraphs WordPress adds when it
// displays it: Autop does that. Both may hold shortcodes: Shortcodes turns
// the ones that matter for news stories into HTML. An importer applies, in
// order: Shortcodes, then StripBlockComments or Autop.

// blockTags are the tags wpautop treats as blocks (WordPress 6.x).
const blockTags = `(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)`

// Regular expressions of wpautop. PCRE's \s includes the vertical tab,
// Go's does not: ws and wsc (inside a class) restore it.
const (
	ws  = `[\s\v]`
	wsc = `\s\v`
)

// The expressions are compiled once and never modified.
var (
	reBrBr          = regexp.MustCompile(`<br` + ws + `*/?>` + ws + `*<br` + ws + `*/?>`)
	reBlockOpen     = regexp.MustCompile(`(<` + blockTags + `[` + wsc + `/>])`)
	reBlockClose    = regexp.MustCompile(`(</` + blockTags + `>)`)
	reHr            = regexp.MustCompile(`(<hr` + ws + `*?/?>)`)
	reOptionBefore  = regexp.MustCompile(ws + `*<option`)
	reOptionAfter   = regexp.MustCompile(`</option>` + ws + `*`)
	reObjectOpen    = regexp.MustCompile(`(<object[^>]*>)` + ws + `*`)
	reObjectClose   = regexp.MustCompile(ws + `*</object>`)
	reParamEmbed    = regexp.MustCompile(ws + `*(</?(?:param|embed)[^>]*>)` + ws + `*`)
	reMediaOpen     = regexp.MustCompile(`([<\[](?:audio|video)[^>\]]*[>\]])` + ws + `*`)
	reMediaClose    = regexp.MustCompile(ws + `*([<\[]/(?:audio|video)[>\]])`)
	reSourceTrack   = regexp.MustCompile(ws + `*(<(?:source|track)[^>]*>)` + ws + `*`)
	reFigcaptionIn  = regexp.MustCompile(ws + `*(<figcaption[^>]*>)`)
	reFigcaptionOut = regexp.MustCompile(`</figcaption>` + ws + `*`)
	reManyNewlines  = regexp.MustCompile(`\n\n+`)
	reParagraphs    = regexp.MustCompile(`\n` + ws + `*\n`)
	reEmptyP        = regexp.MustCompile(`<p>` + ws + `*</p>`)
	reUnclosedP     = regexp.MustCompile(`<p>([^<]+)</(div|address|form)>`)
	reWrappedBlock  = regexp.MustCompile(`<p>` + ws + `*(</?` + blockTags + `[^>]*>)` + ws + `*</p>`)
	reWrappedLi     = regexp.MustCompile(`<p>(<li.+?)</p>`)
	reQuoteInP      = regexp.MustCompile(`(?i)<p><blockquote([^>]*)>`)
	rePBeforeBlock  = regexp.MustCompile(`<p>` + ws + `*(</?` + blockTags + `[^>]*>)`)
	rePAfterBlock   = regexp.MustCompile(`(</?` + blockTags + `[^>]*>)` + ws + `*</p>`)
	reBrAfterBlock  = regexp.MustCompile(`(</?` + blockTags + `[^>]*>)` + ws + `*<br />`)
	reBrBeforeBlock = regexp.MustCompile(`<br />(` + ws + `*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)`)
	reLastNewlineP  = regexp.MustCompile(`\n</p>(\n?)$`)
)

// Autop is a port of WordPress's wpautop (with $br true): it turns text
// whose paragraphs are separated by blank lines into HTML paragraphs, and
// single line breaks into <br />, without wrapping block elements
// (blockquote, lists, pre, figure, table, headings, div, …) in <p>. The
// content of <pre> elements is left alone, as are line breaks inside tags
// and inside script, style, svg and math elements.
func Autop(s string) string {
	if strings.Trim(s, " \t\n\r\x00\x0B") == "" {
		return ""
	}
	s += "\n"
	s, pres := hidePre(s)
	s = reBrBr.ReplaceAllString(s, "\n\n")
	s = reBlockOpen.ReplaceAllString(s, "\n\n${1}")
	s = reBlockClose.ReplaceAllString(s, "${1}\n\n")
	s = reHr.ReplaceAllString(s, "${1}\n\n")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = replaceInTags(s, "\n", " <!-- wpnl --> ")
	if strings.Contains(s, "<option") {
		s = reOptionBefore.ReplaceAllString(s, "<option")
		s = reOptionAfter.ReplaceAllString(s, "</option>")
	}
	if strings.Contains(s, "</object>") {
		s = reObjectOpen.ReplaceAllString(s, "${1}")
		s = reObjectClose.ReplaceAllString(s, "</object>")
		s = reParamEmbed.ReplaceAllString(s, "${1}")
	}
	if strings.Contains(s, "<source") || strings.Contains(s, "<track") {
		s = reMediaOpen.ReplaceAllString(s, "${1}")
		s = reMediaClose.ReplaceAllString(s, "${1}")
		s = reSourceTrack.ReplaceAllString(s, "${1}")
	}
	if strings.Contains(s, "<figcaption") {
		s = reFigcaptionIn.ReplaceAllString(s, "${1}")
		s = reFigcaptionOut.ReplaceAllString(s, "</figcaption>")
	}
	s = reManyNewlines.ReplaceAllString(s, "\n\n")

	var b strings.Builder
	for _, p := range reParagraphs.Split(s, -1) {
		if p != "" {
			b.WriteString("<p>")
			b.WriteString(strings.Trim(p, "\n"))
			b.WriteString("</p>\n")
		}
	}
	s = b.String()

	s = reEmptyP.ReplaceAllString(s, "")
	s = reUnclosedP.ReplaceAllString(s, "<p>${1}</p></${2}>")
	s = reWrappedBlock.ReplaceAllString(s, "${1}")
	s = reWrappedLi.ReplaceAllString(s, "${1}")
	s = reQuoteInP.ReplaceAllString(s, "<blockquote${1}><p>")
	s = strings.ReplaceAll(s, "</blockquote></p>", "</p></blockquote>")
	s = rePBeforeBlock.ReplaceAllString(s, "${1}")
	s = rePAfterBlock.ReplaceAllString(s, "${1}")

	const keep = "<WPPreserveNewline />"
	s = preserveNewlines(s, keep)
	s = strings.ReplaceAll(strings.ReplaceAll(s, "<br>", "<br />"), "<br/>", "<br />")
	s = newlinesToBr(s)
	s = strings.ReplaceAll(s, keep, "\n")

	s = reBrAfterBlock.ReplaceAllString(s, "${1}")
	s = reBrBeforeBlock.ReplaceAllString(s, "${1}")
	s = reLastNewlineP.ReplaceAllString(s, "</p>${1}")
	for i := 0; i < len(pres); i += 2 {
		s = strings.ReplaceAll(s, pres[i], pres[i+1])
	}
	if strings.Contains(s, "<!-- wpnl -->") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, " <!-- wpnl --> ", "\n"), "<!-- wpnl -->", "\n")
	}
	return s
}

// hidePre replaces each <pre>…</pre> by a placeholder, returning pairs of
// placeholder and original.
func hidePre(s string) (string, []string) {
	if !strings.Contains(s, "<pre") {
		return s, nil
	}
	parts := strings.Split(s, "</pre>")
	var b strings.Builder
	var pres []string
	for _, part := range parts[:len(parts)-1] {
		start := strings.Index(part, "<pre")
		if start < 0 { // malformed HTML
			b.WriteString(part)
			continue
		}
		name := "<pre wp-pre-tag-" + strconv.Itoa(len(pres)/2) + "></pre>"
		pres = append(pres, name, part[start:]+"</pre>")
		b.WriteString(part[:start])
		b.WriteString(name)
	}
	b.WriteString(parts[len(parts)-1])
	return b.String(), pres
}

// replaceInTags replaces old with new inside tags, comments and CDATA
// sections only, splitting s as WordPress's wp_html_split does.
func replaceInTags(s, old, new string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		rest := s[i:]
		var n int // length of the element
		switch {
		case strings.HasPrefix(rest, "<!--"):
			n = endAfter(rest, 2, "-->")
		case strings.HasPrefix(rest, "<![CDATA["):
			n = endAfter(rest, len("<![CDATA["), "]]>")
		default:
			n = endAfter(rest, 1, ">")
		}
		b.WriteString(strings.ReplaceAll(rest[:n], old, new))
		s = rest[n:]
	}
}

// endAfter returns the length of s up to and including the first end at or
// after from, or len(s).
func endAfter(s string, from int, end string) int {
	if i := strings.Index(s[from:], end); i >= 0 {
		return from + i + len(end)
	}
	return len(s)
}

// preserveNewlines replaces line breaks inside script, style, svg and math
// elements with keep.
func preserveNewlines(s, keep string) string {
	var b strings.Builder
	for from := 0; ; {
		i := strings.IndexByte(s[from:], '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		at := from + i
		end := -1
		for _, name := range [...]string{"script", "style", "svg", "math"} {
			if !strings.HasPrefix(s[at+1:], name) {
				continue
			}
			if j := strings.Index(s[at+1+len(name):], "</"+name+">"); j >= 0 {
				end = at + 1 + len(name) + j + len("</"+name+">")
				break
			}
		}
		if end < 0 {
			from = at + 1
			continue
		}
		b.WriteString(s[:at])
		b.WriteString(strings.ReplaceAll(s[at:end], "\n", keep))
		s, from = s[end:], 0
	}
}

// newlinesToBr turns each run of white space that holds a line break, and
// is not preceded by "<br />", into "<br />\n", like wpautop's
// preg_replace('|(?<!<br />)\s*\n|', "<br />\n", …).
func newlinesToBr(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isPCRESpace(s[i]) {
			j := i + 1
			for j < len(s) && !isPCRESpace(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		end, lastNL := i, -1
		for end < len(s) && isPCRESpace(s[end]) {
			if s[end] == '\n' {
				lastNL = end
			}
			end++
		}
		start := i
		if strings.HasSuffix(s[:i], "<br />") {
			start = i + 1 // the match may begin one character later
		}
		if lastNL < start {
			b.WriteString(s[i:end])
		} else {
			b.WriteString(s[i:start])
			b.WriteString("<br />\n")
			b.WriteString(s[lastNL+1 : end])
		}
		i = end
	}
	return b.String()
}

func isPCRESpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// reBlockComment matches a block delimiter: <!-- wp:name {"json"} -->,
// <!-- /wp:name --> or <!-- wp:ns/name {…} /-->, and one line break after
// it.
var reBlockComment = regexp.MustCompile(`(?s)<!--\s+/?wp:[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?\s+(?:\{.*?\}\s+)?/?-->\n?`)

// HasBlocks reports whether s holds block markup, as WordPress's has_blocks
// does. Such content is HTML already and must not go through Autop.
func HasBlocks(s string) bool {
	return strings.Contains(s, "<!-- wp:")
}

// StripBlockComments removes the block delimiters of the block editor
// (<!-- wp:paragraph -->, <!-- /wp:paragraph -->, <!-- wp:image {"id":5}
// /-->) and the line break that follows each, keeping what they enclose.
// Other comments, such as <!--more-->, are kept.
func StripBlockComments(s string) string {
	if !HasBlocks(s) && !strings.Contains(s, "<!-- /wp:") {
		return s
	}
	return reBlockComment.ReplaceAllString(s, "")
}

// Shortcode expressions.
var (
	// reShortcodeAttr is WordPress's shortcode_parse_atts expression.
	reShortcodeAttr = regexp.MustCompile(`([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)`)
	// reCaptionImage splits a caption's content into the image, with its
	// optional link, and the caption text.
	reCaptionImage = regexp.MustCompile(`(?is)((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)`)
)

// Shortcodes converts the shortcodes a news archive needs into HTML and
// leaves every other shortcode as it is:
//
//   - [caption align="alignright" width="300"]<img …> Text[/caption] (and
//     the older [wp_caption], or a caption="Text" attribute) becomes
//     <figure class="wp-caption alignright"><img …><figcaption>Text</figcaption></figure>;
//     a caption without text leaves the image alone;
//   - [embed]https://…[/embed] (or [embed src="https://…"]), Jetpack's
//     [youtube https://…] and [vimeo 123] become a link to the URL, which the
//     story page shows as an embed;
//   - [audio src="…"] and [video mp4="…" poster="…"] become <audio> and
//     <video> players with controls and a link to the file;
//   - [code lang="go"], [sourcecode language="go"] and SyntaxHighlighter's
//     per-language shortcodes ([csharp], [php], …) become
//     <pre><code class="language-…"> with the indentation kept, as do
//     <pre class="brush: …"> blocks;
//   - legacy <object>, <embed> and <iframe> players become a link to what
//     they played (YouTube and Vimeo at their watch address), never nothing;
//   - an escaped shortcode, [[caption]…[/caption]], becomes the literal text
//     [caption]…[/caption], as WordPress displays it.
func Shortcodes(s string) string { return Converter{}.Shortcodes(s) }

// Attachment is what an import knows of one uploaded file, for [gallery] and [playlist].
type Attachment struct {
	URL, Alt, Caption, Title string
}

// Converter converts shortcodes as Shortcodes does and, knowing the site's attachments,
// [gallery] and [playlist] too:
//
//   - [gallery ids="1,2,3" columns="3" link="none"] (or without ids: the post's own
//     attachments) becomes <figure class="wp-block-gallery gallery columns-3"> holding a
//     <figure> for each picture, linked to the file unless link="none", with its caption;
//   - [playlist ids="4,5" type="video"] becomes a list of <audio> (or <video>) players with
//     the files' titles.
//
// A gallery none of whose pictures is known is left as it is.
type Converter struct {
	// Attachment finds an uploaded file by its post ID; nil knows none, and galleries stay
	// as they are.
	Attachment func(id int64) (Attachment, bool)
	// Children are the IDs of the files attached to the post being converted, in order: a
	// [gallery] or [playlist] without ids shows them.
	Children []int64
}

// Shortcodes converts s's shortcodes.
func (c Converter) Shortcodes(s string) string {
	s = legacyHTML(s)
	if !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		sc, ok := parseShortcode(s[i:], c.Attachment != nil)
		if !ok {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		if sc.escaped {
			b.WriteString(sc.raw[1 : len(sc.raw)-1])
		} else {
			b.WriteString(sc.render(c))
		}
		s = s[i+len(sc.raw):]
	}
}

// attachments returns the files a [gallery] or [playlist] shows: its ids (or include), else
// the post's own, without those it excludes; unknown ones are left out.
func (c Converter) attachments(sc shortcode) []Attachment {
	ids := c.Children
	if v := sc.attrs["ids"] + "," + sc.attrs["include"]; strings.Trim(v, ", ") != "" {
		ids = nil
		for _, f := range strings.Split(v, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	exclude := map[int64]bool{}
	for _, f := range strings.Split(sc.attrs["exclude"], ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			exclude[id] = true
		}
	}
	var list []Attachment
	for _, id := range ids {
		if a, ok := c.Attachment(id); ok && !exclude[id] && a.URL != "" {
			list = append(list, a)
		}
	}
	return list
}

// renderGallery makes a gallery a grid of figures.
func (c Converter) renderGallery(sc shortcode) string {
	list := c.attachments(sc)
	if len(list) == 0 {
		return sc.raw
	}
	columns, err := strconv.Atoi(strings.TrimSpace(sc.attrs["columns"]))
	if err != nil || columns < 1 || columns > 9 {
		columns = 3
	}
	var b strings.Builder
	b.WriteString(`<figure class="wp-block-gallery gallery columns-` + strconv.Itoa(columns) + `">`)
	for _, a := range list {
		img := `<img src="` + html.EscapeString(a.URL) + `" alt="` + html.EscapeString(a.Alt) + `">`
		if sc.attrs["link"] != "none" {
			img = `<a href="` + html.EscapeString(a.URL) + `">` + img + `</a>`
		}
		b.WriteString("<figure>" + img)
		if a.Caption != "" {
			b.WriteString("<figcaption>" + html.EscapeString(a.Caption) + "</figcaption>")
		}
		b.WriteString("</figure>")
	}
	b.WriteString("</figure>")
	return b.String()
}

// renderPlaylist makes a playlist a list of players.
func (c Converter) renderPlaylist(sc shortcode) string {
	list := c.attachments(sc)
	if len(list) == 0 {
		return sc.raw
	}
	player := "audio"
	if sc.attrs["type"] == "video" {
		player = "video"
	}
	var b strings.Builder
	b.WriteString("<ol>")
	for _, a := range list {
		title := a.Title
		if title == "" {
			title = a.URL
		}
		u := html.EscapeString(a.URL)
		b.WriteString(`<li><` + player + ` controls preload="none" src="` + u + `"></` + player + `><a href="` + u + `">` +
			html.EscapeString(title) + "</a></li>")
	}
	b.WriteString("</ol>")
	return b.String()
}

// shortcode is one parsed [name attrs]content[/name].
type shortcode struct {
	name    string
	attrs   map[string]string
	content string
	escaped bool   // [[…]]
	raw     string // the source text
}

// parseShortcode parses a shortcode that Shortcodes converts at the start of
// s, following WordPress's get_shortcode_regex.
func parseShortcode(s string, galleries bool) (shortcode, bool) {
	var sc shortcode
	pos := 1
	escaped := strings.HasPrefix(s, "[[")
	if escaped {
		pos = 2
	}
	name := pos
	for pos < len(s) && isNameChar(s[pos]) {
		pos++
	}
	sc.name = s[name:pos]
	if !knownShortcode(sc.name) && !(galleries && (sc.name == "gallery" || sc.name == "playlist")) {
		return sc, false // [captions], [embed-x], a plugin's
	}
	end := strings.IndexByte(s[pos:], ']')
	if end < 0 {
		return sc, false
	}
	attrs := s[pos : pos+end]
	pos += end + 1
	if strings.HasSuffix(attrs, "/") { // self-closing [embed /]
		attrs = attrs[:len(attrs)-1]
	} else if j := strings.Index(s[pos:], "[/"+sc.name+"]"); j >= 0 {
		sc.content = s[pos : pos+j]
		pos += j + len("[/"+sc.name+"]")
	} else if isCodeShortcode(sc.name) {
		return sc, false // "[text]" in prose is no code block
	}
	if escaped {
		if pos >= len(s) || s[pos] != ']' {
			return sc, false
		}
		pos++
		sc.escaped = true
	}
	sc.attrs = parseAttrs(attrs)
	sc.raw = s[:pos]
	return sc, true
}

func isNameChar(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// parseAttrs parses shortcode attributes as WordPress's
// shortcode_parse_atts does; positional values are keyed "0", "1", ….
func parseAttrs(s string) map[string]string {
	s = strings.NewReplacer("\u00a0", " ", "\u200b", " ").Replace(s)
	attrs := map[string]string{}
	pos := 0
	for _, m := range reShortcodeAttr.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] != "":
			attrs[strings.ToLower(m[1])] = m[2]
		case m[3] != "":
			attrs[strings.ToLower(m[3])] = m[4]
		case m[5] != "":
			attrs[strings.ToLower(m[5])] = m[6]
		default:
			attrs[strconv.Itoa(pos)] = m[7] + m[8] + m[9]
			pos++
		}
	}
	return attrs
}

func (sc shortcode) render(c Converter) string {
	switch sc.name {
	case "gallery":
		return c.renderGallery(sc)
	case "playlist":
		return c.renderPlaylist(sc)
	case "caption", "wp_caption":
		return sc.renderCaption(c)
	case "embed", "youtube", "vimeo":
		return sc.renderEmbed()
	case "audio", "video":
		return sc.renderMedia()
	}
	return sc.renderCode()
}

func (sc shortcode) renderCaption(c Converter) string {
	content := sc.content
	caption, ok := sc.attrs["caption"]
	if !ok {
		if m := reCaptionImage.FindStringSubmatch(content); m != nil {
			content, caption = m[1], strings.TrimSpace(m[2])
		}
	}
	content = c.Shortcodes(content)
	if caption == "" {
		return content
	}
	class := "wp-caption"
	if align := strings.TrimSpace(sc.attrs["align"]); align != "" {
		class += " " + align
	}
	return `<figure class="` + html.EscapeString(class) + `">` + strings.TrimSpace(content) +
		"<figcaption>" + c.Shortcodes(caption) + "</figcaption></figure>"
}

func (sc shortcode) renderEmbed() string {
	url := strings.TrimSpace(sc.content)
	for _, k := range [...]string{"src", "url", "0", "id"} {
		if url == "" {
			url = strings.TrimSpace(strings.TrimPrefix(sc.attrs[k], "="))
		}
	}
	url = html.UnescapeString(url)
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		switch {
		case sc.name == "youtube" && reVideoID.MatchString(url):
			url = "https://www.youtube.com/watch?v=" + url
		case sc.name == "vimeo" && reDigits.MatchString(url):
			url = "https://vimeo.com/" + url
		default:
			return sc.raw
		}
	}
	return link(url)
}
