package web

import (
	"errors"
	"io"
	"net/http"
)

// drainLimit is how much of an oversized body the server still reads (and throws away) before
// answering 413. A client that is still sending when the server answers and closes would get a
// connection reset instead of the page that tells the writer their text is safe.
const drainLimit = 64 << 20

// parseLimitedForm parses a form body of at most n bytes. An oversized body answers an
// *http.MaxBytesError, after the rest of it (up to drainLimit) has been read, so the client reads
// the answer.
func parseLimitedForm(w http.ResponseWriter, r *http.Request, n int64) error {
	body := r.Body
	r.Body = http.MaxBytesReader(w, body, n)
	err := r.ParseForm()
	if errors.As(err, new(*http.MaxBytesError)) {
		io.CopyN(io.Discard, body, drainLimit)
	}
	return err
}
