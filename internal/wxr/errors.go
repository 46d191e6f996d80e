package wxr

import (
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/xmlsize"
)

// ErrNotWXR is wrapped by the SyntaxError a Reader returns for a well-formed
// XML document that is not a WXR export (no rss root or no channel).
var ErrNotWXR = errors.New("not a WXR file")

// ErrVersion is wrapped by the SyntaxError a Reader returns when
// wp:wxr_version is present but is not a version number such as "1.2".
var ErrVersion = errors.New("invalid WXR version")

// ErrOrder is wrapped by the error a Writer returns when records are written
// out of WordPress's order: authors, categories, tags, terms, then items.
var ErrOrder = errors.New("record out of order")

// SyntaxError reports a malformed WXR file and where the problem was found.
// Line and Column are 1-based and count bytes of the input after any
// character-set conversion.
type SyntaxError struct {
	Line   int
	Column int
	Err    error
}

// Error returns "wxr: line L, column C: message".
func (e *SyntaxError) Error() string {
	msg := e.Err.Error()
	if xe, ok := errors.AsType[*xml.SyntaxError](e.Err); ok {
		msg = xe.Msg // xml.SyntaxError repeats the line number.
	}
	if tl, ok := errors.AsType[*xmlsize.TooLargeError](e.Err); ok {
		msg = tl.Reason() // and so does this one.
	}
	return fmt.Sprintf("wxr: line %d, column %d: %s", e.Line, e.Column, msg)
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }
