package wxr

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds the small fixtures of testdata/ and of the shared WXR
// directory, when present, to the corpus.
func addSeeds(f *testing.F) {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	shared, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "wxr", "wpimporter-*.xml"))
	for _, p := range append(paths, shared...) {
		data, err := os.ReadFile(p)
		if err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(doc(`<item><content:encoded><![CDATA[a]]> b <![CDATA[c]]>]]></content:encoded></item>`)))
	f.Add([]byte(`<rss><channel><wp:wxr_version>1.x</wp:wxr_version></channel></rss>`))
	f.Add([]byte(`<?xml version="1.0" encoding="bogus"?><rss/>`))
}

// FuzzReader checks that the Reader never panics and always ends with
// io.EOF or an error that names a position, the first record being the
// Site.
func FuzzReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		for n := 0; ; n++ {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				if n == 0 {
					t.Fatal("io.EOF before the Site record")
				}
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "wxr: line ") {
					t.Fatalf("error %q does not name a line", err)
				}
				if _, again := r.Next(); again != err {
					t.Fatalf("Next() after error %v = %v", err, again)
				}
				return
			}
			if _, ok := rec.(*Site); ok != (n == 0) {
				t.Fatalf("record %d is %T", n, rec)
			}
		}
	})
}

// FuzzCDATARepair checks that the repair does not depend on how the input
// is split into reads, and that it leaves input without "]]>" unchanged.
func FuzzCDATARepair(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, err := io.ReadAll(newCDATARepair(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		split, err := io.ReadAll(newCDATARepair(iotest.OneByteReader(bytes.NewReader(data))))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, split) {
			t.Fatalf("repair(%q) = %q whole, %q one byte at a time", data, whole, split)
		}
		if !bytes.Contains(data, []byte(cdataClose)) && !bytes.Equal(whole, data) {
			t.Fatalf("repair(%q) = %q, want the input unchanged", data, whole)
		}
	})
}

// FuzzRoundTrip checks that text written by the Writer reads back as
// written, once normalised as XML requires.
func FuzzRoundTrip(f *testing.F) {
	f.Add("Title", "<p>Body ]]> text</p>", "key", "a:1:{}", "comment\r\nline")
	f.Add("", "", "", "", "")
	f.Add("]]", "<![CDATA[", "]]]]>", "\x00\uFFFE", "\xff\xfe")
	f.Fuzz(func(t *testing.T, title, content, key, value, comment string) {
		want := []Record{
			&Site{Title: "S", WXRVersion: "1.2"},
			&Author{DisplayName: title},
			&Item{Title: title, Content: content, Excerpt: comment, Postmeta: []Meta{{Key: key, Value: value}},
				Comments: []Comment{{Author: title, Content: comment}}},
		}
		got, err := readAll(NewReader(bytes.NewReader(write(t, want))))
		if err != nil {
			t.Fatalf("reading written WXR: %v", err)
		}
		norm := func(s string) string {
			s = xmlChars(s)
			return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		}
		want[1] = &Author{DisplayName: norm(title)}
		want[2] = &Item{Title: norm(title), Content: norm(content), Excerpt: norm(comment),
			Postmeta: []Meta{{Key: norm(key), Value: norm(value)}},
			Comments: []Comment{{Author: norm(title), Content: norm(comment)}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("write then read mismatch (-want +got):\n%s", diff)
		}
	})
}

// FuzzContent checks that the content helpers never panic and leave text
// without their markers alone.
func FuzzContent(f *testing.F) {
	f.Add("One\n\nTwo<br>\n<pre>x\n\ny</pre><blockquote>q</blockquote>")
	f.Add(`[caption align="x" width="1"]<a href="y"><img src="a" /></a> Text[/caption][[embed]]`)
	f.Add("<!-- wp:image {\"id\":1} -->\n<figure></figure>\n<!-- /wp:image -->")
	f.Fuzz(func(t *testing.T, s string) {
		Autop(s)
		StripBlockComments(s)
		got := Shortcodes(s)
		if !strings.Contains(s, "[") && got != s {
			t.Fatalf("Shortcodes(%q) = %q, want the input unchanged", s, got)
		}
	})
}
