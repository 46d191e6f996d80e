package importer

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// markdown is a renderer configured as article.Renderer's, without the sanitiser: what matters
// here is what CommonMark does with the HTML.
func markdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify, extension.Typographer),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
}

// passesThrough reports whether CommonMark renders body as it is, and what it renders.
func passesThrough(t testing.TB, md goldmark.Markdown, body string) (bool, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := md.Convert([]byte(body), &buf); err != nil {
		t.Fatalf("Convert(%q) = %v", body, err)
	}
	out := buf.String()
	return strings.TrimSuffix(out, "\n") == body, out
}

func TestMarkdownSafe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n ", ""},
		{"paragraphs", "<p>One</p>\n\n<p>Two *not em*</p>\n", "<p>One</p>\n<p>Two *not em*</p>"},
		{"text first", "Plain *text*\n\n<p>then</p>", "<div>\nPlain *text*\n<p>then</p>\n</div>"},
		{"pre first", "<pre>a\n\n  b</pre>\n\ntext _x_", "<div>\n<pre>a\n&#10;  b</pre>\ntext _x_\n</div>"},
		{"spaces in pre", "<p>x</p>\n<pre>a\n  \nb</pre>", "<p>x</p>\n<pre>a\n&#32; \nb</pre>"},
		{"indented after blank", "<div>\n\n    code?\n</div>", "<div>\n    code?\n</div>"},
		{"carriage returns", "<p>a</p>\r\n\r\n<p>b</p>", "<p>a</p>\n<p>b</p>"},
		{"comment first", "<!--more-->\n\n*x*", "<div>\n<!--more-->\n*x*\n</div>"},
		{"prefix is not pre", "<p>x</p>\n<prefix>\n\ny", "<p>x</p>\n<prefix>\ny"},
		{"tab after the tag name", "<p\tclass=x>0</p>", "<div>\n<p\tclass=x>0</p>\n</div>"},
	}
	md := markdown()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := markdownSafe(tc.in)
			if got != tc.want {
				t.Errorf("markdownSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if ok, out := passesThrough(t, md, got); got != "" && !ok {
				t.Errorf("CommonMark changed markdownSafe(%q):\n%s", tc.in, out)
			}
		})
	}
}

func FuzzMarkdownSafe(f *testing.F) {
	for _, s := range []string{"<p>a</p>\n\n<p>b</p>", "text\n\n    code", "<pre>\n\n</pre>\n\n# h", "<div><pre>a\n\nb</pre></div>\n\n* x",
		"<PRE>a\n\n</Pre>\n\n1. x", "> q\n\n<p>x</p>", "<!--more-->\n\n*x*", "<table>\n\n<tr><td>1</td></tr>\n\n</table>"} {
		f.Add(s)
	}
	md := markdown()
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return // goldmark replaces NUL, and stories hold valid UTF-8
		}
		body := markdownSafe(s)
		if body == "" {
			return
		}
		if ok, out := passesThrough(t, md, body); !ok {
			t.Errorf("CommonMark changed markdownSafe(%q) = %q:\n%q", s, body, out)
		}
	})
}

func TestCommentText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Just text.\n\nTwo paragraphs.", "Just text.\n\nTwo paragraphs."},
		{"plain keeps lines", "a\r\nb\n\n\nc  ", "a\nb\n\n\nc"},
		{"entities", "Tom &amp; Jerry &lt;3", "Tom & Jerry <3"},
		{"link with text", `See <a href="https://x.example/a" rel="nofollow">this</a>.`, "See this (https://x.example/a)."},
		{"link to itself", `<a href="https://x.example/a">https://x.example/a</a>`, "https://x.example/a"},
		{"relative link", `<a href="/about/">about</a>`, "about"},
		{"paragraphs", "<p>One</p><p>Two<br>lines</p>", "One\n\nTwo\nlines"},
		{"quote", "Yes.<blockquote>He said\nthis.</blockquote>Right.", "Yes.\n\n> He said\n> this.\n\nRight."},
		{"list", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"script", "Hi<script>alert(1)</script> there", "Hi there"},
		{"emphasis", "<em>very</em> <strong>good</strong>", "very good"},
		{"image", `<img src="https://x.example/i.png" alt="cat">`, "https://x.example/i.png"},
		{"unclosed", `<blockquote><a href="https://x.example/">x`, "> x (https://x.example/)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := commentText(tc.in); got != tc.want {
				t.Errorf("commentText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzCommentText(f *testing.F) {
	for _, s := range []string{"a<p>b</p>", "<blockquote><blockquote>x</blockquote></blockquote>", "<a href=x>y", "&lt;&amp;", "<br/><br/>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := commentText(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("commentText(%q) = %q: invalid UTF-8", s, got)
		}
		if got != strings.TrimSpace(got) {
			t.Errorf("commentText(%q) = %q: white space at an end", s, got)
		}
	})
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, head string
		want       Format
		err        bool
	}{
		{"wxr", `<?xml version="1.0"?><!-- export --><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">`, WXR, false},
		{"wxr 1.0", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.0/\">", WXR, false},
		{"rss", `<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><rss version="2.0"><channel>`, RSS, false},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`, RSS, false},
		{"atom", "\n\n<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">", Atom, false},
		{"disqus", `<?xml version="1.0"?><!DOCTYPE x><disqus xmlns="http://disqus.com">`, Disqus, false},
		{"jsonl", "{\"id\": \"1\"}\n", JSONLines, false},
		{"html", "<!DOCTYPE html><html><body>", "", true},
		{"text", "hello", "", true},
		{"empty", "  ", "", true},
		{"unfinished comment", "<!-- ", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Detect([]byte(tc.head))
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("Detect(%q) = %q, %v; want %q, error %v", tc.head, got, err, tc.want, tc.err)
			}
		})
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"<rss>", "{", "<?xml?><feed>", "<!---->", "<!"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Detect(b)
		if (err == nil) == (got == "") {
			t.Errorf("Detect(%q) = %q, %v: want a format or an error", b, got, err)
		}
	})
}

func TestOldPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://old.example/2024/05/01/slug/", "/2024/05/01/slug/"},
		{"https://old.example/?p=12", "/?p=12"},
		{"https://old.example/index.php?page_id=7", "/?page_id=7"},
		{"https://old.example/blog/%E6%97%A5/", "/blog/日/"},
		{"https://old.example/", ""},
		{"https://old.example/search?q=x", ""},
		{"/relative/", "/relative/"},
		{"::", ""},
	}
	for _, tc := range tests {
		if got := oldPath(tc.in); got != tc.want {
			t.Errorf("oldPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSlugOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ slug, title, want string }{
		{"election-night", "x", "election-night"},
		{"st%c3%a4dte-wachsen", "x", "städte-wachsen"},
		{"hello_world", "x", "hello-world"},
		{"", "Hello, World!", "hello-world"},
		{"", "!!!", "story"},
		{"", strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 16), "-")},
	}
	for _, tc := range tests {
		if got := slugOf(tc.slug, tc.title, "story"); got != tc.want {
			t.Errorf("slugOf(%q, %q) = %q, want %q", tc.slug, tc.title, got, tc.want)
		}
	}
}

func TestPlainParagraphs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                           "",
		"One line.":                  "One line.",
		"First.\n\nSecond,\nbroken.": "First.\n\nSecond,\nbroken.",
		"<p>A <b>bold</b> &amp; plain</p><p>B</p>":                  "A bold & plain\n\nB",
		"<!-- wp:paragraph --><p>x<br/>y</p><!-- /wp:paragraph -->": "x\ny",
		"  spaced   out  \n\n\n\n  lines ":                          "spaced out\n\nlines",
		"a &lt;script&gt; tag":                                      "a <script> tag",
	} {
		if got := plainParagraphs(in); got != want {
			t.Errorf("plainParagraphs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLibraryOriginals(t *testing.T) {
	t.Parallel()
	const h = "0123456789abcdef0123456789abcdef"
	o := originals{h: h + "/img-2024.jpg"}
	for rel, want := range map[string]struct {
		orig  string
		width int
	}{
		h + "/img-2024.jpg":         {h + "/img-2024.jpg", theOriginal},
		h + "/img-2024-640.webp":    {h + "/img-2024.jpg", 640},
		h + "/img-2024-social.jpg":  {h + "/img-2024.jpg", theCard},
		"2019/05/photo-300x200.jpg": {"2019/05/photo.jpg", 300},
		"2019/05/photo.jpg":         {"2019/05/photo.jpg", 0},
	} {
		if orig, width := o.of(rel); orig != want.orig || width != want.width {
			t.Errorf("of(%q) = %q, %d; want %q, %d", rel, orig, width, want.orig, want.width)
		}
	}
	// Without an attachment, the widest file an address names stands for the original.
	const g = "fedcba9876543210fedcba9876543210"
	guessed := originals{}
	guessed.guess([]string{g + "/photo-320.jpg", g + "/photo-960.jpg", g + "/photo-social.jpg", "2019/05/a.jpg"})
	if len(guessed) != 1 || guessed[g] != g+"/photo-960.jpg" {
		t.Errorf("guess = %v, want %s/photo-960.jpg for %s", guessed, g, g)
	}
	if got := libraryRel("2019/05/" + h + ".jpg"); got != "" {
		t.Errorf("libraryRel of an upload path = %q, want \"\"", got)
	}
}
