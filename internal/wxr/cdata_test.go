package wxr

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCDATARepair(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no CDATA", "<a>x &amp; y</a>", "<a>x &amp; y</a>"},
		{"plain section", "<a><![CDATA[x]]></a>", "<a><![CDATA[x]]></a>"},
		{"escaped split", "<a><![CDATA[x]]]]><![CDATA[>y]]></a>", "<a><![CDATA[x]]]]><![CDATA[>y]]></a>"},
		{"white space before end tag", "<a>\n <![CDATA[x]]>\n </a>", "<a>\n <![CDATA[x]]>\n </a>"},
		{"text after section", "<a><![CDATA[x]]> and text</a>", "<a><![CDATA[x]]> and text</a>"},
		{"sections with text between", "<a><![CDATA[x]]>&amp;<![CDATA[y]]></a>", "<a><![CDATA[x]]>&amp;<![CDATA[y]]></a>"},
		{"comment after section", "<a><![CDATA[x]]><!-- c --></a>", "<a><![CDATA[x]]><!-- c --></a>"},
		{"end tag with space", "<a><![CDATA[x]]></a >", "<a><![CDATA[x]]></a >"},
		{"CDATA opener in a comment", "<!-- <![CDATA[ --><a>]]&gt;</a>", "<!-- <![CDATA[ --><a>]]&gt;</a>"},
		{"CDATA opener in a processing instruction", "<?pi <![CDATA[ ?><a>x</a>", "<?pi <![CDATA[ ?><a>x</a>"},
		{"prefixed element", "<wp:v><![CDATA[x]]></wp:v>", "<wp:v><![CDATA[x]]></wp:v>"},
		{"unterminated at end", "<a><![CDATA[x]]", "<a><![CDATA[x]]"},
		{"end of input after close", "<a><![CDATA[x]]>", "<a><![CDATA[x]]>"},

		// The sections of WordPress's crazy-cdata.xml test fixture.
		{"nested section", "<c:e><![CDATA[Content with nested <![CDATA[ tags ]]> :)]]></c:e>",
			"<c:e><![CDATA[Content with nested <![CDATA[ tags ]]]]><![CDATA[> :)]]></c:e>"},
		{"lone close", "<v><![CDATA[]]>]]></v>", "<v><![CDATA[]]]]><![CDATA[>]]></v>"},
		{"many sections", "<v><![CDATA[This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>]]></v>",
			"<v><![CDATA[This has <![CDATA[ opening and ]]]]><![CDATA[> closing <![CDATA[ tags like this: ]]]]><![CDATA[>]]></v>"},
		{"script in a post", "<c:e><![CDATA[<script>//<![CDATA[\nf();\n//]]></script>\nmore]]></c:e>",
			"<c:e><![CDATA[<script>//<![CDATA[\nf();\n//]]]]><![CDATA[></script>\nmore]]></c:e>"},
		{"markup after close", "<v><![CDATA[a]]><b>bold</b>]]></v>", "<v><![CDATA[a]]]]><![CDATA[><b>bold</b>]]></v>"},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				t.Parallel()
				got, err := io.ReadAll(newCDATARepair(rd.wrap(strings.NewReader(tt.in))))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Errorf("repair(%q) = %q, want %q", tt.in, got, tt.want)
				}
			})
		}
	}
}

// TestCDATARepairLarge checks that input larger than the buffers passes
// unchanged, and that a long look-ahead is bounded.
func TestCDATARepairLarge(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("0123456789abcdef", 8<<10) // 128 KiB
	tests := []struct {
		name, in, want string
	}{
		{"long section", "<a><![CDATA[" + long + "]]></a>", "<a><![CDATA[" + long + "]]></a>"},
		{"long text after close", "<a><![CDATA[x]]>" + long + "</a>", "<a><![CDATA[x]]>" + long + "</a>"},
		{"long text then stray close", "<a><![CDATA[x]]>" + long + "]]></a>", "<a><![CDATA[x]]]]><![CDATA[>" + long + "]]></a>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := io.ReadAll(newCDATARepair(iotest.HalfReader(strings.NewReader(tt.in))))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("repair of %d bytes: got %d bytes, want %d", len(tt.in), len(got), len(tt.want))
			}
		})
	}
}

func TestCDATARepairReadError(t *testing.T) {
	t.Parallel()
	r := newCDATARepair(iotest.TimeoutReader(strings.NewReader("<a><![CDATA[x]]></a>")))
	got, err := io.ReadAll(r)
	if err != iotest.ErrTimeout {
		t.Errorf("ReadAll() error = %v, want %v", err, iotest.ErrTimeout)
	}
	if len(got) == 0 {
		t.Errorf("ReadAll() = %q, want the data read before the error", got)
	}
}
