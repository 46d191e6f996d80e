package disqus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readAll(r *Reader) ([]Record, error) {
	var recs []Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "disqus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared Disqus data not found at %s (see shared/data/README.md): %v", dir, err)
	}
	return dir
}

// summary counts what an export holds.
type summary struct {
	Categories, Threads, Posts int
	Replies, Deleted, Spam     int // posts
	WithEmail, WithIP          int // posts
	Orphans                    int // posts whose thread is not in the file
}

// TestSharedFiles checks the counts of shared/data/README.md section 5.
func TestSharedFiles(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t)
	tests := []struct {
		file string
		want summary
	}{
		{"tanglei-blog-disqus-export.xml", summary{Categories: 1, Threads: 569, Posts: 2693, Replies: 439, Deleted: 6,
			WithEmail: 2693, WithIP: 2693}},
		// The newer format: no e-mail, no IP address.
		{"yesilmavihayat-disqus-export.xml", summary{Categories: 1, Threads: 1, Posts: 51, Deleted: 2}},
		{"isso-test-disqus.xml", summary{Categories: 1, Threads: 3, Posts: 6, Replies: 2, Deleted: 1,
			WithEmail: 6, WithIP: 6, Orphans: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			info, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			r := NewReader(f)
			recs, err := readAll(r)
			if err != nil {
				t.Fatalf("Next() error = %v", err)
			}
			if r.BytesRead() != info.Size() {
				t.Errorf("BytesRead() = %d, want %d", r.BytesRead(), info.Size())
			}
			var got summary
			threads := map[string]bool{}
			var posts []*Post
			for _, rec := range recs {
				switch rec := rec.(type) {
				case *Category:
					got.Categories++
				case *Thread:
					got.Threads++
					threads[rec.ID] = true
				case *Post:
					posts = append(posts, rec)
				}
			}
			for _, p := range posts {
				got.Posts++
				if p.ParentID != "" {
					got.Replies++
				}
				if p.IsDeleted {
					got.Deleted++
				}
				if p.IsSpam {
					got.Spam++
				}
				if p.Author.Email != "" {
					got.WithEmail++
				}
				if p.IPAddress != "" {
					got.WithIP++
				}
				if !threads[p.ThreadID] {
					got.Orphans++
				}
				if p.CreatedAt.IsZero() {
					t.Errorf("post %s has no date", p.ID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: summary mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestSharedRecords(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(sharedDir(t), "isso-test-disqus.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := readAll(NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	want := []Record{
		&Category{ID: "1", Forum: "disqusdev", Title: "Technology"},
		&Thread{ID: "2", Identifier: "some-id", Forum: "disqusdev", CategoryID: "1", Link: "http://example.org/",
			Title: "Hello, World!", CreatedAt: date("2012-12-12T12:12:12Z"), Author: Author{Name: "Baz", Email: "foo@bar.com"}},
		&Thread{ID: "3"},
		&Post{ID: "4", Message: "...", CreatedAt: date("2013-10-10T19:20:29Z"),
			Author: Author{Name: "peter", Email: "foo@bar.com", IsAnonymous: true}, IPAddress: "127.0.0.1", ThreadID: "2"},
		&Post{ID: "5", Message: "<p>Hello, World.</p>", CreatedAt: date("2013-10-11T06:51:33Z"),
			Author: Author{Name: "user", Email: "foo@bar.com", Username: "user"}, IPAddress: "127.0.0.1", ThreadID: "2", ParentID: "4"},
	}
	if diff := cmp.Diff(want, recs[:len(want)]); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
}

// export wraps records in the disqus root element.
func export(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
` + body + `
</disqus>
`
}

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Record
	}{
		{"empty export", export(""), nil},
		{"unknown elements skipped", export(`<forum><x/></forum><post dsq:id="9"><extra><y>z</y></extra><isSpam> true </isSpam></post>`),
			[]Record{&Post{ID: "9", IsSpam: true}}},
		{"message with markup kept", export(`<post dsq:id="1"><message>&lt;b&gt;x&lt;/b&gt; <![CDATA[<i>y</i>]]></message></post>`),
			[]Record{&Post{ID: "1", Message: "<b>x</b> <i>y</i>"}}},
		{"category", export(`<category dsq:id="7"><forum>f</forum><title>General</title><isDefault>true</isDefault></category>`),
			[]Record{&Category{ID: "7", Forum: "f", Title: "General", IsDefault: true}}},
		{"closed thread", export(`<thread dsq:id="8"><id> /a </id><isClosed>1</isClosed><isDeleted>false</isDeleted></thread>`),
			[]Record{&Thread{ID: "8", Identifier: "/a", IsClosed: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(NewReader(strings.NewReader(tt.in)))
			if err != nil {
				t.Fatalf("Next() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// cutAfter cuts s after the first occurrence of mark.
func cutAfter(s, mark string) string {
	return s[:strings.Index(s, mark)+len(mark)]
}

func TestReaderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
		sentinel  error
	}{
		{"empty", "", 1, 1, "no disqus element", ErrNotDisqus},
		{"not disqus", "<rss>\n<channel/></rss>", 1, 6, "root element is <rss>, want <disqus>", ErrNotDisqus},
		{"mismatched tag", export("<post dsq:id=\"1\">\n<message>x</mesage></post>"), 4, 11, "element <message> closed by </mesage>", nil},
		// The column names the offending character, not the end of the token.
		{"bad entity mid-line", export("<post dsq:id=\"6\">\n<message>Fish &foo; chips</message></post>"), 4, 15,
			"invalid character entity &foo;", nil},
		{"invalid UTF-8 mid-line", export("<post dsq:id=\"7\">\n<message>caf\xe9 au lait</message></post>"), 4, 13,
			"invalid UTF-8", nil},
		{"bad date", export("<thread dsq:id=\"2\">\n<createdAt>yesterday</createdAt></thread>"), 3, 20,
			`thread 2: createdAt "yesterday" is not a date`, nil},
		{"bad boolean", export("<post dsq:id=\"3\"><isDeleted>maybe</isDeleted></post>"), 3, 18, `post 3: isDeleted "maybe" is not a boolean`, nil},
		{"truncated", cutAfter(export("<post dsq:id=\"4\"><message>cut"), "cut"), 3, 30, "unexpected EOF", nil},
		{"huge message", export("<post dsq:id=\"5\">\n<message>" + strings.Repeat("All work and no play. ", 200_000) + "</message></post>"), 4, 10,
			"longer than 4 MB", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader(strings.NewReader(tt.in))
			_, err := readAll(r)
			se, ok := errors.AsType[*SyntaxError](err)
			if !ok {
				t.Fatalf("error = %v, want a *SyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("error at line %d, column %d, want line %d, column %d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
			if !strings.HasPrefix(err.Error(), "disqus: line ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Error() = %q, want \"disqus: line …\" containing %q", err, tt.msg)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error = %v, want it to wrap %v", err, tt.sentinel)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next() after an error = %v, want the same error", again)
			}
		})
	}
}

// FuzzReader checks that the Reader never panics and ends with io.EOF or
// an error that names a position.
func FuzzReader(f *testing.F) {
	if paths, err := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "disqus", "*.xml")); err == nil {
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(export(`<post dsq:id="1"><createdAt>2020-01-01T00:00:00Z</createdAt><parent dsq:id="0"/></post>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "disqus: line ") {
					t.Fatalf("error %q does not name a line", err)
				}
				return
			}
		}
	})
}

// BenchmarkReader reads a synthetic export of 200 threads with 20 posts
// each.
func BenchmarkReader(b *testing.B) {
	var buf strings.Builder
	for i := range 200 {
		fmt.Fprintf(&buf, `<thread dsq:id="%d"><id>/story-%d</id><link>https://example.com/story-%d</link><title>Story %d</title>
<createdAt>2024-01-01T00:00:00Z</createdAt><author><name>Desk</name><isAnonymous>false</isAnonymous></author>
<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>
`, i, i, i, i)
	}
	for i := range 4000 {
		fmt.Fprintf(&buf, `<post dsq:id="%d"><id /><message><![CDATA[<p>Comment number %d, with a few words to read.</p>]]></message>
<createdAt>2024-01-02T03:04:05Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
<author><email>r%d@example.invalid</email><name>Reader %d</name><isAnonymous>true</isAnonymous></author>
<ipAddress>192.0.2.1</ipAddress><thread dsq:id="%d" /></post>
`, 10000+i, i, i, i, i%200)
	}
	data := []byte(export(buf.String()))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		recs, err := readAll(NewReader(bytes.NewReader(data)))
		if err != nil {
			b.Fatal(err)
		}
		records += len(recs)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
