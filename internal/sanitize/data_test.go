package sanitize

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// wxrDir is where the shared WordPress exports live, relative to this package.
var wxrDir = filepath.Join("..", "..", "..", "shared", "data", "wxr")

// wxrBodies returns the post bodies and comment texts of one WordPress export.
func wxrBodies(t *testing.T, name string) (posts, comments []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(wxrDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("shared data %s is absent; see /work/shared/data/README.md", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	d.Strict = false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return posts, comments
		}
		if err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var s string
		switch {
		case se.Name.Local == "encoded" && se.Name.Space == "http://purl.org/rss/1.0/modules/content/":
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatalf("reading %s: %v", name, err)
			}
			posts = append(posts, s)
		case se.Name.Local == "comment_content":
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatalf("reading %s: %v", name, err)
			}
			comments = append(comments, s)
		}
	}
}

// TestRealContent runs WordPress's own edge-case content and two real
// blogs through the policies and checks that every output is safe, stable
// and shows the reader the same words as the input.
func TestRealContent(t *testing.T) {
	t.Parallel()
	files := []string{
		"wptt-themeunittestdata.wordpress.xml",
		"wptt-64-block-test-data.xml",
		"wpimporter-a11y-unit-test-data.xml",
		"cclabs-blog-2007-2014.wordpress.xml",
		"mythz-blog-servicestack.wordpress.xml",
	}
	p := New()
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			posts, comments := wxrBodies(t, name)
			if len(posts) == 0 {
				t.Fatalf("%s: no post bodies found", name)
			}
			for _, in := range posts {
				out := p.Article(in)
				checkSafe(t, in[:min(len(in), 200)], out)
				if again := p.Article(out); again != out {
					t.Errorf("Article is not stable on a post of %s:\nonce:  %q\ntwice: %q", name, out, again)
				}
				if a, b := p.Text(in), p.Text(out); a != b {
					i := 0
					for i < len(a) && i < len(b) && a[i] == b[i] {
						i++
					}
					t.Errorf("Article changed the words of a post of %s:\nin:  %q\nout: %q",
						name, a[max(0, i-40):min(len(a), i+40)], b[max(0, i-40):min(len(b), i+40)])
				}
			}
			for _, in := range comments {
				checkSafe(t, in, p.Comment(in))
			}
			t.Logf("%s: %d posts, %d comments", name, len(posts), len(comments))
		})
	}
}
