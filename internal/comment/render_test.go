package comment

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Hello", "<p>Hello</p>\n"},
		{"One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"},
		{"line\nbreak", "<p>line<br>\nbreak</p>\n"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"see https://example.org/a?b=1&c=2.", `<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">https://example.org/a?b=1&amp;c=2</a>.</p>` + "\n"},
		{"www.example.org", `<p><a href="http://www.example.org" rel="nofollow ugc">www.example.org</a></p>` + "\n"},
		{"javascript:alert(1)", "<p>javascript:alert(1)</p>\n"},
		{"> quoted\n> more", "<blockquote><p>quoted<br>\nmore</p></blockquote>\n"},
		{"(see https://en.wikipedia.org/wiki/Go_(language))", `<p>(see <a href="https://en.wikipedia.org/wiki/Go_(language)" rel="nofollow ugc">https://en.wikipedia.org/wiki/Go_(language)</a>)</p>` + "\n"},
		{"a\x00b\x07c", "<p>abc</p>\n"},
		{"\n\n  \n", ""},
	}
	for _, tt := range tests {
		if got := Render(tt.in); got != tt.want {
			t.Errorf("Render(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

// FuzzRender checks that no input yields a script, an event handler or a javascript: link.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"hi", "<img src=x onerror=alert(1)>", "http://x.org/\"onmouseover=alert(1)", "javascript:alert(1)",
		"www.<script>", "https://a.b/<svg onload=1>", "> <a href='javascript:x'>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Render(in)
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("Render(%q) does not parse: %v", in, err)
		}
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch n.Data {
			case "html", "head", "body", "p", "br", "a", "blockquote":
			default:
				t.Fatalf("Render(%q) made a <%s>: %s", in, n.Data, out)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Fatalf("Render(%q) made an event handler: %s", in, out)
				}
				if a.Key == "href" && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "https://") {
					t.Fatalf("Render(%q) made a link to %q", in, a.Val)
				}
			}
		}
	})
}
