package wxr

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doc wraps channel content in the rss and channel elements of WXR 1.1.
func doc(channel string) string {
	return `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/">
<channel>
` + channel + `
</channel>
</rss>
`
}

// truncated cuts s after the first occurrence of mark.
func truncated(s, mark string) string {
	return s[:strings.Index(s, mark)+len(mark)]
}

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Record
	}{
		{
			name: "empty channel still yields the site",
			in:   doc(`<title>T</title><wp:wxr_version> 1.1 </wp:wxr_version>`),
			want: []Record{&Site{Title: "T", WXRVersion: "1.1"}},
		},
		{
			name: "site header stops at the first record",
			in: doc(`<title> Spaced title </title><link> http://a.example/ </link>
				<wp:base_site_url>http://a.example/</wp:base_site_url>
				<wp:tag><wp:tag_slug>x</wp:tag_slug></wp:tag>
				<generator>http://wordpress.org/?v=6.5</generator>
				<language>late</language>`),
			want: []Record{
				&Site{Title: " Spaced title ", Link: "http://a.example/", BaseSiteURL: "http://a.example/"},
				&Tag{Slug: "x"},
			},
		},
		{
			name: "unknown and nested elements are skipped",
			in: doc(`<atom:link xmlns:atom="http://www.w3.org/2005/Atom" href="x"/>
				<item><title>A <b>bold</b> title</title><media:content xmlns:media="http://search.yahoo.com/mrss/"><x>y</x></media:content>
				<wp:post_id>5</wp:post_id><wp:unknown>z</wp:unknown></item>`),
			want: []Record{&Site{}, &Item{Title: "A  title", PostID: 5}},
		},
		{
			name: "guid isPermaLink defaults to true as in RSS",
			in:   doc(`<item><guid>http://a.example/1</guid></item><item><guid isPermaLink="false">2</guid></item>`),
			want: []Record{&Site{}, &Item{GUID: "http://a.example/1", GUIDIsPermaLink: true}, &Item{GUID: "2"}},
		},
		{
			name: "WXR 1.0 plain categories skipped and tag domain renamed",
			in: doc(`<item><category><![CDATA[Uncategorized]]></category>
				<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]></category>
				<category domain="tag" nicename="news">News</category></item>`),
			want: []Record{&Site{}, &Item{Categories: []ItemTerm{
				{Domain: "category", Nicename: "uncategorized", Name: "Uncategorized"},
				{Domain: "post_tag", Nicename: "news", Name: "News"},
			}}},
		},
		{
			name: "several CDATA sections and entities join",
			in:   doc(`<item><content:encoded>a &amp; <![CDATA[<b>]]>&#233;<![CDATA[]]]]><![CDATA[>]]></content:encoded></item>`),
			want: []Record{&Site{}, &Item{Content: "a & <b>é]]>"}},
		},
		{
			name: "dates: zero, empty and other layouts",
			in: doc(`<item><wp:post_date>0000-00-00 00:00:00</wp:post_date><wp:post_date_gmt></wp:post_date_gmt>
				<wp:post_modified>2020-02-03T04:05:06</wp:post_modified><wp:post_modified_gmt>2020-02-03</wp:post_modified_gmt></item>`),
			want: []Record{&Site{}, &Item{
				PostModified: mustDate(t, "2020-02-03 04:05:06"), PostModifiedGMT: mustDate(t, "2020-02-03 00:00:00"),
			}},
		},
		{
			name: "terms and term meta",
			in: doc(`<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>a</wp:category_nicename>
				<wp:category_parent>p</wp:category_parent><wp:cat_name>A</wp:cat_name><wp:category_description>D</wp:category_description>
				<wp:termmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>v</wp:meta_value></wp:termmeta></wp:category>
				<wp:term><wp:term_id>4</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>m</wp:term_slug>
				<wp:term_parent></wp:term_parent><wp:term_name>Menu</wp:term_name><wp:term_description>d</wp:term_description></wp:term>`),
			want: []Record{
				&Site{},
				&Category{TermID: 3, Nicename: "a", Parent: "p", Name: "A", Description: "D", Meta: []Meta{{Key: "k", Value: "v"}}},
				&Term{TermID: 4, Taxonomy: "nav_menu", Slug: "m", Name: "Menu", Description: "d"},
			},
		},
		{
			name: "undeclared prefixes are understood",
			in: `<rss><channel><wp:wxr_version>1.0</wp:wxr_version><item><wp:post_id>9</wp:post_id>` +
				`<content:encoded>c</content:encoded><excerpt:encoded>e</excerpt:encoded><dc:creator>me</dc:creator></item></channel></rss>`,
			want: []Record{&Site{WXRVersion: "1.0"}, &Item{PostID: 9, Content: "c", Excerpt: "e", Creator: "me"}},
		},
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

func TestReaderLatin1(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "latin1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(f)
	got, err := readAll(r)
	if err != nil {
		t.Fatalf("Next() error = %v", err)
	}
	want := []Record{
		&Site{Title: "Café du Marché", WXRVersion: "1.2"},
		&Item{Title: "Crème brûlée à la française", Creator: "rédaction",
			Content: "<p>Ça coûte 5 £ ou 6 §.</p>", PostID: 1, PostType: "post"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	if r.BytesRead() != info.Size() {
		t.Errorf("BytesRead() = %d, want the file size %d", r.BytesRead(), info.Size())
	}
	if r.Items() != 1 {
		t.Errorf("Items() = %d, want 1", r.Items())
	}
}

func TestReaderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		line, col  int
		sentinel   error  // wrapped by the error, if not nil
		msg        string // contained in the message
		recordsBef int    // records returned before the error
	}{
		{name: "empty input", in: "", line: 1, col: 1, sentinel: ErrNotWXR},
		{name: "not rss", in: "<?xml version=\"1.0\"?>\n<feed><entry/></feed>", line: 2, col: 7, sentinel: ErrNotWXR,
			msg: "root element is <feed>, want <rss>"},
		{name: "no channel", in: "<rss>\n<item/>\n</rss>", line: 3, col: 7, sentinel: ErrNotWXR, msg: "no channel element"},
		{name: "invalid version", in: "<rss><channel>\n<wp:wxr_version>abc</wp:wxr_version></channel></rss>", line: 2, col: 17,
			sentinel: ErrVersion, msg: `"abc"`},
		{name: "mismatched tag", in: doc("<item>\n  <title>x</titl></item>"), line: 7, col: 11,
			msg: "element <title> closed by </titl>", recordsBef: 1},
		{name: "bad post id", in: doc("<item>\n<wp:post_id>12a</wp:post_id></item>"), line: 7, col: 13,
			msg: `"12a" is not an integer`, recordsBef: 1},
		{name: "bad date", in: doc("<item><wp:comment>\n<wp:comment_date>yesterday</wp:comment_date></wp:comment></item>"),
			line: 7, col: 18, msg: `"yesterday" is not a date`, recordsBef: 1},
		{name: "truncated", in: truncated(doc("<item><title>cut"), "cut"), line: 6, col: 17, msg: "unexpected EOF", recordsBef: 1},
		{name: "HTML entity", in: doc("<item><title>caf&eacute;</title></item>"), line: 6, col: 17,
			msg: "invalid character entity &eacute;", recordsBef: 1},
		// The column names the offending byte, not the end of the token where the decoder
		// noticed it.
		{name: "bad entity mid-line", in: doc("<item>\n<title>Fish &foo; chips</title></item>"), line: 7, col: 13,
			msg: "invalid character entity &foo;", recordsBef: 1},
		{name: "entity without semicolon", in: doc("<item>\n<title>Q&A team</title></item>"), line: 7, col: 9,
			msg: "invalid character entity &A", recordsBef: 1},
		{name: "invalid UTF-8 mid-line", in: doc("<item>\n<title>caf\xe9 au lait</title></item>"), line: 7, col: 11,
			msg: "invalid UTF-8", recordsBef: 1},
		{name: "invalid UTF-8 lines before the token ends", in: doc("<item>\n<title>caf\xe9\nau lait\n</title></item>"),
			line: 7, col: 11, msg: "invalid UTF-8", recordsBef: 1},
		{name: "invalid UTF-8 in CDATA", in: doc("<item>\n<title><![CDATA[caf\xe9 au lait]]></title></item>"), line: 7, col: 20,
			msg: "invalid UTF-8", recordsBef: 1},
		{name: "invalid UTF-8 in an attribute", in: doc("<item>\n<category domain=\"c\xe9t\" nicename=\"x\">X</category></item>"),
			line: 7, col: 20, msg: "invalid UTF-8", recordsBef: 1},
		{name: "illegal character", in: doc("<item>\n<title>a\x01b c</title></item>"), line: 7, col: 9,
			msg: "illegal character code U+0001", recordsBef: 1},
		{name: "unclosed tag", in: doc("<item>\n<title>x<link>y</link></item>"), line: 7, col: 23,
			msg: "element <title> closed by </item>", recordsBef: 1},
		{name: "bare less-than", in: doc("<item>\n<title>a < b</title></item>"), line: 7, col: 11,
			msg: "expected element name after <", recordsBef: 1},
		{name: "trailing damage", in: doc("") + "<extra>", line: 9, col: 8, msg: "unexpected EOF", recordsBef: 1},
		{name: "huge element", in: doc("<item>\n<content:encoded><![CDATA[" + strings.Repeat("<p>x</p>", 600_000) + "]]></content:encoded></item>"),
			line: 7, col: 18, msg: "longer than 4 MB", recordsBef: 1},
		{name: "huge text in many sections", in: doc("<item>\n<content:encoded>" + strings.Repeat("<![CDATA[<p>x</p>]]>", 600_000) + "</content:encoded></item>"),
			line: 7, col: 18 + 20*524_289, msg: "longer than 4 MB", recordsBef: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader(strings.NewReader(tt.in))
			recs, err := readAll(r)
			if len(recs) != tt.recordsBef {
				t.Errorf("got %d records before the error, want %d", len(recs), tt.recordsBef)
			}
			se, ok := errors.AsType[*SyntaxError](err)
			if !ok {
				t.Fatalf("error = %v, want a *SyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("error at line %d, column %d, want line %d, column %d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error = %v, want it to wrap %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "wxr: line ") {
				t.Errorf("Error() = %q, want \"wxr: line …\" containing %q", err, tt.msg)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next() after an error = %v, want the same error %v", again, err)
			}
		})
	}
}

// failingReader returns data, then an I/O error.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReaderIOError(t *testing.T) {
	t.Parallel()
	ioErr := errors.New("disk on fire")
	r := NewReader(&failingReader{data: doc("<item><title>x</title></item>")[:200], err: ioErr})
	_, err := readAll(r)
	if !errors.Is(err, ioErr) {
		t.Fatalf("error = %v, want it to wrap %v", err, ioErr)
	}
	if _, ok := errors.AsType[*SyntaxError](err); ok {
		t.Errorf("error = %#v, an I/O error must not be a *SyntaxError", err)
	}
	if !strings.HasPrefix(err.Error(), "wxr: line ") {
		t.Errorf("Error() = %q, want it to name the line", err)
	}
}

func TestReaderEOFIsFinal(t *testing.T) {
	t.Parallel()
	r := NewReader(strings.NewReader(doc("")))
	if _, err := readAll(r); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if rec, err := r.Next(); rec != nil || !errors.Is(err, io.EOF) {
			t.Errorf("Next() after the end = %v, %v, want nil, io.EOF", rec, err)
		}
	}
}
