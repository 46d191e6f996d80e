package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

func TestUnknownShortcodes(t *testing.T) {
	t.Parallel()
	s := newSummary("x", WXR)
	s.shortcodes(leftShortcodes(wordpressHTML(wxr.Converter{}, `<p>[gallery-x ids="1,2"] and [caption id="a"]x[/caption], [sic] and [1],
		[csharp]var x = a[i="b"];[/csharp] [csharp]y[/csharp] [embed]https://example.org[/embed] [audio src="https://example.org/a.mp3" /]
		[contact-form-7 id="12"] [tabs][tab title="One"]A[/tab][/tabs]</p>`)), &article.Article{ID: 7, Title: "Harbour"})
	s.shortcodes(leftShortcodes(wordpressHTML(wxr.Converter{}, `Fine [sic].`)), &article.Article{ID: 8, Title: "Clean"})
	s.shortcodes(leftShortcodes(wordpressHTML(wxr.Converter{}, `[tabs][tab title="Two"]B[/tab][/tabs]`)), &article.Article{ID: 9, Title: "Tabs"})
	want := map[string]int{"gallery-x": 1, "contact-form-7": 1, "tabs": 2, "tab": 2}
	if diff := cmp.Diff(want, s.Shortcodes); diff != "" {
		t.Errorf("Shortcodes (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"unknown shortcodes, left as text: [contact-form-7] 1, [gallery-x] 1, [tab] 2, [tabs] 2; readers see them as written until an editor replaces them, in 2 stories:",
		"    /admin/stories/7/ Harbour: [contact-form-7] 1, [gallery-x] 1, [tab] 1, [tabs] 1\n",
		"    /admin/stories/9/ Tabs: [tab] 1, [tabs] 1\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("the summary lacks %q:\n%s", line, b.String())
		}
	}
}

// TestSharedExportsShortcodesLeft counts, in every post of the shared WordPress exports, the
// shortcodes left as text before and after conversion (go test -v prints the figures): after,
// none of the kinds the importer converts may remain.
func TestSharedExportsShortcodesLeft(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	names, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(names) == 0 {
		t.Skipf("shared WordPress exports not found at %s", dir)
	}
	converted := []string{"caption", "wp_caption", "embed", "youtube", "vimeo", "video", "code", "sourcecode",
		"csharp", "javascript", "php", "python", "sql", "xml", "html", "css", "bash", "java", "cpp"}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		before, after := map[string]int{}, map[string]int{}
		r := wxr.NewReader(f)
		for {
			rec, err := r.Next()
			if err != nil {
				break // the malformed files end early; what was read counts
			}
			if it, ok := rec.(*wxr.Item); ok && (it.PostType == "post" || it.PostType == "page") {
				for k, n := range leftShortcodes(it.Content) {
					before[k] += n
				}
				for k, n := range leftShortcodes(wordpressHTML(wxr.Converter{}, it.Content)) {
					after[k] += n
				}
			}
		}
		f.Close()
		t.Logf("%s: shortcodes left as text %d → %d (before %v, after %v)", filepath.Base(name), total(before), total(after), before, after)
		for _, k := range converted {
			if after[k] > 0 {
				t.Errorf("%s: %d [%s] left as text after conversion", filepath.Base(name), after[k], k)
			}
		}
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
