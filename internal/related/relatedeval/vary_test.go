package relatedeval

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVary(t *testing.T) {
	t.Parallel()
	in := func() []story {
		return []story{
			{id: "a", title: "Ferry Talks Resume", body: "One.\n\nTwo Harbour.\n\nThree."},
			{id: "b", title: "Rain", body: "First line\nSecond line\nThird line"},
		}
	}
	tests := []struct {
		spec string
		want []story
	}{
		{"", in()},
		{"lead=2", []story{
			{id: "a", title: "Ferry Talks Resume", body: "One.\n\nTwo Harbour."},
			{id: "b", title: "Rain", body: "First line\nSecond line"}}},
		{"notitle,lower", []story{
			{id: "a", body: "one.\n\ntwo harbour.\n\nthree."},
			{id: "b", body: "first line\nsecond line\nthird line"}}},
		{"upper, lead=9", []story{
			{id: "a", title: "FERRY TALKS RESUME", body: "One.\n\nTwo Harbour.\n\nThree."},
			{id: "b", title: "RAIN", body: "First line\nSecond line\nThird line"}}},
	}
	for _, tt := range tests {
		got := in()
		if err := vary(got, tt.spec); err != nil {
			t.Fatalf("vary(%q): %v", tt.spec, err)
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(story{})); diff != "" {
			t.Errorf("vary(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
	for _, bad := range []string{"lead=0", "lead=x", "shuffle"} {
		if err := vary(in(), bad); err == nil || !strings.Contains(err.Error(), "--vary") {
			t.Errorf("vary(%q) error = %v, want one naming --vary", bad, err)
		}
	}
}
