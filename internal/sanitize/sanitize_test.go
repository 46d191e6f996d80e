package sanitize

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testCase is one input to a policy method and the output wanted.
type testCase struct {
	name, in, want string
}

// runCases runs f, the policy method called name, on each case in parallel.
func runCases(t *testing.T, name string, f func(string) string, tests []testCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, f(tt.in)); diff != "" {
				t.Errorf("%s(%q) mismatch (-want +got):\n%s", name, tt.in, diff)
			}
		})
	}
}

func TestArticle(t *testing.T) {
	t.Parallel()
	p := New()
	tests := []testCase{
		{"paragraphs and emphasis",
			`<p>One <em>two</em> <strong>three</strong></p><p>Four<br>five</p>`,
			`<p>One <em>two</em> <strong>three</strong></p><p>Four<br/>five</p>`},
		{"headings h2 to h6 kept",
			`<h2>A</h2><h3>B</h3><h4>C</h4><h5>D</h5><h6>E</h6>`,
			`<h2>A</h2><h3>B</h3><h4>C</h4><h5>D</h5><h6>E</h6>`},
		{"h1 becomes h2", `<h1 id="x">Headline</h1><H1>Two</H1>`, `<h2>Headline</h2><h2>Two</h2>`},
		{"table of contents kept",
			`<nav class="toc" aria-label="Contents"><ol><li><a href="#h-one">One</a></li></ol></nav><h2 id="h-one">One</h2><h3 id="h-путин-2">Два</h3>`,
			`<nav aria-label="Contents" class="toc"><ol><li><a href="#h-one">One</a></li></ol></nav><h2 id="h-one">One</h2><h3 id="h-путин-2">Два</h3>`},
		{"heading ids other than h- dropped",
			`<h2 id="location">A</h2><h2 id="h-a b">B</h2><h2 id="h-A">C</h2><h2 id="h-">D</h2><p id="h-p">E</p><h1 id="h-x">F</h1>`,
			`<h2>A</h2><h2>B</h2><h2>C</h2><h2>D</h2><p>E</p><h2 id="h-x">F</h2>`},
		{"heading ids of up to 100 characters after h- kept",
			`<h2 id="h-` + strings.Repeat("я", 100) + `">A</h2><h2 id="h-` + strings.Repeat("a", 101) + `">B</h2>`,
			`<h2 id="h-` + strings.Repeat("я", 100) + `">A</h2><h2>B</h2>`},
		{"class lists of up to 400 characters read",
			`<p class="alignleft` + strings.Repeat(" ", 391) + `">A</p><p class="alignleft` + strings.Repeat(" ", 392) + `">B</p>`,
			`<p class="alignleft">A</p><p>B</p>`},
		{"nav attributes other than the contents' dropped",
			`<nav class="menu" aria-label="Home" id="h-x" onclick="x()"><a href="javascript:x()">x</a></nav>`,
			`<nav>x</nav>`},
		{"layout classes kept, others dropped",
			`<figure class="wp-caption alignright my-theme"><img class="size-large wp-image-5" src="/a.jpg"/></figure><p class="has-text-align-center x">c</p>`,
			`<figure class="wp-caption alignright"><img class="size-large" src="/a.jpg"/></figure><p class="has-text-align-center">c</p>`},
		{"class with markup characters dropped", `<p class="alignleft &quot;><script>">x</p>`, `<p>x</p>`},
		{"pull quote", `<figure class="wp-block-pullquote"><blockquote><p>Q</p><cite>W</cite></blockquote></figure>`,
			`<figure class="wp-block-pullquote"><blockquote><p>Q</p><cite>W</cite></blockquote></figure>`},
		{"code language", `<pre class="wp-block-code"><code class="language-go">x</code></pre>`,
			`<pre class="wp-block-code"><code class="language-go">x</code></pre>`},
		{"strike and friends kept",
			`<strike>a</strike><s>b</s><del>c</del><ins>d</ins><sub>e</sub><sup>f</sup><mark>g</mark><abbr title="h">H</abbr><cite>i</cite><q>j</q>`,
			`<strike>a</strike><s>b</s><del>c</del><ins>d</ins><sub>e</sub><sup>f</sup><mark>g</mark><abbr title="h">H</abbr><cite>i</cite><q>j</q>`},
		{"audio and video players",
			`<audio controls autoplay src="/media/a.mp3" onplay="x()"></audio><video controls preload="none" poster="/p.jpg" width="640" src="https://example.com/v.mp4"><source src="/v.webm" type="video/webm"/></video>`,
			`<audio controls="" src="/media/a.mp3"></audio><video controls="" poster="/p.jpg" preload="none" src="https://example.com/v.mp4" width="640"><source src="/v.webm" type="video/webm"/></video>`},
		{"embed facade",
			`<figure class="embed is-provider-youtube"><a class="embed-facade" href="https://youtu.be/dQw4w9WgXcQ" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" data-provider="YouTube"><span class="embed-what">Video on YouTube</span></a></figure>`,
			`<figure class="embed is-provider-youtube"><a class="embed-facade" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" data-provider="YouTube" href="https://youtu.be/dQw4w9WgXcQ"><span class="embed-what">Video on YouTube</span></a></figure>`},
		{"embed frame of another site dropped",
			`<a class="embed-facade" href="https://e.x/" data-embed="https://evil.example/embed/dQw4w9WgXcQ" data-provider="YouTube">x</a>`,
			`<a class="embed-facade" data-provider="YouTube" href="https://e.x/">x</a>`},
		{"embed frame with script dropped",
			`<a href="https://e.x/" data-embed="javascript:alert(1)" data-other="1">x</a><span class="x" onclick="y">s</span>`,
			`<a href="https://e.x/">x</a><span>s</span>`},
		{"nesting too deep for the parser keeps the words", strings.Repeat("<div>", 600) + "deep &amp; <b>words</b>",
			`<p>deep &amp; words</p>`},
		{"javascript video source", `<video controls src="javascript:alert(1)"></video>`, `<video controls=""></video>`},
		{"div kept without other attributes", `<div class="wp-block-group" id="x">a</div><div>b</div>`, `<div>a</div><div>b</div>`},
		{"blockquote with cite",
			`<blockquote cite="https://example.com/speech"><p>We will.</p></blockquote>`,
			`<blockquote cite="https://example.com/speech"><p>We will.</p></blockquote>`},
		{"blockquote with javascript cite",
			`<blockquote cite="javascript:alert(1)">Q</blockquote>`,
			`<blockquote>Q</blockquote>`},
		{"lists",
			`<ul><li>a</li></ul><ol start="3" reversed><li>b</li></ol><dl><dt>t</dt><dd>d</dd></dl>`,
			`<ul><li>a</li></ul><ol reversed="" start="3"><li>b</li></ol><dl><dt>t</dt><dd>d</dd></dl>`},
		{"http link", `<a href="https://example.com/a?b=1&amp;c=2">x</a>`,
			`<a href="https://example.com/a?b=1&amp;c=2">x</a>`},
		{"relative link", `<a href="/2026/03/22/slug/">x</a>`, `<a href="/2026/03/22/slug/">x</a>`},
		{"fragment link", `<a href="#section">x</a>`, `<a href="#section">x</a>`},
		{"mailto link", `<a href="mailto:desk@example.com">x</a>`, `<a href="mailto:desk@example.com">x</a>`},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, `x`},
		{"javascript link mixed case", `<a href="JaVaScRiPt:alert(1)">x</a>`, `x`},
		{"javascript link with entity tab", `<a href="java&#9;script:alert(1)">x</a>`, `x`},
		{"javascript link with leading space", `<a href=" javascript:alert(1)">x</a>`, `x`},
		{"vbscript link", `<a href="vbscript:msgbox(1)">x</a>`, `x`},
		{"data link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, `x`},
		{"target blank gets noopener",
			`<a href="https://example.com/" target="_blank">x</a>`,
			`<a href="https://example.com/" rel="noopener" target="_blank">x</a>`},
		{"target blank keeps editor rel",
			`<a href="https://example.com/" rel="sponsored" target="_blank">x</a>`,
			`<a href="https://example.com/" rel="sponsored noopener" target="_blank">x</a>`},
		{"unclosed link closed", `<p>See <a href="/x">this`, `<p>See <a href="/x">this</a></p>`},
		{"other targets dropped", `<a href="/a" target="_top">x</a>`, `<a href="/a">x</a>`},
		{"identity rel dropped", `<a href="/a" rel="me">x</a>`, `<a href="/a">x</a>`},
		{"image",
			`<img src="https://cdn.example.com/a.jpg" alt="A &amp; B" width="640" height="360" loading="lazy">`,
			`<img alt="A &amp; B" height="360" loading="lazy" src="https://cdn.example.com/a.jpg" width="640"/>`},
		{"relative image", `<img src="/media/a.jpg" alt="">`, `<img alt="" src="/media/a.jpg"/>`},
		{"data image dropped", `<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">`, `<img alt="x"/>`},
		{"mailto image dropped", `<img src="mailto:a@example.com" alt="x">`, `<img alt="x"/>`},
		{"bad image attributes dropped",
			`<img src="/a.jpg" width="100%" loading="auto" onerror="alert(1)" style="border:0">`,
			`<img src="/a.jpg"/>`},
		{"figure",
			`<figure><img src="/a.jpg" alt="a"><figcaption>Photo: <cite>Agency</cite></figcaption></figure>`,
			`<figure><img alt="a" src="/a.jpg"/><figcaption>Photo: <cite>Agency</cite></figcaption></figure>`},
		{"code block with language",
			`<pre><code class="language-go">x := 1 &lt; 2</code></pre>`,
			`<pre><code class="language-go">x := 1 &lt; 2</code></pre>`},
		{"code class other than language dropped", `<code class="evil big">x</code>`, `<code>x</code>`},
		{"inline bits",
			`H<sub>2</sub>O, E=mc<sup>2</sup>, <abbr title="North Atlantic Treaty Organization">NATO</abbr><hr>`,
			`H<sub>2</sub>O, E=mc<sup>2</sup>, <abbr title="North Atlantic Treaty Organization">NATO</abbr><hr/>`},
		{"table",
			`<table><caption>Results</caption><thead><tr><th scope="col">Party</th></tr></thead><tbody><tr><td colspan="2">A</td></tr></tbody></table>`,
			`<table><caption>Results</caption><thead><tr><th scope="col">Party</th></tr></thead><tbody><tr><td colspan="2">A</td></tr></tbody></table>`},
		{"script removed with content", `<p>a</p><script>alert(1)</script><p>b</p>`, `<p>a</p><p>b</p>`},
		{"style removed with content", `<style>p{color:red}</style><p>b</p>`, `<p>b</p>`},
		{"iframe removed with content",
			`<iframe src="https://www.youtube.com/embed/x">fallback</iframe><p>b</p>`, `<p>b</p>`},
		{"event handler removed", `<p onclick="alert(1)">x</p>`, `<p>x</p>`},
		{"style attribute removed", `<p style="color:red">x</p>`, `<p>x</p>`},
		{"form removed, text kept", `<form action="/x"><input name="q">Go</form>`, `Go`},
		{"svg removed", `<svg onload="alert(1)"><script>alert(1)</script></svg>x`, `x`},
		{"unclosed tags closed", `<p><em>x`, `<p><em>x</em></p>`},
		{"comment removed", `a<!-- secret -->b`, `ab`},
		{"text is escaped", `1 < 2 & 3 > 2`, `1 &lt; 2 &amp; 3 &gt; 2`},
		{"empty", ``, ``},
	}
	runCases(t, "Article", p.Article, tests)
}

func TestArticleNoFollow(t *testing.T) {
	t.Parallel()
	p := NewWithConfig(Config{NoFollowArticleLinks: true})
	tests := []testCase{
		{"absolute link", `<a href="https://example.com/">x</a>`,
			`<a href="https://example.com/" rel="nofollow">x</a>`},
		{"relative link unchanged", `<a href="/a">x</a>`, `<a href="/a">x</a>`},
		{"new tab", `<a href="https://example.com/" target="_blank">x</a>`,
			`<a href="https://example.com/" rel="nofollow noopener" target="_blank">x</a>`},
	}
	runCases(t, "Article", p.Article, tests)
}

func TestComment(t *testing.T) {
	t.Parallel()
	p := New()
	tests := []testCase{
		{"plain", `Nice piece.`, `Nice piece.`},
		{"paragraphs and quote",
			`<p>I disagree:</p><blockquote cite="https://example.com/">no</blockquote>`,
			`<p>I disagree:</p><blockquote cite="https://example.com/">no</blockquote>`},
		{"link gets nofollow ugc", `<a href="https://example.com/">spam</a>`,
			`<a href="https://example.com/" rel="nofollow ugc">spam</a>`},
		{"relative link gets nofollow ugc", `<a href="/about/">x</a>`,
			`<a href="/about/" rel="nofollow ugc">x</a>`},
		{"reader rel ignored", `<a href="/x" rel="me">x</a>`, `<a href="/x" rel="nofollow ugc">x</a>`},
		{"images removed", `<img src="https://tracker.example/p.gif">hi`, `hi`},
		{"headings removed", `<h2>LOUD</h2>`, `LOUD`},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, `x`},
		{"script", `<script>alert(1)</script>ok`, `ok`},
	}
	runCases(t, "Comment", p.Comment, tests)
}

func TestText(t *testing.T) {
	t.Parallel()
	p := New()
	tests := []testCase{
		{"plain", `Hello, world`, `Hello, world`},
		{"blocks separate words", `<p>One</p><p>Two</p><ul><li>three</li><li>four</li></ul>`, `One Two three four`},
		{"inline does not split words", `un<em>believ</em>able`, `unbelievable`},
		{"br", `line<br>next`, `line next`},
		{"entities decoded", `AT&amp;T &lt;b&gt; &quot;q&quot; &#8212; caf&eacute;`, `AT&T <b> "q" — café`},
		{"script and style dropped", `<script>var a = "<p>x</p>";</script><style>p{}</style>kept`, `kept`},
		{"template dropped", `<template><p>hidden</p></template>shown`, `shown`},
		{"white space collapsed", "  a \n\t b\u00a0\u00a0c  ", `a b c`},
		{"control characters dropped", "a\x00b\x07c\u200bd", "abc\u200bd"},
		{"invalid utf-8 dropped", "a\xffb", `ab`},
		{"comments dropped", `a<!-- x -->b`, `ab`},
		{"unicode kept", `<p>Владимир Путин 习近平 🇺🇦</p>`, `Владимир Путин 习近平 🇺🇦`},
		{"empty", ``, ``},
		{"only tags", `<p><br></p>`, ``},
	}
	runCases(t, "Text", p.Text, tests)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	p := New()
	const in = `<p><a href="https://example.com/" target="_blank">x</a><script>y</script></p>`
	want := p.Article(in)
	done := make(chan string)
	for range 8 {
		go func() { done <- p.Article(in) + p.Comment(in) + p.Text(in) }()
	}
	for range 8 {
		if got := <-done; !strings.HasPrefix(got, want) {
			t.Errorf("concurrent Article(%q) = %q, want prefix %q", in, got, want)
		}
	}
}
