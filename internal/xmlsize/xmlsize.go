// Package xmlsize bounds the memory an XML stream can make a parser take: a Reader passes XML
// through unchanged, but stops with a TooLargeError at the first token — a run of text, a CDATA
// section, a comment, a tag with its attributes — longer than its limit. encoding/xml holds a
// whole token in memory before returning it, so without this one 500 MB element in an import
// costs gigabytes before anything can refuse it.
package xmlsize

import (
	"fmt"
	"io"
)

// TooLargeError reports a token longer than a Reader's limit, and where it starts. Line and
// Column are 1-based and count bytes of the input.
type TooLargeError struct {
	Line, Column int
	Limit        int
}

// Error returns "line L, column C: an XML element's text is longer than N MB".
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Reason())
}

// Reason is the error without its position, for callers that report the position their way.
func (e *TooLargeError) Reason() string {
	return fmt.Sprintf("a piece of the XML (an element's text, a CDATA section, a comment or a tag) is longer than %s; nothing that large can be imported", size(e.Limit))
}

func size(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Limit is the limit the importers' readers use: larger than anything Broadsheet stores from
// one element (a story's body is 2 MB at most), small enough that a parser holding a token of it
// stays within tens of megabytes.
const Limit = 4 << 20

type state uint8

const (
	text    state = iota
	open          // after "<": deciding what kind of markup follows
	tag           // inside a tag, a declaration or a processing instruction
	quoted        // inside a quoted attribute value
	comment       // inside "<!--", until "-->"
	cdata         // inside "<![CDATA[", until "]]>"
)

// Reader is an io.Reader that passes XML through and refuses a token longer than its limit.
// It is not safe for concurrent use.
type Reader struct {
	src   io.Reader
	limit int
	err   error

	st                  state
	quote               byte
	pfx                 []byte // the bytes after "<" while st is open
	tail                [3]byte
	run                 int // bytes of the current token
	line                int
	col                 int
	startLine, startCol int
}

// NewReader returns a Reader of src that refuses tokens longer than limit bytes.
func NewReader(src io.Reader, limit int) *Reader {
	return &Reader{src: src, limit: limit, line: 1, startLine: 1, startCol: 1}
}

// Read implements io.Reader. Past a token longer than the limit it returns the bytes before the
// one that crossed it, then a *TooLargeError.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	for i := range n {
		if !r.step(p[i]) {
			r.err = &TooLargeError{Line: r.startLine, Column: r.startCol, Limit: r.limit}
			return i, r.err
		}
	}
	if err != nil {
		r.err = err
	}
	return n, err
}

// begin starts a new token: markup at the current byte ("<"), text after it (">").
func (r *Reader) begin(s state) {
	r.st, r.run = s, 0
	r.startLine, r.startCol = r.line, r.col
	if s == text {
		r.startCol++
	} else {
		r.run = 1
	}
	r.tail = [3]byte{}
}

// step advances over one byte and reports whether the current token is within the limit.
func (r *Reader) step(c byte) bool {
	if c == '\n' {
		r.line, r.col = r.line+1, 0
	} else {
		r.col++
	}
	r.run++
	r.tail[0], r.tail[1], r.tail[2] = r.tail[1], r.tail[2], c
	switch r.st {
	case text:
		if c == '<' {
			r.begin(open)
			r.pfx = r.pfx[:0]
		}
	case open:
		r.pfx = append(r.pfx, c)
		switch p := string(r.pfx); {
		case p == "!--":
			r.st = comment
			r.tail = [3]byte{}
		case p == "![CDATA[":
			r.st = cdata
			r.tail = [3]byte{}
		case len(p) < 8 && ("![CDATA["[:len(p)] == p || "!--"[:min(len(p), 3)] == p):
			// Not decided yet.
		default:
			r.st = tag
			r.stepTag(c)
		}
	case tag, quoted:
		r.stepTag(c)
	case comment:
		if r.tail == [3]byte{'-', '-', '>'} {
			r.begin(text)
		}
	case cdata:
		if r.tail == [3]byte{']', ']', '>'} {
			r.begin(text)
		}
	}
	return r.run <= r.limit
}

func (r *Reader) stepTag(c byte) {
	switch {
	case r.st == quoted:
		if c == r.quote {
			r.st = tag
		}
	case c == '"' || c == '\'':
		r.st, r.quote = quoted, c
	case c == '>':
		r.begin(text)
	}
}
