package article

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/embed"
	"github.com/broadsheet/broadsheet/internal/sanitize"
)

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Talks Between Xi And Putin Fail To End Ukraine War", "talks-between-xi-and-putin-fail-to-end-ukraine-war"},
		{"Putin’s plan: “peace”?", "putins-plan-peace"},
		{"Crème brûlée at the Café", "creme-brulee-at-the-cafe"},
		{"Straße in München", "strasse-in-munchen"},
		{"Путин и Си Цзиньпин", "путин-и-си-цзиньпин"},
		{"习近平会见普京", "习近平会见普京"},
		{"  --Hello--World--  ", "hello-world"},
		{"100% up in 2026!", "100-up-in-2026"},
		{"!!!", ""},
		{"", ""},
		{strings.Repeat("word ", 40), strings.TrimRight(strings.Repeat("word-", 16), "-")},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" && !ValidSlug(Slugify(tt.in)) {
			t.Errorf("Slugify(%q) = %q is not a ValidSlug", tt.in, Slugify(tt.in))
		}
	}
	for _, bad := range []string{"", "-a", "a-", "a--b", "Upper", "has space", "semi;colon", strings.Repeat("a", MaxSlugLen+1)} {
		if ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true, want false", bad)
		}
	}
}

func TestUniqueSlug(t *testing.T) {
	t.Parallel()
	taken := map[string]bool{"news": true, "news-2": true}
	got, err := UniqueSlug("news", "story", func(s string) (bool, error) { return taken[s], nil })
	if err != nil || got != "news-3" {
		t.Errorf("UniqueSlug(news) = %q, %v; want news-3", got, err)
	}
	if got, _ := UniqueSlug("", "story-7", func(string) (bool, error) { return false, nil }); got != "story-7" {
		t.Errorf("UniqueSlug(\"\") = %q, want the fallback", got)
	}
	boom := errors.New("boom")
	if _, err := UniqueSlug("x", "y", func(string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("UniqueSlug error = %v, want boom", err)
	}
}

func TestLiveAndPermalink(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status Status
		at     time.Time
		want   bool
	}{
		{Published, now.Add(-time.Hour), true},
		{Published, time.Time{}, true},
		{Scheduled, now.Add(-time.Second), true},
		{Scheduled, now, true},
		{Scheduled, now.Add(time.Second), false},
		{Scheduled, time.Time{}, false},
		{Draft, now.Add(-time.Hour), false},
		{Pending, now.Add(-time.Hour), false},
		{Unpublished, now.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		if got := IsLive(tt.status, tt.at, now); got != tt.want {
			t.Errorf("IsLive(%s, %v) = %v, want %v", tt.status, tt.at, got, tt.want)
		}
	}
	late := time.Date(2026, 3, 22, 23, 30, 0, 0, time.UTC)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	a := &Article{Kind: Story, Slug: "late-news", PublishedAt: late}
	if got := a.Path(time.UTC); got != "/2026/03/22/late-news/" {
		t.Errorf("Path(UTC) = %q", got)
	}
	if got := a.Path(tokyo); got != "/2026/03/23/late-news/" {
		t.Errorf("Path(Tokyo) = %q, want the newsroom's date", got)
	}
	if got := (&Article{Kind: Page, Slug: "about", PublishedAt: late}).Path(time.UTC); got != "/about/" {
		t.Errorf("page Path = %q", got)
	}
}

func TestExcerptAndDescription(t *testing.T) {
	t.Parallel()
	if got := Excerpt("one two three four five six", 13); got != "one two…" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("  short \n text ", 50); got != "short text" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("ééééééééééé", 5); got != "ééééé…" {
		t.Errorf("Excerpt of runes = %q", got)
	}
	a := &Article{Standfirst: " The standfirst. "}
	if got := a.Description("body"); got != "The standfirst." {
		t.Errorf("Description = %q", got)
	}
	a.Standfirst = ""
	if got := a.Description("The body text."); got != "The body text." {
		t.Errorf("Description without standfirst = %q", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Article{Title: "A headline", Status: Draft}
	tests := []struct {
		name   string
		change func(*Article)
		want   ValidationError
	}{
		{"valid", func(*Article) {}, nil},
		{"no title", func(a *Article) { a.Title = "  " }, ValidationError{"title": "A story needs a headline."}},
		{"long title", func(a *Article) { a.Title = strings.Repeat("é", MaxTitleLen+1) }, ValidationError{"title": "The headline is too long (300 characters at most)."}},
		{"bad slug", func(a *Article) { a.Slug = "Bad Slug" }, ValidationError{"slug": "Use lower-case letters, digits and single hyphens."}},
		{"bad status", func(a *Article) { a.Status = "gone" }, ValidationError{"status": "Unknown status."}},
		{"scheduled without time", func(a *Article) { a.Status = Scheduled }, ValidationError{"published_at": "A scheduled story needs a date and time."}},
		{"image without alt", func(a *Article) { a.ImageURL = "https://example.org/a.jpg" }, ValidationError{"image_alt": "Describe the image for readers who cannot see it."}},
		{"javascript image", func(a *Article) { a.ImageURL, a.ImageAlt = "javascript:alert(1)", "x" }, ValidationError{"image_url": "Use an http(s) address or a path starting with /."}},
		{"invalid UTF-8", func(a *Article) { a.Body = "a\xffb" }, ValidationError{"body": "The text contains invalid characters."}},
		{"huge body", func(a *Article) { a.Body = strings.Repeat("x", MaxBodyBytes+1) }, ValidationError{"body": "The body is too long (2 MB at most)."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := ok
			tt.change(&a)
			got, _ := AsValidation(a.Validate())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate() (-want +got):\n%s", diff)
			}
		})
	}
}

// sanitizer is a stand-in policy for the renderer test: it marks what it was given, so the test
// sees that rendering goes through it.
type sanitizer struct{}

func (sanitizer) Article(h string) string { return "<!--clean-->" + h }
func (sanitizer) Text(h string) string    { return strings.Join(strings.Fields(stripTags(h)), " ") }

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestRendererPrepare(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitizer{})
	a := &Article{Title: "Xi meets Putin", Status: Draft, Body: "First *para*.\n\n> A quote.\n\n| a | b |\n|---|---|\n| 1 | 2 |"}
	if err := r.Prepare(a); err != nil {
		t.Fatal(err)
	}
	if a.Slug != "xi-meets-putin" || a.Kind != Story {
		t.Errorf("Prepare left slug %q, kind %q", a.Slug, a.Kind)
	}
	for _, want := range []string{"<!--clean-->", "<em>para</em>", "<blockquote>", "<table>"} {
		if !strings.Contains(a.BodyHTML, want) {
			t.Errorf("BodyHTML lacks %q:\n%s", want, a.BodyHTML)
		}
	}
	if a.BodyText != "First para . A quote. a b 1 2" {
		t.Errorf("BodyText = %q", a.BodyText)
	}
	if err := r.Prepare(&Article{Status: Draft}); err == nil {
		t.Error("Prepare accepted a story without a headline")
	}
}

// TestRendererCode checks that a fenced code block keeps its indentation and is coloured on
// the server, and that a long one-line block renders plain.
func TestRendererCode(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitizer{})
	h, err := r.HTML("```go\nfunc main() {\n\tif a < b {}\n}\n```")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<code class="language-go"><span class="kd">func</span>`, "<span class=\"w\">\t</span><span class=\"k\">if</span>", "&lt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	long := strings.Repeat("x", 1<<20)
	if h, err = r.HTML("```go\n" + long + "\n```"); err != nil || !strings.Contains(h, long) || strings.Contains(h, "<span") {
		t.Errorf("HTML of a 1 MB line: err %v, %d bytes, spans %v", err, len(h), strings.Contains(h, "<span"))
	}
}

// TestRendererFootnotes checks that a Markdown footnote and its reference link to each other
// through the real sanitiser.
func TestRendererFootnotes(t *testing.T) {
	t.Parallel()
	h, err := NewRenderer(sanitize.New()).HTML("The minister resigned.[^1]\n\n[^1]: Announced at noon.")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<sup id="fnref:1"><a class="footnote-ref" href="#fn:1" role="doc-noteref">1</a></sup>`,
		`<div class="footnotes" role="doc-endnotes">`, `<li id="fn:1">`, `href="#fnref:1"`, "Announced at noon."} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
}

// FuzzSlugify checks that every title gives an empty slug or a valid one.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello World", "Putin’s plan", "Straße", "习近平", "a\xffb", strings.Repeat("ab ", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if s := Slugify(title); s != "" && !ValidSlug(s) {
			t.Errorf("Slugify(%q) = %q, not a valid slug", title, s)
		}
	})
}

// TestRendererBoundsNesting checks that pathological nesting renders quickly and keeps its text:
// 10,000 nested lists and quotes join the deepest level allowed; a fenced block keeps its
// indentation.
func TestRendererBoundsNesting(t *testing.T) {
	t.Parallel()
	var lists strings.Builder
	for i := range 10000 {
		lists.WriteString(strings.Repeat("  ", min(i, 200)) + "- item" + strconv.Itoa(i) + "\n")
	}
	quotes := strings.Repeat(">", 10000) + " deep quote"
	code := "```\n" + strings.Repeat(" ", 100) + "indented code\n```"
	for name, src := range map[string]string{"lists": lists.String(), "quotes": quotes, "code": code} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, err := NewRenderer(sanitizer{}).HTML(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"item9999", "deep quote", strings.Repeat(" ", 100) + "indented code"} {
				if strings.Contains(src, want) && !strings.Contains(h, want) {
					t.Errorf("HTML lost %q", want)
				}
			}
		})
	}
	if got := boundNesting("a\n" + strings.Repeat(" ", 70) + "- b\n\t\t" + strings.Repeat(">", 40) + " c\n"); got !=
		"a\n"+strings.Repeat(" ", 64)+"- b\n\t\t"+strings.Repeat(">", 32)+" c\n" {
		t.Errorf("boundNesting = %q", got)
	}
}

// BenchmarkRendererPathological renders bodies built to be slow: deep lists, deep quotes, a
// wide table and a 1 MB line of code.
func BenchmarkRendererPathological(b *testing.B) {
	var lists strings.Builder
	for i := range 10000 {
		lists.WriteString(strings.Repeat("  ", i%300) + "- x\n")
	}
	bodies := map[string]string{
		"lists":  lists.String(),
		"quotes": strings.Repeat(">", 10000) + " q",
		"table":  "| a | b |\n|---|---|\n" + strings.Repeat("| xxxxxxxxxx | yyyyyyyyyyyyy |\n", 20000),
		"code":   "```go\n" + strings.Repeat("x", 1<<20) + "\n```",
	}
	r := NewRenderer(sanitize.New())
	for name, src := range bodies {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := r.HTML(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestShareImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lead, body, want string
	}{
		{"lead image", "/media/lead.jpg", `<p><img src="/media/body.jpg"></p>`, "/media/lead.jpg"},
		{"first body image", "", `<p>Text</p><p><img alt="x" src="https://cdn.example.org/a.webp?w=800&amp;h=600"></p>`, "https://cdn.example.org/a.webp?w=800&h=600"},
		{"never an SVG lead", "/media/chart.SVG", `<img src="/media/photo.png">`, "/media/photo.png"},
		{"never an SVG in the body", "", `<img src="/media/logo.svg?v=2"><img src="/media/photo.jpg">`, "/media/photo.jpg"},
		{"no data: images", "", `<img src="data:image/png;base64,AAAA">`, ""},
		{"none", "", "<p>Words only.</p>", ""},
	}
	for _, tt := range tests {
		a := &Article{ImageURL: tt.lead, BodyHTML: tt.body}
		if got := a.ShareImage(); got != tt.want {
			t.Errorf("%s: ShareImage() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestRendererEmbedCards checks that the cards fetched at save show in the sanitised body (a
// facade with its title and local thumbnail, a link card for another site) and are read back
// from it unchanged, so the next save reuses them.
func TestRendererEmbedCards(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitize.New())
	cards := []embed.Card{
		{URL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", Provider: "YouTube", Title: "Harbour <strike> & \"more\"",
			Author: "Port TV", Thumb: "/media/0123456789abcdef0123456789abcdef/embed-youtube-480.jpg", ThumbWidth: 480, ThumbHeight: 270},
		{URL: "https://news.example.net/2026/harbour?id=1&x=2", Provider: "Example News", Title: "The harbour, by night",
			Author: "Ana", Thumb: "/media/fedcba9876543210fedcba9876543210/embed-example-480.jpg", ThumbWidth: 480, ThumbHeight: 320},
		{URL: "https://elsewhere.example.org/a", Provider: "Elsewhere", Title: "Hotlinked", Thumb: "https://elsewhere.example.org/t.jpg"},
	}
	body := "Before.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n<https://news.example.net/2026/harbour?id=1&x=2>\n\n" +
		"https://elsewhere.example.org/a\n\nhttps://unknown.example.com/\n"
	addrs, err := r.Addresses(body)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{cards[0].URL, cards[1].URL, cards[2].URL, "https://unknown.example.com/"}; !cmp.Equal(addrs, want) {
		t.Errorf("Addresses = %q, want %q", addrs, want)
	}
	got, err := r.HTML(body, cards...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<img alt="" class="embed-thumb" height="270" loading="lazy" src="/media/0123456789abcdef0123456789abcdef/embed-youtube-480.jpg" width="480"/>`,
		`<span class="embed-title">Harbour &lt;strike&gt; &amp; &#34;more&#34;</span>`,
		`<figure class="embed embed-card"><a href="https://news.example.net/2026/harbour?id=1&amp;x=2"`,
		`<span class="embed-provider">Example News</span>`,
		`<span class="embed-title">Hotlinked</span>`,
		`<p><a href="https://unknown.example.com/">https://unknown.example.com/</a></p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("body lacks %s\n%s", want, got)
		}
	}
	if strings.Contains(got, "elsewhere.example.org/t.jpg") {
		t.Error("a thumbnail outside the library is shown")
	}
	want := cards[:2:2]
	want = append(want, embed.Card{URL: cards[2].URL, Provider: "Elsewhere", Title: "Hotlinked"})
	if diff := cmp.Diff(want, embed.Stored(got)); diff != "" {
		t.Errorf("Stored differs (-want +got):\n%s", diff)
	}
}
