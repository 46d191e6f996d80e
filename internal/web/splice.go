package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
)

// splice is a cached page with one hole (where a story page's per-request form token goes:
// pages are cached as bytes, but every reader must get a form token of their own), kept with its two halves already compressed, so a
// request costs the token and a checksum, not a compression of the whole page.
//
// The gzip answer is one deflate stream built from parts: the first half compressed and
// sync-flushed (it ends on a byte boundary with a non-final block), the token as a stored
// (uncompressed) block, then the second half as a final compressed block sequence.
type splice struct {
	head, tail   []byte // plain halves
	zHead, zTail []byte // raw deflate of each half
	crcHead      uint32
}

func newSplice(body []byte, hole string) *splice {
	i := bytes.Index(body, []byte(hole))
	if i < 0 {
		return nil
	}
	sp := &splice{head: body[:i], tail: body[i+len(hole):]}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	zw.Write(sp.head)
	zw.Flush()
	sp.zHead = bytes.Clone(buf.Bytes())
	buf.Reset()
	zw.Reset(&buf)
	zw.Write(sp.tail)
	zw.Close()
	sp.zTail = bytes.Clone(buf.Bytes())
	sp.crcHead = crc32.ChecksumIEEE(sp.head)
	return sp
}

// plain returns the page with token in the hole.
func (sp *splice) plain(token string) []byte {
	out := make([]byte, 0, len(sp.head)+len(token)+len(sp.tail))
	return append(append(append(out, sp.head...), token...), sp.tail...)
}

// gzip returns the page with token in the hole, gzip-encoded.
func (sp *splice) gzip(token string) []byte {
	n := len(token) // tokens are short; a stored block holds up to 65,535 bytes
	out := make([]byte, 0, 10+len(sp.zHead)+5+n+len(sp.zTail)+8)
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff) // gzip header, no name, unknown OS
	out = append(out, sp.zHead...)
	out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8)) // stored block, not final
	out = append(out, token...)
	out = append(out, sp.zTail...)
	crc := crc32.Update(sp.crcHead, crc32.IEEETable, []byte(token))
	crc = crc32.Update(crc, crc32.IEEETable, sp.tail)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(len(sp.head)+n+len(sp.tail)))
}

// writeSpliced sends a page with a hole, filled with token.
func (r *response) writeSpliced(w http.ResponseWriter, req *http.Request, token string) {
	h := w.Header()
	h.Set("Content-Type", r.contentType)
	h.Add("Vary", "Accept-Encoding")
	// Each answer carries its own token, so it is not stored or revalidated by browsers: a
	// revalidated copy would post a token that was already used.
	h.Set("Cache-Control", "no-store")
	if r.csp != "" {
		h.Set("Content-Security-Policy", r.csp)
	}
	body := r.splice.plain(token)
	if acceptsGzip(req) {
		h.Set("Content-Encoding", "gzip")
		body = r.splice.gzip(token)
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(r.status)
	if req.Method != http.MethodHead {
		w.Write(body)
	}
}
