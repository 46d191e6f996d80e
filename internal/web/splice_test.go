package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

const tokenHole = "bs-form-token-test"

func TestSpliceGzip(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"<html>" + strings.Repeat("story text ", 5000) + `<input name="token" value="` + tokenHole + `">` + strings.Repeat("more ", 3000) + "</html>",
		tokenHole,
		"a" + tokenHole,
		tokenHole + "z",
	} {
		sp := newSplice([]byte(body), tokenHole)
		if sp == nil {
			t.Fatal("newSplice found no hole")
		}
		for _, tok := range []string{"", "abc", strings.Repeat("t", 60)} {
			want := strings.Replace(body, tokenHole, tok, 1)
			if got := string(sp.plain(tok)); got != want {
				t.Errorf("plain(%q) differs", tok)
			}
			zr, err := gzip.NewReader(bytes.NewReader(sp.gzip(tok)))
			if err != nil {
				t.Fatalf("gzip header: %v", err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("gunzip (token %q, body %d bytes): %v", tok, len(body), err)
			}
			if string(got) != want {
				t.Errorf("gunzip(token %q) differs from the plain page", tok)
			}
		}
	}
	if newSplice([]byte("no hole"), tokenHole) != nil {
		t.Error("newSplice found a hole where there is none")
	}
}

func BenchmarkSpliceGzip(b *testing.B) {
	sp := newSplice([]byte(strings.Repeat("story text ", 3000)+tokenHole+strings.Repeat("more ", 3000)), tokenHole)
	for b.Loop() {
		sp.gzip("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	}
}
