package article

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/sanitize"
)

func TestRendererTOC(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitize.New())
	src := "[TOC]\n\nIntro.\n\n## Where it began\n\n### The first day\n\n### The first day\n\n" +
		"## What’s next\n\n#### Too deep to list\n\n## Where it began\n\n## !!!\n\n## location\n"
	got, err := r.HTML(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `<nav aria-label="Contents" class="toc"><ol>` +
		`<li><a href="#h-where-it-began">Where it began</a><ol>` +
		`<li><a href="#h-the-first-day">The first day</a></li>` +
		`<li><a href="#h-the-first-day-2">The first day</a></li></ol></li>` +
		`<li><a href="#h-whats-next">What’s next</a></li>` +
		`<li><a href="#h-where-it-began-2">Where it began</a></li>` +
		`<li><a href="#h-section">!!!</a></li>` +
		`<li><a href="#h-location">location</a></li></ol></nav>`
	if !strings.HasPrefix(got, want) {
		t.Fatalf("table of contents:\n got %s\nwant %s", got, want)
	}
	for _, h := range []string{`<h2 id="h-where-it-began">`, `<h3 id="h-the-first-day">`, `<h3 id="h-the-first-day-2">`,
		`<h2 id="h-where-it-began-2">`, `<h2 id="h-section">`, `<h2 id="h-location">`, "<h4>Too deep to list</h4>"} {
		if !strings.Contains(got, h) {
			t.Errorf("body lacks %s:\n%s", h, got)
		}
	}
	// Every link names one heading, and ids are unique; none could name a DOM global
	// (document.location, window.name) because all begin "h-".
	ids := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(got, -1) {
		ids[m[1]]++
		if !strings.HasPrefix(m[1], "h-") {
			t.Errorf("id %q lacks the h- prefix", m[1])
		}
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("id %q appears %d times", id, n)
		}
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(got, -1) {
		if ids[m[1]] != 1 {
			t.Errorf("link to #%s has no heading", m[1])
		}
	}
	if strings.Contains(got, "[TOC]") {
		t.Errorf("marker left in the body:\n%s", got)
	}
}

func TestRendererTOCEdges(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitize.New())
	tests := []struct {
		name, src       string
		want, forbidden []string
	}{
		{"one heading", "[TOC]\n\n## Only\n\nText.\n", []string{"<h2>Only</h2>", "<p>Text.</p>"}, []string{"TOC", "<nav", "id="}},
		{"no heading", "Text.\n\n[toc]\n", []string{"<p>Text.</p>"}, []string{"toc", "<nav"}},
		{"no marker", "## A\n\n## B\n", []string{"<h2>A</h2>", "<h2>B</h2>"}, []string{"<nav", "id="}},
		{"in code", "## A\n\n## B\n\n```\n[TOC]\n```\n\n    [TOC]\n\nSee `[TOC]`.\n",
			[]string{"<pre><code>[TOC]\n</code></pre>", "<code>[TOC]</code>"}, []string{"<nav"}},
		{"escaped by the visual editor", "\\[TOC\\]\n\n## A\n\n## B\n", []string{`<nav aria-label="Contents" class="toc">`}, []string{"TOC"}},
		{"in a sentence", "## A\n\n## B\n\nWrite [TOC] on its own line.\n", []string{"<p>Write [TOC] on its own line.</p>"}, []string{"<nav"}},
		{"h3 first", "[TOC]\n\n### C\n\n## A\n\n### B\n",
			[]string{`<ol><li><a href="#h-c">C</a></li><li><a href="#h-a">A</a><ol><li><a href="#h-b">B</a></li></ol></li></ol>`}, nil},
		{"markup in heading", "[TOC]\n\n## <script>alert(1)</script>Safe &amp; <img src=x onerror=alert(1)>sound\n\n## \"><svg onload=alert(1)>\n",
			[]string{`<a href="#h-safe-sound">Safe &amp; sound</a>`, `<h2 id="h-safe-sound">`, `<a href="#h-section">“&gt;</a>`},
			[]string{"<script", "onerror", "onload", "<svg", "alert(1)</a>"}},
		// The sanitiser writes the links percent-encoded; browsers decode a fragment to find its id.
		{"not latin", "[TOC]\n\n## Путин и Си\n\n## 习近平\n", []string{`<h2 id="h-путин-и-си">`, `<h2 id="h-习近平">`,
			`<a href="#h-` + url.PathEscape("习近平") + `">习近平</a>`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.HTML(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("has %q:\n%s", f, got)
				}
			}
		})
	}
}

func TestWithoutTOC(t *testing.T) {
	t.Parallel()
	r := NewRenderer(sanitize.New())
	a := &Article{Title: "Long read", Status: Draft, Body: "[TOC]\n\n## First part\n\nWords.\n\n## Second part\n\nMore.\n"}
	if err := r.Prepare(a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.BodyHTML, `<nav aria-label="Contents" class="toc">`) {
		t.Fatalf("no table of contents: %s", a.BodyHTML)
	}
	if want := "First part Words. Second part More."; a.BodyText != want {
		t.Errorf("BodyText = %q, want %q (the contents listed once, not twice)", a.BodyText, want)
	}
	if got, want := WithoutTOC(a.BodyHTML), `<h2 id="h-first-part">First part</h2>`; !strings.HasPrefix(got, want) {
		t.Errorf("WithoutTOC = %q, want it to begin %q", got, want)
	}
	if got := WithoutTOC("<p>x</p>"); got != "<p>x</p>" {
		t.Errorf("WithoutTOC changed a body without contents: %q", got)
	}
}
