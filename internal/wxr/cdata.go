package wxr

import (
	"bytes"
	"io"
)

// cdataRepair passes XML through unchanged, except for CDATA sections that
// contain an unescaped "]]>". WordPress before 3.1 wrote such sections
// (https://core.trac.wordpress.org/ticket/15203), for instance around the
// "//<![CDATA[ … //]]>" of a script in a post; WordPress's importer reads
// them with a regular-expression parser, while any XML parser rejects them.
//
// Inside a CDATA section that is the content of element E, a "]]>" ends the
// section when what follows it, up to E's end tag, is well-formed character
// data: text without "]]>", further CDATA sections, comments. When reading
// it as the end would make E's content malformed (a stray "]]>", or markup
// such as "</script>" inside an element that holds only text), the "]]>"
// belongs to the content and is rewritten as "]]]]><![CDATA[>", the escape
// WordPress uses today. A "]]>" directly followed by "<![CDATA[" always ends
// its section, as WordPress writes it.
//
// Well-formed documents pass unchanged, except one whose CDATA section is
// followed, inside the same element, by a child element (WXR never does
// this), or does not directly follow its element's start tag. Look-ahead is
// bounded by maxLookahead; past it a "]]>" ends its section.
type cdataRepair struct {
	src    io.Reader
	buf    []byte // buf[start:] is input not yet processed
	start  int
	out    []byte // processed output not yet returned; out[outPos:]
	outPos int
	state  scanState
	elem   []byte // name of the last start tag, the element holding a CDATA section
	srcErr error  // sticky error of src, io.EOF at the end
}

type scanState int

const (
	inText scanState = iota
	inComment
	inProcInst
	inCDATA
)

const (
	cdataOpen    = "<![CDATA["
	cdataClose   = "]]>"
	cdataEscaped = "]]]]><![CDATA[>"
	// maxLookahead bounds the text examined after a "]]>" inside a CDATA
	// section; past it the "]]>" is taken as the end of the section.
	maxLookahead = 1 << 20
	readChunk    = 32 << 10
)

func newCDATARepair(src io.Reader) *cdataRepair {
	return &cdataRepair{src: src, buf: make([]byte, 0, 2*readChunk)}
}

// Read implements io.Reader.
func (r *cdataRepair) Read(p []byte) (int, error) {
	for r.outPos == len(r.out) {
		r.out, r.outPos = r.out[:0], 0
		if r.start == len(r.buf) && r.srcErr != nil {
			return 0, r.srcErr
		}
		switch {
		case r.scan(r.srcErr != nil):
		case r.srcErr != nil:
			r.emit(len(r.buf) - r.start) // unreachable: at the end scan always progresses
		default:
			r.fill()
		}
	}
	n := copy(p, r.out[r.outPos:])
	r.outPos += n
	return n, nil
}

// fill reads more input, compacting the buffer first.
func (r *cdataRepair) fill() {
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:])
		r.buf, r.start = r.buf[:n], 0
	}
	if cap(r.buf)-len(r.buf) < readChunk {
		grown := make([]byte, len(r.buf), 2*cap(r.buf)+readChunk)
		copy(grown, r.buf)
		r.buf = grown
	}
	n, err := r.src.Read(r.buf[len(r.buf) : len(r.buf)+readChunk])
	r.buf = r.buf[:len(r.buf)+n]
	if err != nil {
		r.srcErr = err
	}
}

// emit moves n bytes of input to the output.
func (r *cdataRepair) emit(n int) {
	r.out = append(r.out, r.buf[r.start:r.start+n]...)
	r.start += n
}

// scan processes as much buffered input as it can and reports whether it
// made progress; when it did not, it needs more input. At eof every
// decision is final.
func (r *cdataRepair) scan(eof bool) bool {
	progress := false
	for r.start < len(r.buf) {
		in := r.buf[r.start:]
		var ok bool
		switch r.state {
		case inText:
			ok = r.scanText(in, eof)
		case inComment:
			ok = r.scanUntil(in, "-->", eof)
		case inProcInst:
			ok = r.scanUntil(in, "?>", eof)
		case inCDATA:
			ok = r.scanCDATA(in, eof)
		}
		if !ok {
			return progress
		}
		progress = true
	}
	return progress
}

func (r *cdataRepair) scanText(in []byte, eof bool) bool {
	i := bytes.IndexByte(in, '<')
	if i < 0 {
		r.emit(len(in))
		return true
	}
	rest := in[i:]
	if len(rest) < len(cdataOpen) && !eof {
		r.emit(i)
		return i > 0
	}
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		r.emit(i + 4)
		r.state = inComment
	case bytes.HasPrefix(rest, []byte(cdataOpen)):
		r.emit(i + len(cdataOpen))
		r.state = inCDATA
	case bytes.HasPrefix(rest, []byte("<?")):
		r.emit(i + 2)
		r.state = inProcInst
	case len(rest) > 1 && rest[1] != '/' && rest[1] != '!':
		name := rest[1:min(len(rest), maxLookahead)]
		n := bytes.IndexAny(name, " \t\r\n/>")
		if n < 0 && !eof && len(rest) < maxLookahead {
			r.emit(i) // wait for the end of the name
			return i > 0
		}
		if n < 0 {
			n = len(name)
		}
		r.elem = append(r.elem[:0], name[:n]...)
		r.emit(i + 1 + n)
	default:
		r.emit(i + 1)
	}
	return true
}

// scanUntil copies input up to and including end, then returns to text.
func (r *cdataRepair) scanUntil(in []byte, end string, eof bool) bool {
	i := bytes.Index(in, []byte(end))
	if i < 0 {
		n := len(in)
		if !eof {
			n -= len(end) - 1 // end may straddle the buffer boundary
		}
		if n <= 0 {
			return false
		}
		r.emit(n)
		return true
	}
	r.emit(i + len(end))
	r.state = inText
	return true
}

func (r *cdataRepair) scanCDATA(in []byte, eof bool) bool {
	j := bytes.Index(in, []byte(cdataClose))
	if j < 0 {
		return r.scanUntil(in, cdataClose, eof)
	}
	after := in[j+len(cdataClose):]
	final := eof || len(after) >= maxLookahead
	after = after[:min(len(after), maxLookahead)] // decide the same whatever the reads
	switch closesSection(after, r.elem, final) {
	case sectionEnds:
		r.emit(j + len(cdataClose))
		r.state = inText
	case sectionContinues:
		r.emit(j)
		r.out = append(r.out, cdataEscaped...)
		r.start += len(cdataClose)
	default:
		r.emit(j) // wait for more input, keeping the "]]>"
		return j > 0
	}
	return true
}

type verdict int

const (
	needMore verdict = iota
	sectionEnds
	sectionContinues
)

// closesSection decides whether a "]]>" followed by after ends a CDATA
// section held by element elem, by reading after as the rest of elem's
// content. When final is set, no more input will come.
func closesSection(after, elem []byte, final bool) verdict {
	if bytes.HasPrefix(after, []byte(cdataOpen)) {
		return sectionEnds
	}
	for i := 0; ; {
		k := bytes.IndexByte(after[i:], '<')
		text := after[i:]
		if k >= 0 {
			text = text[:k]
		}
		if bytes.Contains(text, []byte(cdataClose)) {
			return sectionContinues // "]]>" is not allowed in text
		}
		if k < 0 {
			if final {
				return sectionEnds
			}
			return needMore
		}
		rest := after[i+k:]
		if len(rest) < max(len(cdataOpen), len(elem)+3) && !final {
			return needMore
		}
		var skip int
		switch {
		case bytes.HasPrefix(rest, []byte("</")):
			if isEndTag(rest[2:], elem) {
				return sectionEnds
			}
			return sectionContinues
		case bytes.HasPrefix(rest, []byte(cdataOpen)):
			skip = skipPast(rest, len(cdataOpen), cdataClose)
		case bytes.HasPrefix(rest, []byte("<!--")):
			skip = skipPast(rest, 4, "-->")
		default:
			return sectionContinues // markup where only text belongs
		}
		if skip < 0 {
			if final {
				return sectionEnds
			}
			return needMore
		}
		i += k + skip
	}
}

// skipPast returns the length of b up to and including the first end after
// offset from, or -1.
func skipPast(b []byte, from int, end string) int {
	n := bytes.Index(b[from:], []byte(end))
	if n < 0 {
		return -1
	}
	return from + n + len(end)
}

// isEndTag reports whether b, which follows "</", names elem. An unknown
// element (empty elem) matches any end tag.
func isEndTag(b, elem []byte) bool {
	if !bytes.HasPrefix(b, elem) {
		return false
	}
	if len(elem) == 0 || len(b) == len(elem) {
		return true
	}
	switch b[len(elem)] {
	case '>', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
