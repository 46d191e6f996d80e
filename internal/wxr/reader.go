package wxr

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/broadsheet/broadsheet/internal/xmlpos"
	"github.com/broadsheet/broadsheet/internal/xmlsize"
)

// Reader reads the records of a WXR file one at a time. Memory use depends on
// the size of the largest record, not on the size of the file.
//
// The first record is always the *Site, built from the channel elements that
// precede the first author, category, tag, term or item; the others follow in
// document order. Elements the Reader does not know are skipped.
//
// What the Reader tolerates, and what it rejects:
//   - A file without wp:wxr_version is read, with Site.WXRVersion empty.
//     WordPress's importer rejects such files, but partial exports written by
//     other tools (such as isso's test fixture) lack it, and the records are
//     still usable. Callers that want WordPress's strictness check
//     Site.WXRVersion.
//   - A wp:wxr_version that is not a version number ("abc") is rejected with
//     ErrVersion, as WordPress does.
//   - Malformed XML is rejected with a *SyntaxError naming the line and
//     column, as WordPress's XML parsers do.
//   - CDATA sections with an unescaped "]]>", written by WordPress before 3.1,
//     are repaired and read as WordPress's importer reads them.
//   - Category elements without a nicename attribute (the plain duplicates
//     in WXR 1.0) are skipped, as WordPress does.
//
// Identifiers, logins, numbers, dates, slugs, statuses, e-mail addresses and
// URLs are trimmed of surrounding white space; titles, names, content and
// metadata are kept exactly as written, backslashes included.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	count    *countingReader
	dec      *xml.Decoder
	recent   *xmlpos.Reader
	spaces   map[string]space
	text     []byte // scratch buffer for character data
	site     Site
	started  bool // inside the channel element
	siteSent bool
	pending  *xml.StartElement // a record element seen before Site was returned
	items    int
	err      error // sticky; io.EOF at the end
}

// NewReader returns a Reader that reads a WXR file from src. The encoding
// declared in the XML declaration (UTF-8, ISO-8859-1, windows-1252, …) is
// converted to UTF-8.
func NewReader(src io.Reader) *Reader {
	count := &countingReader{r: src}
	recent := xmlpos.NewReader(newCDATARepair(xmlsize.NewReader(count, xmlsize.Limit)))
	dec := xml.NewDecoder(recent)
	dec.Strict = true
	dec.CharsetReader = recent.CharsetReader(charset.NewReaderLabel)
	return &Reader{count: count, dec: dec, recent: recent, spaces: make(map[string]space)}
}

// BytesRead returns how many bytes have been read from the source so far,
// for a progress bar. Buffering makes it run ahead of the records returned,
// usually by less than 64 KiB.
func (r *Reader) BytesRead() int64 { return r.count.n }

// Items returns how many *Item records Next has returned.
func (r *Reader) Items() int { return r.items }

// Next returns the next record: a *Site, *Author, *Category, *Tag, *Term or
// *Item. At the end of a well-formed file it returns io.EOF. A malformed
// file yields a *SyntaxError; other errors come from the source. After an
// error, Next returns the same error again.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	if _, ok := rec.(*Item); ok {
		r.items++
	}
	return rec, nil
}

func (r *Reader) next() (Record, error) {
	if !r.started {
		if err := r.openChannel(); err != nil {
			return nil, err
		}
		r.started = true
	}
	for {
		start, ok, err := r.nextChild()
		if err != nil {
			return nil, err
		}
		if !ok { // end of the channel
			if !r.siteSent {
				return r.sendSite(), nil
			}
			return nil, r.finish()
		}
		sp, local := r.space(start.Name.Space), start.Name.Local
		if isRecord(sp, local) {
			if !r.siteSent {
				start = start.Copy()
				r.pending = &start
				return r.sendSite(), nil
			}
			return r.readRecord(sp, local)
		}
		handled := false
		if !r.siteSent {
			if handled, err = r.readSiteField(sp, local); err != nil {
				return nil, err
			}
		}
		if handled {
			continue
		}
		if err := r.skip(); err != nil {
			return nil, err
		}
	}
}

func (r *Reader) sendSite() *Site {
	r.siteSent = true
	site := r.site
	return &site
}

// nextChild returns the next child element of the channel, or ok == false
// at the end of the channel.
func (r *Reader) nextChild() (start xml.StartElement, ok bool, err error) {
	if r.pending != nil {
		start, r.pending = *r.pending, nil
		return start, true, nil
	}
	for {
		tok, err := r.token()
		if err != nil {
			return start, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return start, false, nil
		}
	}
}

// openChannel reads up to the start of the channel element.
func (r *Reader) openChannel() error {
	for {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return r.errorf(ErrNotWXR, "no rss element")
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if t.Name.Local != "rss" {
				return r.errorf(ErrNotWXR, "root element is <%s>, want <rss>", t.Name.Local)
			}
			break
		}
	}
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "channel" {
				return nil
			}
			if err := r.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return r.errorf(ErrNotWXR, "no channel element")
		}
	}
}

// finish reads the rest of the document so that trailing damage is
// reported, and returns io.EOF when there is none.
func (r *Reader) finish() error {
	for {
		if _, err := r.token(); err != nil {
			return err
		}
	}
}

func (r *Reader) readSiteField(sp space, local string) (bool, error) {
	s := &r.site
	var dst *string
	trim := true
	switch {
	case sp == nsRSS && local == "title":
		dst, trim = &s.Title, false
	case sp == nsRSS && local == "link":
		dst = &s.Link
	case sp == nsRSS && local == "description":
		dst, trim = &s.Description, false
	case sp == nsRSS && local == "pubDate":
		dst = &s.PubDate
	case sp == nsRSS && local == "language":
		dst = &s.Language
	case sp == nsWP && local == "base_site_url":
		dst = &s.BaseSiteURL
	case sp == nsWP && local == "base_blog_url":
		dst = &s.BaseBlogURL
	case sp == nsWP && local == "wxr_version":
		line, col := r.dec.InputPos()
		v, err := r.scalar()
		if err != nil {
			return true, err
		}
		if !isVersion(v) {
			return true, &SyntaxError{Line: line, Column: col, Err: fmt.Errorf("%q: %w", v, ErrVersion)}
		}
		s.WXRVersion = v
		return true, nil
	default:
		return false, nil
	}
	v, err := r.textField(trim)
	*dst = v
	return true, err
}

// isVersion reports whether v looks like "1.2": digits, a dot, digits.
func isVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isRecord(sp space, local string) bool {
	switch sp {
	case nsRSS:
		return local == "item"
	case nsWP:
		return local == "author" || local == "category" || local == "tag" || local == "term"
	}
	return false
}

func (r *Reader) readRecord(sp space, local string) (Record, error) {
	if sp == nsRSS {
		return r.readItem()
	}
	switch local {
	case "author":
		return r.readAuthor()
	case "category":
		return r.readCategory()
	case "tag":
		return r.readTag()
	default:
		return r.readTerm()
	}
}

// field says where the text of a wp: child element goes: a string (trimmed
// or verbatim), an integer or a date.
type field struct {
	name string
	str  *string
	trim bool
	num  *int64
	date *time.Time
}

// readFields reads the wp: children of the current element into fields,
// and its wp:termmeta or wp:commentmeta children into meta.
func (r *Reader) readFields(fields []field, metaName string, meta *[]Meta) error {
	return r.children(func(_ xml.StartElement, sp space, local string) (bool, error) {
		if sp != nsWP {
			return false, nil
		}
		if local == metaName {
			var err error
			*meta, err = r.appendMeta(*meta)
			return true, err
		}
		for _, f := range fields {
			if f.name != local {
				continue
			}
			var err error
			switch {
			case f.num != nil:
				*f.num, err = r.int()
			case f.date != nil:
				*f.date, err = r.date()
			default:
				*f.str, err = r.textField(f.trim)
			}
			return true, err
		}
		return false, nil
	})
}

func (r *Reader) readAuthor() (*Author, error) {
	a := &Author{}
	return a, r.readFields([]field{
		{name: "author_id", num: &a.ID},
		{name: "author_login", str: &a.Login, trim: true},
		{name: "author_email", str: &a.Email, trim: true},
		{name: "author_display_name", str: &a.DisplayName},
		{name: "author_first_name", str: &a.FirstName},
		{name: "author_last_name", str: &a.LastName},
	}, "", nil)
}

func (r *Reader) readCategory() (*Category, error) {
	c := &Category{}
	return c, r.readFields([]field{
		{name: "term_id", num: &c.TermID},
		{name: "category_nicename", str: &c.Nicename, trim: true},
		{name: "category_parent", str: &c.Parent, trim: true},
		{name: "cat_name", str: &c.Name},
		{name: "category_description", str: &c.Description},
	}, "termmeta", &c.Meta)
}

func (r *Reader) readTag() (*Tag, error) {
	t := &Tag{}
	return t, r.readFields([]field{
		{name: "term_id", num: &t.TermID},
		{name: "tag_slug", str: &t.Slug, trim: true},
		{name: "tag_name", str: &t.Name},
		{name: "tag_description", str: &t.Description},
	}, "termmeta", &t.Meta)
}

func (r *Reader) readTerm() (*Term, error) {
	t := &Term{}
	return t, r.readFields([]field{
		{name: "term_id", num: &t.TermID},
		{name: "term_taxonomy", str: &t.Taxonomy, trim: true},
		{name: "term_slug", str: &t.Slug, trim: true},
		{name: "term_parent", str: &t.Parent, trim: true},
		{name: "term_name", str: &t.Name},
		{name: "term_description", str: &t.Description},
	}, "termmeta", &t.Meta)
}

func (r *Reader) readItem() (*Item, error) {
	it := &Item{}
	err := r.children(func(start xml.StartElement, sp space, local string) (bool, error) {
		var err error
		switch sp {
		case nsRSS:
			switch local {
			case "title":
				it.Title, err = r.textField(false)
			case "link":
				it.Link, err = r.scalar()
			case "pubDate":
				it.PubDate, err = r.scalar()
			case "guid":
				it.GUIDIsPermaLink = attr(start, "isPermaLink") != "false"
				it.GUID, err = r.scalar()
			case "description":
				it.Description, err = r.textField(false)
			case "category":
				it.Categories, err = r.appendItemTerm(it.Categories, start)
			default:
				return false, nil
			}
		case nsDC:
			if local != "creator" {
				return false, nil
			}
			it.Creator, err = r.scalar()
		case nsContent, nsExcerpt:
			if local != "encoded" {
				return false, nil
			}
			if sp == nsContent {
				it.Content, err = r.textField(false)
			} else {
				it.Excerpt, err = r.textField(false)
			}
		case nsWP:
			return r.readItemWP(it, local)
		default:
			return false, nil
		}
		return true, err
	})
	return it, err
}

func (r *Reader) readItemWP(it *Item, local string) (bool, error) {
	var err error
	switch local {
	case "post_id":
		it.PostID, err = r.int()
	case "post_date":
		it.PostDate, err = r.date()
	case "post_date_gmt":
		it.PostDateGMT, err = r.date()
	case "post_modified":
		it.PostModified, err = r.date()
	case "post_modified_gmt":
		it.PostModifiedGMT, err = r.date()
	case "comment_status":
		it.CommentStatus, err = r.scalar()
	case "ping_status":
		it.PingStatus, err = r.scalar()
	case "post_name":
		it.PostName, err = r.scalar()
	case "status":
		it.Status, err = r.scalar()
	case "post_parent":
		it.PostParent, err = r.int()
	case "menu_order":
		it.MenuOrder, err = r.int()
	case "post_type":
		it.PostType, err = r.scalar()
	case "post_password":
		it.PostPassword, err = r.textField(false)
	case "is_sticky":
		var n int64
		n, err = r.int()
		it.IsSticky = n != 0
	case "attachment_url":
		it.AttachmentURL, err = r.scalar()
	case "postmeta":
		it.Postmeta, err = r.appendMeta(it.Postmeta)
	case "comment":
		var c Comment
		c, err = r.readComment()
		it.Comments = append(it.Comments, c)
	default:
		return false, nil
	}
	return true, err
}

func (r *Reader) readComment() (Comment, error) {
	var c Comment
	err := r.readFields([]field{
		{name: "comment_id", num: &c.ID},
		{name: "comment_author", str: &c.Author},
		{name: "comment_author_email", str: &c.AuthorEmail, trim: true},
		{name: "comment_author_url", str: &c.AuthorURL, trim: true},
		{name: "comment_author_IP", str: &c.AuthorIP, trim: true},
		{name: "comment_date", date: &c.Date},
		{name: "comment_date_gmt", date: &c.DateGMT},
		{name: "comment_content", str: &c.Content},
		{name: "comment_approved", str: &c.Approved, trim: true},
		{name: "comment_type", str: &c.Type, trim: true},
		{name: "comment_parent", num: &c.Parent},
		{name: "comment_user_id", num: &c.UserID},
	}, "commentmeta", &c.Meta)
	return c, err
}

// appendMeta reads a wp:postmeta, wp:commentmeta or wp:termmeta element.
func (r *Reader) appendMeta(meta []Meta) ([]Meta, error) {
	var m Meta
	err := r.children(func(_ xml.StartElement, sp space, local string) (bool, error) {
		if sp != nsWP {
			return false, nil
		}
		var err error
		switch local {
		case "meta_key":
			m.Key, err = r.textField(false)
		case "meta_value":
			m.Value, err = r.textField(false)
		default:
			return false, nil
		}
		return true, err
	})
	return append(meta, m), err
}

// appendItemTerm reads an item's category element.
func (r *Reader) appendItemTerm(terms []ItemTerm, start xml.StartElement) ([]ItemTerm, error) {
	name, err := r.textField(false)
	if err != nil {
		return terms, err
	}
	nicename := attr(start, "nicename")
	if nicename == "" {
		return terms, nil
	}
	domain := strings.TrimSpace(attr(start, "domain"))
	if domain == "tag" {
		domain = "post_tag"
	}
	return append(terms, ItemTerm{Domain: domain, Nicename: strings.TrimSpace(nicename), Name: name}), nil
}

func attr(start xml.StartElement, local string) string {
	for _, a := range start.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// children calls fn for each child element of the current element, up to
// its end. fn reads the child and reports true, or reports false and the
// child is skipped.
func (r *Reader) children(fn func(start xml.StartElement, sp space, local string) (bool, error)) error {
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			handled, err := fn(t, r.space(t.Name.Space), t.Name.Local)
			if err != nil {
				return err
			}
			if !handled {
				if err := r.skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

// textField returns the character data of the current element, CDATA
// sections included, up to its end; child elements are skipped.
func (r *Reader) textField(trim bool) (string, error) {
	r.text = r.text[:0]
	for {
		tok, err := r.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(r.text)+len(t) > xmlsize.Limit {
				// Many sections, each within the limit, add up to more than it.
				line, col := r.dec.InputPos()
				return "", &SyntaxError{Line: line, Column: col, Err: &xmlsize.TooLargeError{Line: line, Column: col, Limit: xmlsize.Limit}}
			}
			r.text = append(r.text, t...)
		case xml.StartElement:
			if err := r.skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			if trim {
				return strings.TrimSpace(string(r.text)), nil
			}
			return string(r.text), nil
		}
	}
}

func (r *Reader) scalar() (string, error) { return r.textField(true) }

func (r *Reader) int() (int64, error) {
	line, col := r.dec.InputPos()
	s, err := r.scalar()
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, &SyntaxError{Line: line, Column: col, Err: fmt.Errorf("%q is not an integer", s)}
	}
	return n, nil
}

func (r *Reader) date() (time.Time, error) {
	line, col := r.dec.InputPos()
	s, err := r.scalar()
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, &SyntaxError{Line: line, Column: col, Err: err}
	}
	return t, nil
}

// parseDate parses a MySQL date; empty and all-zero dates are the zero time.
func parseDate(s string) (time.Time, error) {
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	// WordPress writes the first layout; the others come from other tools.
	layouts := [...]string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

func (r *Reader) skip() error {
	if err := r.dec.Skip(); err != nil {
		return r.wrap(err)
	}
	return nil
}

func (r *Reader) token() (xml.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.wrap(err)
	}
	return tok, nil
}

// wrap adds the input position to a decoder error. io.EOF is returned as
// is.
func (r *Reader) wrap(err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	if tl, ok := errors.AsType[*xmlsize.TooLargeError](err); ok {
		return &SyntaxError{Line: tl.Line, Column: tl.Column, Err: err}
	}
	line, col := r.dec.InputPos()
	if xe, ok := errors.AsType[*xml.SyntaxError](err); ok {
		line, col = r.recent.Offending(xe, line, col, r.dec.InputOffset())
		return &SyntaxError{Line: line, Column: col, Err: err}
	}
	return fmt.Errorf("wxr: line %d, column %d: %w", line, col, err)
}

func (r *Reader) errorf(sentinel error, format string, args ...any) error {
	line, col := r.dec.InputPos()
	return &SyntaxError{Line: line, Column: col, Err: fmt.Errorf(format+": %w", append(args, sentinel)...)}
}

// space is a namespace WXR uses, whatever its version.
type space int

const (
	nsOther space = iota
	nsRSS
	nsWP
	nsExcerpt
	nsContent
	nsDC
)

// space classifies a namespace URL, or an undeclared prefix.
func (r *Reader) space(url string) space {
	if sp, ok := r.spaces[url]; ok {
		return sp
	}
	sp := classify(url)
	r.spaces[url] = sp
	return sp
}

func classify(url string) space {
	switch url {
	case "":
		return nsRSS
	case "wp":
		return nsWP
	case "excerpt":
		return nsExcerpt
	case "content", "http://purl.org/rss/1.0/modules/content/":
		return nsContent
	case "dc", "http://purl.org/dc/elements/1.1/":
		return nsDC
	}
	rest, ok := strings.CutPrefix(url, "http://wordpress.org/export/")
	if !ok {
		rest, ok = strings.CutPrefix(url, "https://wordpress.org/export/")
	}
	switch {
	case !ok:
		return nsOther
	case strings.HasSuffix(rest, "/excerpt/"):
		return nsExcerpt
	default:
		return nsWP
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
