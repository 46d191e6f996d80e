package wxr

import (
	"bytes"
	"io"
)

// cdataRepair passes XML through unchanged, except for CDATA sections that
// contain an unescaped "]]>". WordPress before 3.1 wrote such sections
// (https://core.trac.wordpress.org/ticket/15203); WordPress's importer reads
// them with a regular-expression parser, while any XML parser rejects them.
//
// Inside a CDATA section, a "]]>" is taken as the end of the section when
// only white space follows it up to the next "<", or when the text up to the
// next "<" is ordinary text that does not itself contain "]]>" and that "<"
// does not open another CDATA section. Otherwise the "]]>" belongs to the
// content and is rewritten as "]]]]><![CDATA[>", the escape WordPress uses
// today. Well-formed documents are never changed, except a CDATA section
// directly followed by text and then another CDATA section, which WordPress
// never writes.
//
// Comments and processing instructions are tracked so that "<![CDATA[" in
// them is not mistaken for a section. Memory is bounded by maxLookahead.
type cdataRepair struct {
	src    io.Reader
	buf    []byte // buf[start:] is input not yet processed
	start  int
	out    []byte // processed output not yet returned; out[outPos:]
	outPos int
	state  scanState
	srcErr error // sticky error of src, io.EOF at the end
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
	if len(in)-i < len(cdataOpen) && !eof {
		r.emit(i)
		return i > 0
	}
	rest := in[i:]
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
	k := bytes.IndexByte(after, '<')
	undecided := k < 0 || len(after)-k < len(cdataOpen)
	if undecided && !eof && len(after) < maxLookahead {
		r.emit(j) // wait for more input, keeping the "]]>"
		return j > 0
	}
	if k < 0 {
		k = len(after)
	}
	if isCDATAEnd(after[:k], after[k:]) {
		r.emit(j + len(cdataClose))
		r.state = inText
		return true
	}
	r.emit(j)
	r.out = append(r.out, cdataEscaped...)
	r.start += len(cdataClose)
	return true
}

// isCDATAEnd reports whether a "]]>" followed by text and then next (which
// starts with "<" or is empty) ends its CDATA section.
func isCDATAEnd(text, next []byte) bool {
	if len(bytes.TrimLeft(text, " \t\r\n")) == 0 {
		return true
	}
	if bytes.Contains(text, []byte(cdataClose)) {
		return false
	}
	return !bytes.HasPrefix(next, []byte(cdataOpen))
}
