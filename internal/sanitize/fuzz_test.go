package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// attacks seeds the fuzzers with classic cross-site scripting vectors.
var attacks = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href=" &#14;  javascript:alert(1)">x</a>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<img src="data:image/svg+xml;base64,PHN2Zz4=">`,
	`<blockquote cite="javascript:alert(1)">q</blockquote>`,
	`<a href="https://example.com/" target="_blank" rel="opener">x</a>`,
	`<form><button formaction="javascript:alert(1)">x</button></form>`,
	`<table><a href="javascript:alert(1)">x</a><tr><td>1`,
	`<p><em><a href="/x">unclosed`,
	`<<script>script>alert(1)<</script>/script>`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<select><template><style><!--</style><a rel="--></style></template></select><img src=x onerror=alert(1)>">`,
	"<p>Nice \x00 story\u2028</p>",
}

// checkSafe fails t if out, parsed as HTML the way a browser would, holds
// script, an event handler, a style attribute or a script URL.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), context)
	if err != nil {
		t.Fatalf("sanitised %q: output %q does not parse: %v", in, out, err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Iframe, atom.Object, atom.Embed,
				atom.Form, atom.Input, atom.Button, atom.Svg, atom.Math, atom.Frame,
				atom.Base, atom.Link, atom.Meta, atom.Template, atom.Noscript:
				t.Errorf("sanitised %q: output %q has <%s>", in, out, n.Data)
			}
			if n.Namespace != "" {
				t.Errorf("sanitised %q: output %q has foreign element %s:%s", in, out, n.Namespace, n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					t.Errorf("sanitised %q: output %q has attribute %s", in, out, a.Key)
				}
				if isScriptURL(a.Val) {
					t.Errorf("sanitised %q: output %q has URL %s=%q", in, out, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

// isScriptURL reports whether v, read the way browsers read URLs (ASCII
// white space and control characters ignored), starts with a script or data
// scheme.
func isScriptURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "livescript:"} {
		if strings.HasPrefix(v, scheme) {
			return true
		}
	}
	return false
}

func FuzzArticle(f *testing.F) {
	for _, s := range attacks {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := p.Article(in)
		checkSafe(t, in, out)
		if again := p.Article(out); again != out {
			t.Errorf("Article is not stable on %q:\nonce:  %q\ntwice: %q", in, out, again)
		}
	})
}

func FuzzComment(f *testing.F) {
	for _, s := range attacks {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := p.Comment(in)
		checkSafe(t, in, out)
		if strings.Contains(out, "<img") {
			t.Errorf("Comment(%q) = %q, has an image", in, out)
		}
	})
}

func FuzzText(f *testing.F) {
	for _, s := range attacks {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := p.Text(in)
		if !utf8.ValidString(out) {
			t.Errorf("Text(%q) = %q, not valid UTF-8", in, out)
		}
		if strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Errorf("Text(%q) = %q, white space not collapsed", in, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) {
				t.Errorf("Text(%q) = %q, has control character %U", in, out, r)
			}
		}
		if !strings.ContainsAny(in, "<&") {
			if want := strings.Join(strings.Fields(cleanControls(in)), " "); out != want {
				t.Errorf("Text(%q) = %q, want %q", in, out, want)
			}
		}
	})
}

// cleanControls drops the characters Text drops from plain text.
func cleanControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			return -1
		}
		return r
	}, s)
}

func TestAttacks(t *testing.T) {
	t.Parallel()
	p := New()
	for _, in := range attacks {
		checkSafe(t, in, p.Article(in))
		checkSafe(t, in, p.Comment(in))
	}
}
