package highlight

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		contains  []string
		unchanged bool
	}{
		{name: "go block", in: `<p>x</p><pre><code class="language-go">func main() { fmt.Println(&#34;a &lt; b&#34;) }</code></pre>`,
			contains: []string{`<pre><code class="language-go"><span class="kd">func</span>`, `&#34;a &lt; b&#34;`}},
		{name: "block class kept", in: `<pre class="wp-block-code"><code class="language-python">print(1)</code></pre>`,
			contains: []string{`<pre class="wp-block-code"><code class="language-python">`, `<span class="nb">print</span>`}},
		{name: "indentation kept", in: "<pre><code class=\"language-csharp\">class A\n{\n    int x;\n}</code></pre>",
			contains: []string{"\n    <span class=\"kt\">int</span>"}},
		{name: "unknown language", in: `<pre><code class="language-nosuchlanguage">x</code></pre>`, unchanged: true},
		{name: "no language", in: `<pre><code>x</code></pre>`, unchanged: true},
		{name: "inline code", in: `<p><code class="language-go">x</code></p>`, unchanged: true},
		{name: "too long", in: `<pre><code class="language-go">` + strings.Repeat("x", MaxCode+1) + `</code></pre>`, unchanged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := HTML(tt.in)
			if tt.unchanged && got != tt.in {
				t.Errorf("HTML(%q) = %q, want it unchanged", tt.in, got)
			}
			for _, c := range tt.contains {
				if !strings.Contains(got, c) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", tt.in, got, c)
				}
			}
		})
	}
}

// TestHTMLEscapes checks that code which looks like markup stays text: the spans hold the
// block's text escaped again, never a tag.
func TestHTMLEscapes(t *testing.T) {
	t.Parallel()
	in := `<pre><code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</code></pre>`
	got := HTML(in)
	if strings.Contains(got, "<script") || strings.Contains(got, "<img") {
		t.Errorf("HTML(%q) = %q, which holds a tag", in, got)
	}
	if !strings.Contains(got, "&lt;") {
		t.Errorf("HTML(%q) = %q, want the code's escaped text", in, got)
	}
}

func BenchmarkHTML(b *testing.B) {
	body := strings.Repeat(`<p>Text</p><pre><code class="language-go">`+strings.Repeat("for i := 0; i &lt; n; i++ { sum += i }\n", 40)+`</code></pre>`, 5)
	for b.Loop() {
		HTML(body)
	}
}

func TestCSS(t *testing.T) {
	t.Parallel()
	css := CSS(".story-body pre")
	for _, want := range []string{".story-body pre .kd { color: #cf222e }\n", ".story-body pre .s "} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS() lacks %q:\n%s", want, css)
		}
	}
	if strings.Contains(css, ".chroma") || strings.Contains(css, ".lnt") {
		t.Errorf("CSS() holds wrapper or line-number rules:\n%s", css)
	}
}
