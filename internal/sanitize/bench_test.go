package sanitize

import (
	"strings"
	"testing"
)

// benchBody is a story body of about 6 kB with the markup a newsroom uses.
var benchBody = strings.Repeat(`<p>The minister said on <time datetime="2026-03-22">Sunday</time> that the
<a href="https://example.com/report" target="_blank">report</a> was <em>not</em> final &amp; would change.</p>
<blockquote cite="https://example.com/speech"><p>“We will publish everything,” she said.</p></blockquote>
<figure><img src="/media/2026/03/photo.jpg" alt="The minister" width="1200" height="800" loading="lazy">
<figcaption>Photo: <cite>Agency</cite></figcaption></figure>
<script>track()</script><p onclick="x()">More text follows here.</p>
`, 12)

func BenchmarkArticle(b *testing.B) {
	p := New()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		p.Article(benchBody)
	}
}

func BenchmarkComment(b *testing.B) {
	p := New()
	const in = `<p>I think the <a href="https://example.com/">minister</a> is wrong &amp; here is why.</p>`
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		p.Comment(in)
	}
}

func BenchmarkText(b *testing.B) {
	p := New()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		p.Text(benchBody)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New()
	}
}
