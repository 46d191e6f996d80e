package web

import (
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/highlight"
)

// TestCodeStyles checks that the site's style sheet colours every token class that
// highlight.HTML writes into stories' code blocks. When the highlighter changes, copy
// highlight.CSS(".story-body pre") to the end of static/style.css.
func TestCodeStyles(t *testing.T) {
	t.Parallel()
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	want := highlight.CSS(".story-body pre")
	if want == "" || !strings.Contains(string(css), want) {
		t.Errorf("static/style.css lacks the code colours of highlight.CSS(%q)", ".story-body pre")
	}
}
