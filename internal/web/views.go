package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames lists every page template; parseViews fails at start-up if one is missing or broken.
var pageNames = []string{"home", "story", "archive", "search", "error", "message"}

// views holds one parsed template set per page, each with the shared layout and partials.
type views struct {
	pages map[string]*template.Template
	// buffers are reused between renders, so that a page is built in a buffer already grown
	// to a page's size and copied out once at its exact size.
	buffers sync.Pool
}

func parseViews(funcs template.FuncMap) (*views, error) {
	shared, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		files := append([]string{"templates/" + name + ".html"}, shared...)
		t, err := template.New(name+".html").Funcs(funcs).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	if err := v.parseAdmin(funcs); err != nil {
		return nil, err
	}
	return v, nil
}

// render executes the page template name with data into a fresh buffer.
func (v *views) render(name string, data any) ([]byte, error) {
	t := v.pages[name]
	if t == nil {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	buf, _ := v.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= 1<<20 { // a huge page's buffer is not kept
			buf.Reset()
			v.buffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return s.assets.url(name) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.cfg.Location).Format("2 January 2006")
		},
		"tokenLifetimes": func() []int { return tokenLifetimes },
		"datetime":       s.datetime,
		"commentsHTML":   s.commentsHTML,
		// focus names the classes that keep a library picture's focal point in view where a
		// layout crops it.
		"focus": func(it *media.Item) string { return focusClass(it.FocusX, it.FocusY) },
		"inc":   func(i int) int { return i + 1 },
		"iso":   s.iso,
		"highlight": func(snippet string) template.HTML {
			esc := template.HTMLEscapeString(snippet)
			esc = strings.ReplaceAll(esc, string(store.HighlightStart), "<mark>")
			esc = strings.ReplaceAll(esc, string(store.HighlightEnd), "</mark>")
			return template.HTML(esc)
		},
	}
}

// datetime is a date and time as pages show it, in the newsroom's zone; "" for the zero time.
func (s *Server) datetime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.cfg.Location).Format("2 January 2006, 15:04 MST")
}

// iso is a time in RFC 3339, in the newsroom's zone, for datetime attributes and metadata.
func (s *Server) iso(t time.Time) string { return t.In(s.cfg.Location).Format(time.RFC3339) }
