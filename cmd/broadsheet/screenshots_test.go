package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/sanitize"
	"github.com/broadsheet/broadsheet/internal/wxr"
)

var screenshots = flag.Bool("screenshots", false, "write before/after screenshots of imported stories from the shared WordPress exports")

// TestScreenshotsImportedStories (go test ./cmd/broadsheet -run Screenshots -screenshots) imports
// stories of the shared WordPress exports and photographs each in a real Chromium twice: before,
// its WordPress content as it was (paragraphs added, shortcodes, old players and code left as
// they are) through the same sanitiser; after, as the importer converted it. The PNGs go to a
// new temporary folder, which the test names in its log.
func TestScreenshotsImportedStories(t *testing.T) {
	if !*screenshots {
		t.Skip("run with -screenshots to write them")
	}
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared WordPress exports not found at %s: %v", dir, err)
	}
	stories := []struct{ file, slug, converted string }{
		{"cclabs-blog-2007-2014.wordpress.xml", "cc-technology-summit-june-2008", "<object"},
		{"mythz-blog-servicestack.wordpress.xml", "useful-c-net-extension-method-string-t-dump", "[csharp]"},
		{"wptt-themeunittestdata.wordpress.xml", "markup-image-alignment", "[caption"},
		{"wptt-64-block-test-data.xml", "audio", "wp:audio"},
	}
	out, err := os.MkdirTemp("", "broadsheet-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	ctx := browserContext(t)
	m, _ := startMain(t)
	san := sanitize.New()
	for i, s := range stories {
		path := filepath.Join(dir, s.file)
		if code, stdout, stderr := cli(t, m, "import", path); code != 0 {
			t.Fatalf("import %s = %d\n%s%s", s.file, code, stdout, stderr)
		}
		raw := wordpressContent(t, path, s.slug)
		a, err := m.Store.ArticleBySlug(t.Context(), s.slug)
		if err != nil {
			t.Fatalf("%s: %v", s.slug, err)
		}
		before := *a
		before.ID, before.Slug = 0, s.slug+"-before"
		before.BodyHTML = san.Article(wxr.Autop(raw))
		if err := m.Store.CreateArticle(t.Context(), &before); err != nil {
			t.Fatal(err)
		}
		for _, shot := range []struct {
			name string
			path string
		}{{"before", before.Path(time.UTC)}, {"after", a.Path(time.UTC)}} {
			step(t, ctx, "open "+shot.path, chromedp.Navigate(m.URL()+shot.path))
			text := step(t, ctx, "read "+shot.path, chromedp.Evaluate[string](`document.querySelector("article.story").innerHTML`))
			if shot.name == "after" && strings.Contains(text, s.converted) {
				t.Errorf("%s after conversion still shows %s", s.slug, s.converted)
			}
			png := step(t, ctx, "photograph "+shot.path, chromedp.Screenshot(chromedp.CSS("article.story")))
			file := filepath.Join(out, string(rune('1'+i))+"-"+s.slug+"-"+shot.name+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("screenshots written to %s", out)
}

// wordpressContent returns the content of the post named slug in the export at path.
func wordpressContent(t *testing.T, path, slug string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := wxr.NewReader(f)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s holds no post %s", path, slug)
		}
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := rec.(*wxr.Item); ok && it.PostName == slug {
			return it.Content
		}
	}
}
