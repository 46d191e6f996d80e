// Package xmlpos finds the byte an encoding/xml syntax error is about. The decoder notices a
// bad entity, a byte that is not UTF-8 or a mismatched end tag at the end of the token, and
// reports that position; a person looking at the file wants the offending character.
package xmlpos

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// recentWindow is how many of the last bytes the decoder read are kept to find where a
// malformed token went wrong: enough for any line a person would look at.
const recentWindow = 64 << 10

// Reader gives the decoder its bytes one at a time (encoding/xml then adds no buffer of
// its own) and keeps the last ones it read, so that an error can name the offending byte
// rather than the end of the token where the decoder noticed it.
type Reader struct {
	r      *bufio.Reader
	recent []byte // the bytes read, ending at offset read
	read   int64
	// converted is set when the decoder reads another character set through a converter:
	// its positions then count converted bytes, which recent does not hold.
	converted bool
}

// NewReader returns a Reader of src, to hand to xml.NewDecoder. Its CharsetReader method
// wraps the decoder's character-set converter.
func NewReader(src io.Reader) *Reader {
	return &Reader{r: bufio.NewReader(src), recent: make([]byte, 0, 2*recentWindow)}
}

// ReadByte implements io.ByteReader.
func (r *Reader) ReadByte() (byte, error) {
	c, err := r.r.ReadByte()
	if err != nil {
		return c, err
	}
	if len(r.recent) == cap(r.recent) {
		r.recent = append(r.recent[:0], r.recent[len(r.recent)-recentWindow:]...)
	}
	r.recent = append(r.recent, c)
	r.read++
	return c, nil
}

// Read implements io.Reader, for a character-set converter.
func (r *Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := r.ReadByte()
		if err != nil {
			return n, err
		}
		p[n] = c
		n++
		if c == '>' {
			break // return early enough that the converter's buffering stays small
		}
	}
	return n, nil
}

// CharsetReader wraps convert, a decoder's CharsetReader: positions in a converted document
// count converted bytes, so Offending then leaves them as the decoder gave them.
func (r *Reader) CharsetReader(convert func(label string, in io.Reader) (io.Reader, error)) func(string, io.Reader) (io.Reader, error) {
	return func(label string, in io.Reader) (io.Reader, error) {
		r.converted = true
		return convert(label, in)
	}
}

// Offending returns the line and column of the byte a decoder error is about, given where
// the decoder stood (its InputPos, line and col, at its InputOffset, off): the '&' of an unknown entity, the "</"
// of a mismatched end tag, the first byte that is not UTF-8, an illegal character, the byte
// after a '<' that starts no element. It returns line and col unchanged when it cannot tell.
func (r *Reader) Offending(err *xml.SyntaxError, line, col int, off int64) (int, int) {
	if r.converted || off > r.read || r.read-off > int64(len(r.recent)) {
		return line, col
	}
	end := len(r.recent) - int(r.read-off) // recent[end] is the byte at off
	window := r.recent[:end]
	at := -1
	switch msg := err.Msg; {
	case strings.HasPrefix(msg, "invalid character entity "):
		at = bytes.LastIndexByte(window, '&')
	case strings.Contains(msg, "> closed by </"):
		at = bytes.LastIndex(window, []byte("</"))
	case msg == "expected element name after <":
		if i := bytes.LastIndexByte(window, '<'); i >= 0 && i+1 < end {
			at = i + 1
		}
	case msg == "invalid UTF-8":
		at = firstInvalid(window)
	case strings.HasPrefix(msg, "illegal character code U+"):
		if v, e := strconv.ParseUint(strings.TrimPrefix(msg, "illegal character code U+"), 16, 32); e == nil {
			at = bytes.LastIndex(window, []byte(string(rune(v))))
		}
	}
	if at < 0 {
		return line, col
	}
	// The column counts from the line's start, when the window holds it.
	nl := bytes.LastIndexByte(window[:at], '\n')
	if nl < 0 && int64(len(r.recent)) != r.read {
		return line, col
	}
	badLine, badCol := line-bytes.Count(window[at:], []byte{'\n'}), at-nl
	if badLine < 1 || badLine > line || badLine == line && badCol > col {
		return line, col // the decoder's position disagrees with the bytes: keep it
	}
	return badLine, badCol
}

// firstInvalid returns the index of the first byte of b that is not UTF-8, or -1. A rune cut
// by the start of the window is skipped.
func firstInvalid(b []byte) int {
	i := 0
	for i < len(b) && i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i++
	}
	for i < len(b) {
		rn, size := utf8.DecodeRune(b[i:])
		if rn == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
