package feed

import (
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestAbsolute(t *testing.T) {
	t.Parallel()
	const base = "https://news.example.org/2026/03/22/strike/"
	for _, tc := range []struct{ in, want string }{
		{`<p>No links.</p>`, `<p>No links.</p>`},
		{`<img src="/media/ab/x-640.jpg" srcset="/media/ab/x-320.jpg 320w, /media/ab/x-640.jpg 640w" alt="A &amp; B">`,
			`<img src="https://news.example.org/media/ab/x-640.jpg" srcset="https://news.example.org/media/ab/x-320.jpg 320w, https://news.example.org/media/ab/x-640.jpg 640w" alt="A &amp; B">`},
		{`<a href="#fn1">1</a>`, `<a href="https://news.example.org/2026/03/22/strike/#fn1">1</a>`},
		{`<a href="../../21/budget/">B</a> <a href="https://elsewhere.example.com/x">E</a> <a href="mailto:desk@example.org">M</a>`,
			`<a href="https://news.example.org/2026/03/21/budget/">B</a> <a href="https://elsewhere.example.com/x">E</a> <a href="mailto:desk@example.org">M</a>`},
		{`<a href="//cdn.example.net/a.png">P</a>`, `<a href="https://cdn.example.net/a.png">P</a>`},
		{`<blockquote cite="/2020/01/01/old/"><p>“Quote” &lt;b&gt;</p></blockquote>`,
			`<blockquote cite="https://news.example.org/2020/01/01/old/"><p>“Quote” &lt;b&gt;</p></blockquote>`},
		{`<video poster="/media/cd/p.jpg"><source src="/media/cd/v.mp4"></video>`,
			`<video poster="https://news.example.org/media/cd/p.jpg"><source src="https://news.example.org/media/cd/v.mp4"></video>`},
	} {
		if got := Absolute(tc.in, base); got != tc.want {
			t.Errorf("Absolute(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := Absolute(`<img src="/a.jpg">`, ""); got != `<img src="/a.jpg">` {
		t.Errorf("Absolute without a base = %q, want the fragment as it was", got)
	}
}

// TestFeedsCarryAbsoluteURLs reads each format with gofeed: every address in an item's content
// and its image is absolute, on the site's host.
func TestFeedsCarryAbsoluteURLs(t *testing.T) {
	t.Parallel()
	f := Feed{Title: "Courier", Link: "https://news.example.org/", FeedURL: "https://news.example.org/feed/",
		Items: []Item{{Title: "Strike", Link: "https://news.example.org/2026/03/22/strike/", Published: date("2026-03-22 09:00", 0),
			ImageURL: "/media/ab/lead-640.jpg",
			ContentHTML: `<p>See <a href="/section/business/">Business</a>.</p><figure><img src="/media/ab/x-640.jpg" ` +
				`srcset="/media/ab/x-320.jpg 320w, /media/ab/x-640.jpg 640w" alt="x"></figure><p><sup><a href="#fn1">1</a></sup></p>`}}}
	for _, fm := range formats() {
		got, err := gofeed.NewParser().ParseString(string(render(t, fm.write, f)))
		if err != nil {
			t.Fatalf("%s: %v", fm.name, err)
		}
		content := got.Items[0].Content
		for _, want := range []string{`href="https://news.example.org/section/business/"`, `src="https://news.example.org/media/ab/x-640.jpg"`,
			`srcset="https://news.example.org/media/ab/x-320.jpg 320w, https://news.example.org/media/ab/x-640.jpg 640w"`,
			`href="https://news.example.org/2026/03/22/strike/#fn1"`} {
			if !strings.Contains(content, want) {
				t.Errorf("%s: content lacks %s:\n%s", fm.name, want, content)
			}
		}
		for _, bad := range []string{`"/media/`, `"/section/`, `"#fn1"`} {
			if strings.Contains(content, bad) {
				t.Errorf("%s: content still has a relative address %s", fm.name, bad)
			}
		}
		if img := got.Items[0].Image; fm.name == "json" && (img == nil || img.URL != "https://news.example.org/media/ab/lead-640.jpg") {
			t.Errorf("%s: image = %+v, want the absolute lead image", fm.name, img)
		}
	}
}
