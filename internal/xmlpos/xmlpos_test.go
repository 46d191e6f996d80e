package xmlpos_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/xmlpos"
	"golang.org/x/net/html/charset"
)

// firstError decodes in to its first syntax error and returns the position Offending names
// for it, with the decoder's own.
func firstError(t testing.TB, in string) (line, col, decLine, decCol int, msg string) {
	t.Helper()
	r := xmlpos.NewReader(strings.NewReader(in))
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = r.CharsetReader(charset.NewReaderLabel)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return 0, 0, 0, 0, ""
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			decLine, decCol = d.InputPos()
			line, col = r.Offending(se, decLine, decCol, d.InputOffset())
			return line, col, decLine, decCol, se.Msg
		}
		if err != nil {
			return 0, 0, 0, 0, err.Error()
		}
	}
}

func TestOffending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"unknown entity", "<a>\n<b>x &foo; y</b></a>", 2, 6, "invalid character entity &foo;"},
		{"entity without semicolon", "<a>\n<b>x &amp y</b></a>", 2, 6, "invalid character entity &amp (no semicolon)"},
		{"not UTF-8 in text", "<a>\n<b>x \xff y</b></a>", 2, 6, "invalid UTF-8"},
		{"not UTF-8 in CDATA", "<a>\n<b><![CDATA[x \xff y]]></b></a>", 2, 15, "invalid UTF-8"},
		{"not UTF-8 in an attribute", "<a>\n<b x=\"\xff\">y</b></a>", 2, 7, "invalid UTF-8"},
		{"not UTF-8 a line before the token's end", "<a>\n<b>x \xff\ny\n</b></a>", 2, 6, "invalid UTF-8"},
		{"after a valid multi-byte rune", "<a>\n<b>é \xff</b></a>", 2, 7, "invalid UTF-8"},
		{"mismatched end tag", "<a>\n<b>x</c> y</a>", 2, 5, "element <b> closed by </c>"},
		{"unclosed element", "<a>\n  <b>x<c>y</c></a>", 2, 15, "element <b> closed by </a>"},
		{"bare less-than", "<a>\n<b>x < y</b></a>", 2, 7, "expected element name after <"},
		{"illegal character", "<a>\n<b>x\x01y</b></a>", 2, 5, "illegal character code U+0001"},
		// Not known: the decoder's position stays.
		{"unquoted attribute", "<a>\n<b x=1>y</b></a>", 2, 7, "unquoted or missing attribute value in element"},
		{"truncated", "<a>\n<b>x", 2, 5, "unexpected EOF"},
		// A converted document's positions count converted bytes: left as the decoder gave them.
		{"converted", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a>\n<b>caf\xe9 &foo; y</b></a>", 3, 15, "invalid character entity &foo;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line, col, _, _, msg := firstError(t, tt.in)
			if line != tt.line || col != tt.col || msg != tt.msg {
				t.Errorf("Offending(%q) = line %d, column %d (%s), want line %d, column %d (%s)", tt.in, line, col, msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// FuzzOffending checks that a position Offending moves is a real one, never past the decoder's.
func FuzzOffending(f *testing.F) {
	for _, s := range []string{"<a>&foo;</a>", "<a>\n\xff</a>", "<a></b>", "<a>< </a>", "<a x='\x01'/>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		line, col, decLine, decCol, _ := firstError(t, in)
		if line == 0 || line == decLine && col == decCol {
			return // no error, or the decoder's own position kept
		}
		if line < 1 || col < 1 || line > decLine || line == decLine && col > decCol {
			t.Errorf("Offending(%q) = %d:%d, decoder at %d:%d", in, line, col, decLine, decCol)
		}
	})
}
