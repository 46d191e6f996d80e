package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"
)

// FuzzWrite checks that RSS and Atom output is always well-formed XML, JSON
// Feed output always valid JSON, and that each carries the title intact
// apart from the characters XML cannot carry.
func FuzzWrite(f *testing.F) {
	f.Add("Putin & Xi", "<p>a]]>b</p>", "plain <text>", "Jane Doe", "World", "https://example.com/a?b=1&c=2")
	f.Add("\x00\x1b\x7f\xff\uFFFE", "<![CDATA[x]]>", "\t\n\r", "\u0085", "", "")
	f.Add("习近平 🇺🇦", "&amp;&lt;&#0;", "--> <!--", "O'Brien \"Ed\"", "a\x01b", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, title, content, summary, author, category, link string) {
		in := Feed{
			Title: title, Description: summary, Link: link, FeedURL: link, Language: category,
			Items: []Item{{
				ID: link, Title: title, Link: link, Summary: summary, ContentHTML: content,
				Authors: []Person{{Name: author, URL: link}}, Categories: []string{category},
				Published: time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC), ImageURL: link,
			}},
		}
		want := clean(title)
		for _, fm := range formats()[:2] {
			out := render(t, fm.write, in)
			checkWellFormed(t, out)
			var doc struct {
				RSSTitle  string `xml:"channel>item>title"`
				AtomTitle string `xml:"entry>title"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("%s output does not unmarshal: %v\n%s", fm.name, err, out)
			}
			if got := doc.RSSTitle + doc.AtomTitle; got != want {
				t.Errorf("%s item title = %q, want %q", fm.name, got, want)
			}
		}
		out := render(t, WriteJSON, in)
		var doc struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("json output does not unmarshal: %v\n%s", err, out)
		}
		if len(doc.Items) != 1 || doc.Items[0].Title != want {
			t.Errorf("json items = %+v, want one titled %q", doc.Items, want)
		}
		if bytes.ContainsAny(out, "\x00\x01\x7f") {
			t.Errorf("json output has control characters:\n%s", out)
		}
	})
}

// FuzzAbsolute: any fragment and base come back without a panic, and a fragment without a tag
// comes back as it was.
func FuzzAbsolute(f *testing.F) {
	f.Add(`<img src="/media/a.jpg" srcset="/a 1x, /b 2x"><a href="#x">x</a>`, "https://news.example.org/s/")
	f.Add(`<a href=/x`, "https://news.example.org/")
	f.Add("<p>", "::")
	f.Fuzz(func(t *testing.T, fragment, base string) {
		out := Absolute(fragment, base)
		if !bytes.ContainsAny([]byte(fragment), "<") && out != fragment {
			t.Errorf("Absolute(%q, %q) = %q, want the text as it was", fragment, base, out)
		}
	})
}
