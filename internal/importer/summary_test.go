package importer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnknownShortcodes(t *testing.T) {
	t.Parallel()
	s := newSummary("x", WXR)
	s.shortcodes(`<p>[gallery ids="1,2"] and [caption id="a"]x[/caption], [sic] and [1],
		[csharp]var x = 1;[/csharp] [csharp]y[/csharp] [embed]https://example.org[/embed] [audio src="a.mp3" /]</p>`)
	want := map[string]int{"gallery": 1, "csharp": 2, "audio": 1}
	if diff := cmp.Diff(want, s.Shortcodes); diff != "" {
		t.Errorf("Shortcodes (-want +got):\n%s", diff)
	}
}
