// Package disqus reads Disqus comment exports (the XML file Disqus's
// Export tool e-mails) as a stream of records, in bounded memory.
//
// Both the older format, which carries each commenter's e-mail and IP
// address, and the newer one, which does not, are read. Author.Email and
// IPAddress are private: never publish them.
package disqus

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/broadsheet/broadsheet/internal/xmlpos"
	"github.com/broadsheet/broadsheet/internal/xmlsize"
)

// Record is one of *Category, *Thread or *Post.
type Record interface {
	record()
}

// Category is a Disqus category of a forum.
type Category struct {
	// ID is the category's Disqus ID (the dsq:id attribute).
	ID        string
	Forum     string
	Title     string
	IsDefault bool
}

// Thread is a discussion: one page of the site, which posts refer to by ID.
// An export may hold several threads for the same page under old and new
// URLs.
type Thread struct {
	// ID is the thread's Disqus ID (the dsq:id attribute).
	ID string
	// Identifier is the site's own identifier of the page (the <id>
	// element), such as a path or "198 http://example.com/?p=198"; it may be
	// empty.
	Identifier string
	Forum      string
	CategoryID string
	Link       string
	Title      string
	Message    string
	CreatedAt  time.Time
	Author     Author
	// IPAddress is PRIVATE: never publish it. Empty in newer exports.
	IPAddress string
	IsClosed  bool
	IsDeleted bool
}

// Post is one comment.
type Post struct {
	// ID is the post's Disqus ID (the dsq:id attribute).
	ID string
	// Identifier is the <id> element, usually empty.
	Identifier string
	// Message is the comment as HTML, untrusted: sanitise before display.
	Message   string
	CreatedAt time.Time
	IsDeleted bool
	IsSpam    bool
	Author    Author
	// IPAddress is PRIVATE: never publish it. Empty in newer exports.
	IPAddress string
	// ThreadID is the Disqus ID of the thread the post belongs to. It may
	// name a thread that is not in the file.
	ThreadID string
	// ParentID is the Disqus ID of the post this one replies to, or empty.
	ParentID string
}

// Author is the author of a thread or post.
type Author struct {
	Name string
	// Email is PRIVATE: never publish it. Empty in newer exports.
	Email       string
	Username    string
	IsAnonymous bool
}

func (*Category) record() {}
func (*Thread) record()   {}
func (*Post) record()     {}

// ErrNotDisqus is wrapped by the SyntaxError a Reader returns for an XML
// document whose root is not a disqus element.
var ErrNotDisqus = errors.New("not a Disqus export")

// SyntaxError reports a malformed export and where the problem was found.
// Line and Column are 1-based.
type SyntaxError struct {
	Line   int
	Column int
	Err    error
}

// Error returns "disqus: line L, column C: message".
func (e *SyntaxError) Error() string {
	msg := e.Err.Error()
	if xe, ok := errors.AsType[*xml.SyntaxError](e.Err); ok {
		msg = xe.Msg // xml.SyntaxError repeats the line number.
	}
	if tl, ok := errors.AsType[*xmlsize.TooLargeError](e.Err); ok {
		msg = tl.Reason() // and so does this one.
	}
	return fmt.Sprintf("disqus: line %d, column %d: %s", e.Line, e.Column, msg)
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Reader reads the records of a Disqus export one at a time, in document
// order (Disqus writes categories, then threads, then posts). Memory use
// depends on the largest record, not on the size of the file. Elements the
// Reader does not know are skipped. A Reader is not safe for concurrent use.
type Reader struct {
	count   *countingReader
	dec     *xml.Decoder
	recent  *xmlpos.Reader
	started bool // inside the root element
	err     error
}

// NewReader returns a Reader that reads an export from src, converting the
// declared encoding to UTF-8.
func NewReader(src io.Reader) *Reader {
	count := &countingReader{r: src}
	recent := xmlpos.NewReader(xmlsize.NewReader(count, xmlsize.Limit))
	dec := xml.NewDecoder(recent)
	dec.Strict = true
	dec.CharsetReader = recent.CharsetReader(charset.NewReaderLabel)
	return &Reader{count: count, dec: dec, recent: recent}
}

// BytesRead returns how many bytes have been read from the source, for a
// progress bar; it runs ahead of the records by the decoder's buffer.
func (r *Reader) BytesRead() int64 { return r.count.n }

// Next returns the next *Category, *Thread or *Post. At the end of a
// well-formed export it returns io.EOF. A malformed export yields a
// *SyntaxError; other errors come from the source. After an error, Next
// returns the same error again.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) next() (Record, error) {
	if !r.started {
		if err := r.openRoot(); err != nil {
			return nil, err
		}
		r.started = true
	}
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var rec Record
			var err error
			switch t.Name.Local {
			case "category":
				rec, err = r.readCategory(t)
			case "thread":
				rec, err = r.readThread(t)
			case "post":
				rec, err = r.readPost(t)
			default:
				err = r.wrap(r.dec.Skip())
			}
			if err != nil || rec != nil {
				return rec, err
			}
		case xml.EndElement: // the end of the root
			for {
				if _, err := r.token(); err != nil {
					return nil, err
				}
			}
		}
	}
}

func (r *Reader) openRoot() error {
	for {
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			return r.errorf(ErrNotDisqus, "no disqus element")
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if t.Name.Local != "disqus" {
				return r.errorf(ErrNotDisqus, "root element is <%s>, want <disqus>", t.Name.Local)
			}
			return nil
		}
	}
}

type rawRef struct {
	ID string `xml:"http://disqus.com/disqus-internals id,attr"`
}

type rawAuthor struct {
	Name        string `xml:"name"`
	Email       string `xml:"email"`
	Username    string `xml:"username"`
	IsAnonymous string `xml:"isAnonymous"`
}

type rawCategory struct {
	ID        string `xml:"http://disqus.com/disqus-internals id,attr"`
	Forum     string `xml:"forum"`
	Title     string `xml:"title"`
	IsDefault string `xml:"isDefault"`
}

type rawThread struct {
	ID         string    `xml:"http://disqus.com/disqus-internals id,attr"`
	Identifier string    `xml:"id"`
	Forum      string    `xml:"forum"`
	Category   rawRef    `xml:"category"`
	Link       string    `xml:"link"`
	Title      string    `xml:"title"`
	Message    string    `xml:"message"`
	CreatedAt  string    `xml:"createdAt"`
	Author     rawAuthor `xml:"author"`
	IPAddress  string    `xml:"ipAddress"`
	IsClosed   string    `xml:"isClosed"`
	IsDeleted  string    `xml:"isDeleted"`
}

type rawPost struct {
	ID         string    `xml:"http://disqus.com/disqus-internals id,attr"`
	Identifier string    `xml:"id"`
	Message    string    `xml:"message"`
	CreatedAt  string    `xml:"createdAt"`
	IsDeleted  string    `xml:"isDeleted"`
	IsSpam     string    `xml:"isSpam"`
	Author     rawAuthor `xml:"author"`
	IPAddress  string    `xml:"ipAddress"`
	Thread     rawRef    `xml:"thread"`
	Parent     rawRef    `xml:"parent"`
}

// fields converts the text fields of one record, keeping the first error.
type fields struct {
	what string // "post 123", for messages
	err  error
}

func (f *fields) bool(name, s string) bool {
	switch strings.TrimSpace(s) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	if f.err == nil {
		f.err = fmt.Errorf("%s: %s %q is not a boolean", f.what, name, s)
	}
	return false
}

func (f *fields) time(name, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %s %q is not a date", f.what, name, s)
	}
	return t
}

func (f *fields) author(a rawAuthor) Author {
	return Author{
		Name:        strings.TrimSpace(a.Name),
		Email:       strings.TrimSpace(a.Email),
		Username:    strings.TrimSpace(a.Username),
		IsAnonymous: f.bool("isAnonymous", a.IsAnonymous),
	}
}

func (r *Reader) readCategory(start xml.StartElement) (Record, error) {
	var raw rawCategory
	line, col, err := r.decode(&raw, start)
	if err != nil {
		return nil, err
	}
	f := fields{what: "category " + raw.ID}
	c := &Category{ID: strings.TrimSpace(raw.ID), Forum: strings.TrimSpace(raw.Forum), Title: raw.Title,
		IsDefault: f.bool("isDefault", raw.IsDefault)}
	return c, r.check(f, line, col)
}

func (r *Reader) readThread(start xml.StartElement) (Record, error) {
	var raw rawThread
	line, col, err := r.decode(&raw, start)
	if err != nil {
		return nil, err
	}
	f := fields{what: "thread " + raw.ID}
	t := &Thread{
		ID: strings.TrimSpace(raw.ID), Identifier: strings.TrimSpace(raw.Identifier),
		Forum: strings.TrimSpace(raw.Forum), CategoryID: strings.TrimSpace(raw.Category.ID),
		Link: strings.TrimSpace(raw.Link), Title: raw.Title, Message: raw.Message,
		CreatedAt: f.time("createdAt", raw.CreatedAt), Author: f.author(raw.Author),
		IPAddress: strings.TrimSpace(raw.IPAddress),
		IsClosed:  f.bool("isClosed", raw.IsClosed), IsDeleted: f.bool("isDeleted", raw.IsDeleted),
	}
	return t, r.check(f, line, col)
}

func (r *Reader) readPost(start xml.StartElement) (Record, error) {
	var raw rawPost
	line, col, err := r.decode(&raw, start)
	if err != nil {
		return nil, err
	}
	f := fields{what: "post " + raw.ID}
	p := &Post{
		ID: strings.TrimSpace(raw.ID), Identifier: strings.TrimSpace(raw.Identifier), Message: raw.Message,
		CreatedAt: f.time("createdAt", raw.CreatedAt),
		IsDeleted: f.bool("isDeleted", raw.IsDeleted), IsSpam: f.bool("isSpam", raw.IsSpam),
		Author: f.author(raw.Author), IPAddress: strings.TrimSpace(raw.IPAddress),
		ThreadID: strings.TrimSpace(raw.Thread.ID), ParentID: strings.TrimSpace(raw.Parent.ID),
	}
	return p, r.check(f, line, col)
}

// decode reads the element that start opens into v, returning the
// position of its start.
func (r *Reader) decode(v any, start xml.StartElement) (line, col int, err error) {
	line, col = r.dec.InputPos()
	return line, col, r.wrap(r.dec.DecodeElement(v, &start))
}

// check turns a field error into a SyntaxError at the record's position.
func (r *Reader) check(f fields, line, col int) error {
	if f.err == nil {
		return nil
	}
	return &SyntaxError{Line: line, Column: col, Err: f.err}
}

func (r *Reader) token() (xml.Token, error) {
	tok, err := r.dec.Token()
	return tok, r.wrap(err)
}

// wrap adds the input position to a decoder error; nil and io.EOF are
// returned as they are.
func (r *Reader) wrap(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
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
	return fmt.Errorf("disqus: line %d, column %d: %w", line, col, err)
}

func (r *Reader) errorf(sentinel error, format string, args ...any) error {
	line, col := r.dec.InputPos()
	return &SyntaxError{Line: line, Column: col, Err: fmt.Errorf(format+": %w", append(args, sentinel)...)}
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
