package xmlsize

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReaderPassesXML(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0"?><!DOCTYPE x><rss a="1 > 2" b='<'><!-- a comment with <tags> -->` +
		`<item><![CDATA[<p>HTML with > and ]] inside</p>]]>text &amp; more</item></rss>`
	got, err := io.ReadAll(NewReader(strings.NewReader(doc), 64))
	if err != nil || string(got) != doc {
		t.Errorf("ReadAll = %q, %v; want the document unchanged", got, err)
	}
}

func TestReaderRefusesLargeTokens(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 100)
	for _, tt := range []struct {
		name, doc string
		line, col int
	}{
		{"text", "<a>\n  <b>" + big + "</b></a>", 2, 6},
		{"cdata", "<a>\n<b><![CDATA[" + strings.Repeat("<p>", 40) + "]]></b></a>", 2, 4},
		{"comment", "<a><!--" + big + "--></a>", 1, 4},
		{"attribute", `<a b="` + big + `"/>`, 1, 1},
		{"cdata split in small sections passes", "<a>" + strings.Repeat("<![CDATA[xxxxx]]>", 30) + "</a>", 0, 0},
	} {
		_, err := io.ReadAll(NewReader(strings.NewReader(tt.doc), 50))
		var tl *TooLargeError
		if tt.line == 0 {
			if err != nil {
				t.Errorf("%s: %v, want nil", tt.name, err)
			}
			continue
		}
		if !errors.As(err, &tl) || tl.Line != tt.line || tl.Column != tt.col || tl.Limit != 50 {
			t.Errorf("%s: %v, want a TooLargeError at line %d, column %d", tt.name, err, tt.line, tt.col)
		}
	}
}

// TestDecoderStopsEarly: encoding/xml reading through a Reader gets the error instead of
// buffering the whole element.
func TestDecoderStopsEarly(t *testing.T) {
	t.Parallel()
	src := io.MultiReader(strings.NewReader("<a><b>"), &endless{}, strings.NewReader("</b></a>"))
	dec := xml.NewDecoder(NewReader(src, 1<<20))
	var err error
	for err == nil {
		_, err = dec.Token()
	}
	if !errors.As(err, new(*TooLargeError)) {
		t.Errorf("Token = %v, want a TooLargeError", err)
	}
}

// endless is an unending run of text.
type endless struct{}

func (*endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func FuzzReader(f *testing.F) {
	f.Add("<a b='c'><![CDATA[x]]><!-- y --></a>", 8)
	f.Fuzz(func(t *testing.T, doc string, limit int) {
		if limit <= 0 {
			return
		}
		got, err := io.ReadAll(NewReader(strings.NewReader(doc), limit))
		if err == nil && string(got) != doc {
			t.Errorf("ReadAll(%q) = %q, want it unchanged", doc, got)
		}
		if err != nil && !strings.HasPrefix(doc, string(got)) {
			t.Errorf("ReadAll(%q) before its error = %q, not a prefix", doc, got)
		}
	})
}
