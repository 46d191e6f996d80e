package exporter

import "testing"

func TestTitleText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Q&A with the mayor", "Q&A with the mayor"},
		{"Written <here> & now", "Written &lt;here&gt; & now"},
		{"Why &amp; is an entity", "Why &amp;amp; is an entity"},
		{"AT&T; merger", "AT&amp;T; merger"},
	}
	for _, tc := range tests {
		if got := titleText(tc.in); got != tc.want {
			t.Errorf("titleText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
