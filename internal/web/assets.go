package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The story editor's visual mode (static/editor.js and editor.css) is built from editor/ with
// npm and esbuild, and committed, so that building the site needs no Node.
//go:generate sh -c "cd editor && npm ci --no-audit --no-fund && npm run build"

//go:embed static
var staticFiles embed.FS

// assets serves the embedded static files under checksummed names (/static/style.3f2a9c1e.css)
// that may be cached for a year, since a changed file gets a new name.
type assets struct {
	byName map[string]string    // "style.css" → "/static/style.3f2a9c1e.css"
	files  map[string]*response // "/static/style.3f2a9c1e.css" → contents
	sizes  map[string][2]int    // "demo/harbour.svg" → its intrinsic width and height
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string]*response{}, sizes: map[string][2]int{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		r := newResponse(http.StatusOK, ct, b)
		r.cacheControl = "public, max-age=31536000, immutable"
		a.byName[name], a.files[url] = url, r
		if ext == ".svg" {
			if w, h, err := svgSize(b); err == nil {
				a.sizes[name] = [2]int{w, h}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// url is the checksummed address of a static file; it panics on an unknown name, which the
// start-up render of every template catches.
func (a *assets) url(name string) string {
	u, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return u
}

// serveStatic answers GET /static/{file}. Unversioned names redirect to the current version.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	if resp := s.assets.files[r.URL.Path]; resp != nil {
		resp.write(w, r)
		return
	}
	if u, ok := s.assets.byName[strings.TrimPrefix(r.URL.Path, "/static/")]; ok {
		http.Redirect(w, r, u, http.StatusFound)
		return
	}
	s.notFound(w, r)
}
