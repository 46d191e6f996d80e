package wxr

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// codeLanguages maps the shortcodes of the SyntaxHighlighter plugins, and the
// brush names of <pre class="brush: …">, to the language a code block is
// marked with (class "language-…", as Markdown renderers write it).
var codeLanguages = map[string]string{
	"as3": "actionscript", "actionscript3": "actionscript", "bash": "bash", "shell": "bash",
	"sh": "bash", "c": "c", "cpp": "cpp", "c-sharp": "csharp", "csharp": "csharp", "css": "css",
	"clojure": "clojure", "coldfusion": "cfm", "cf": "cfm", "delphi": "delphi", "pascal": "delphi",
	"pas": "delphi", "diff": "diff", "patch": "diff", "erl": "erlang", "erlang": "erlang",
	"fsharp": "fsharp", "go": "go", "golang": "go", "groovy": "groovy", "haskell": "haskell",
	"html": "html", "xhtml": "html", "java": "java", "javafx": "java", "jfx": "java",
	"javascript": "javascript", "js": "javascript", "jscript": "javascript", "json": "json",
	"latex": "latex", "matlab": "matlab", "objc": "objectivec", "perl": "perl", "pl": "perl",
	"php": "php", "plain": "text", "text": "text", "powershell": "powershell", "ps": "powershell",
	"py": "python", "python": "python", "r": "r", "rails": "ruby", "ror": "ruby", "ruby": "ruby",
	"rb": "ruby", "scala": "scala", "sql": "sql", "swift": "swift", "tsql": "sql",
	"typescript": "typescript", "ts": "typescript", "vb": "vbnet", "vbnet": "vbnet",
	"xml": "xml", "xslt": "xml", "yaml": "yaml",
}

// knownShortcode reports whether Shortcodes converts the shortcode name.
func knownShortcode(name string) bool {
	switch name {
	case "caption", "wp_caption", "embed", "youtube", "vimeo", "audio", "video", "code", "sourcecode":
		return true
	}
	_, ok := codeLanguages[name]
	return ok
}

// isCodeShortcode reports whether the shortcode name is one of a code block, which counts only
// with its closing tag.
func isCodeShortcode(name string) bool {
	_, ok := codeLanguages[name]
	return ok || name == "code" || name == "sourcecode"
}

// Expressions of the conversions of plugin markup.
var (
	reVideoID = regexp.MustCompile(`^[A-Za-z0-9_-]{6,20}$`)
	reDigits  = regexp.MustCompile(`^[0-9]{1,12}$`)
	// reBrushPre is a SyntaxHighlighter block: <pre class="brush: csharp; gutter: false">.
	reBrushPre = regexp.MustCompile(`(?is)<pre\s+class\s*=\s*["']\s*brush\s*:\s*([a-z0-9#+_-]+)[^"']*["'][^>]*>(.*?)</pre>`)
	// rePlayer is a legacy player: an <object> with what it holds, or an <embed> or <iframe> alone.
	rePlayer = regexp.MustCompile(`(?is)<object\b[^>]*>.*?</object>|<embed\b[^>]*>(?:\s*</embed>)?|<iframe\b[^>]*>.*?</iframe>`)
	// rePlayerURL finds the addresses in a player's attributes.
	rePlayerURL = regexp.MustCompile(`(?i)(?:src|data|value|movie)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)`)
	// Video addresses as old players and frames wrote them.
	reYouTubePlayer = regexp.MustCompile(`(?i)^(?:https?:)?//(?:www\.)?youtube(?:-nocookie)?\.com/(?:v|embed)/([A-Za-z0-9_-]{6,20})`)
	reVimeoPlayer   = regexp.MustCompile(`(?i)^(?:https?:)?//(?:player\.)?vimeo\.com/(?:video/|moogaloop\.swf\?clip_id=)([0-9]{1,12})`)
)

// legacyHTML converts plugin markup that the sanitiser would otherwise drop or flatten: code
// blocks of SyntaxHighlighter's <pre class="brush: …"> form, and <object>, <embed> and <iframe>
// players, which become a link to what they played.
func legacyHTML(s string) string {
	if strings.Contains(s, "brush") {
		s = reBrushPre.ReplaceAllStringFunc(s, func(m string) string {
			sub := reBrushPre.FindStringSubmatch(m)
			lang, ok := codeLanguages[strings.ToLower(sub[1])]
			if !ok {
				lang = "text"
			}
			return `<pre><code class="language-` + lang + `">` + sub[2] + `</code></pre>`
		})
	}
	if strings.Contains(s, "<object") || strings.Contains(s, "<embed") || strings.Contains(s, "<iframe") ||
		strings.Contains(s, "<OBJECT") || strings.Contains(s, "<EMBED") || strings.Contains(s, "<IFRAME") {
		s = rePlayer.ReplaceAllStringFunc(s, playerLink)
	}
	return s
}

// playerLink returns a link to what a legacy player showed: the watch address of a YouTube or
// Vimeo video, or else the first http(s) address it loaded; a player with no address keeps
// its text as a visible note.
func playerLink(player string) string {
	var first string
	for _, m := range rePlayerURL.FindAllStringSubmatch(player, -1) {
		u := html.UnescapeString(m[1])
		if strings.HasPrefix(u, "//") {
			u = "https:" + u
		}
		if id := reYouTubePlayer.FindStringSubmatch(u); id != nil {
			return link("https://www.youtube.com/watch?v=" + id[1])
		}
		if id := reVimeoPlayer.FindStringSubmatch(u); id != nil {
			return link("https://vimeo.com/" + id[1])
		}
		if first == "" {
			if p, err := url.Parse(u); err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" {
				first = u
			}
		}
	}
	if first == "" {
		return "<p>[embedded media]</p>"
	}
	return link(first)
}

// link is an <a> whose text is its address, as WordPress shows a URL.
func link(u string) string {
	e := html.EscapeString(u)
	return `<a href="` + e + `">` + e + `</a>`
}

// renderMedia writes an [audio] or [video] shortcode as a player with controls that loads
// nothing before the reader presses play, holding a link to the file for readers whose
// browser cannot play it.
func (sc shortcode) renderMedia() string {
	src := strings.TrimSpace(sc.attrs["src"])
	for _, k := range [...]string{"mp3", "m4a", "ogg", "wav", "mp4", "m4v", "webm", "ogv", "flv", "0"} {
		if src == "" {
			src = strings.TrimSpace(sc.attrs[k])
		}
	}
	if src == "" {
		src = strings.TrimSpace(sc.content)
	}
	src = html.UnescapeString(src)
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") && !strings.HasPrefix(src, "/") {
		return sc.raw
	}
	var b strings.Builder
	b.WriteString("<" + sc.name + ` controls preload="none" src="` + html.EscapeString(src) + `"`)
	if sc.name == "video" {
		if p := strings.TrimSpace(sc.attrs["poster"]); p != "" {
			b.WriteString(` poster="` + html.EscapeString(html.UnescapeString(p)) + `"`)
		}
		for _, k := range [...]string{"width", "height"} {
			if v := strings.TrimSpace(sc.attrs[k]); reDigits.MatchString(v) {
				b.WriteString(" " + k + `="` + v + `"`)
			}
		}
	}
	b.WriteString(">" + link(src) + "</" + sc.name + ">")
	return b.String()
}

// renderCode writes a code shortcode as a code block. Code typed in WordPress's visual editor
// arrives with its markup characters as references (&lt;); code typed as text has them
// plain: a body with no '<' is read as the former.
func (sc shortcode) renderCode() string {
	lang := codeLanguages[sc.name]
	if sc.name == "code" || sc.name == "sourcecode" {
		lang = "text"
		for _, k := range [...]string{"language", "lang", "0"} {
			if l, ok := codeLanguages[strings.ToLower(strings.TrimSpace(sc.attrs[k]))]; ok {
				lang = l
				break
			}
		}
	}
	code := sc.content
	if !strings.Contains(code, "<") {
		code = html.UnescapeString(code)
	}
	code = strings.TrimRight(strings.TrimLeft(code, "\r\n"), " \t\r\n")
	return `<pre><code class="language-` + lang + `">` + html.EscapeString(code) + `</code></pre>`
}
