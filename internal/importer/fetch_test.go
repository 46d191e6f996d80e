package importer_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/importer"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// jpegOf returns a grey JPEG of w×h pixels.
func jpegOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oldSite is a WordPress site's uploads folder over real HTTP, with the ways such a site fails:
// a missing file, a file that never comes, one over the size limit (declared, or not), a "not
// found" page answered with 200, a server error that passes on a second try, and a server
// error that never does. It counts requests by path and the most in flight at once.
type oldSite struct {
	*httptest.Server
	mu          sync.Mutex
	asked       map[string]int
	inFlight    atomic.Int32
	maxInFlight atomic.Int32
	release     chan struct{} // closed when the test ends: the slow file's request returns
}

func newOldSite(t *testing.T) *oldSite {
	t.Helper()
	s := &oldSite{asked: map[string]int{}, release: make(chan struct{})}
	files := map[string][]byte{
		"/wp-content/uploads/2019/05/harbour.jpg":  jpegOf(t, 900, 600),
		"/wp-content/uploads/2019/05/relative.jpg": jpegOf(t, 400, 300),
		"/wp-content/uploads/2019/06/flaky.jpg":    jpegOf(t, 500, 300),
		"/wp-content/uploads/2019/06/fine.jpg":     jpegOf(t, 300, 500),
	}
	for i := range 6 {
		files["/wp-content/uploads/2020/01/p"+strconv.Itoa(i)+".jpg"] = jpegOf(t, 200+i, 100)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxInFlight.Load()
			if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		s.mu.Lock()
		s.asked[r.URL.Path]++
		tries := s.asked[r.URL.Path]
		s.mu.Unlock()
		switch path := r.URL.Path; {
		case strings.HasSuffix(path, "/slow.jpg"):
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpegOf(t, 10, 10)[:100])
			w.(http.Flusher).Flush()
			select { // the rest never comes
			case <-r.Context().Done():
			case <-s.release:
			}
		case strings.HasSuffix(path, "/huge.jpg"):
			w.Header().Set("Content-Length", strconv.Itoa(200<<20))
			w.Header().Set("Content-Type", "image/jpeg")
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(path, "/endless.jpg"): // no length given: the limit stops the reading
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpegOf(t, 10, 10)[:200])
			chunk := make([]byte, 64<<10)
			for range 64 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case strings.HasSuffix(path, "/page.jpg"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>Not found</title><p>Sorry, nothing here."))
		case strings.HasSuffix(path, "/broken.jpg"):
			http.Error(w, "database error", http.StatusInternalServerError)
		case strings.HasSuffix(path, "/flaky.jpg") && tries == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case files[path] != nil:
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(files[path])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(func() { close(s.release); s.Close() })
	return s
}

func (s *oldSite) requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[path]
}

func (s *oldSite) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.asked {
		n += c
	}
	return n
}

// TestFetchMedia downloads a site's pictures over HTTP: what the old site has moves into the
// library and its old addresses redirect, as with a copy of the uploads folder; each way a file
// can fail is listed with its reason and never stops the rest; a second run asks the old site
// only for what is still missing.
func TestFetchMedia(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := newStore(t)
	files, _ := media.NewDir(t.TempDir())
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320, 640}}, MaxBytes: 1 << 20}
	site := newOldSite(t)
	old := site.URL + "/wp-content/uploads/"

	bodies := map[string]string{
		"strike": `<img src="` + old + `2019/05/harbour-300x200.jpg" alt="Boats"> <img src="/wp-content/uploads/2019/05/relative.jpg">`,
		"broken": `<img src="` + old + `2019/06/gone.jpg"> <img src="` + old + `2019/06/slow.jpg"> <img src="` + old + `2019/06/huge.jpg">` +
			` <img src="` + old + `2019/06/endless.jpg"> <img src="` + old + `2019/06/page.jpg"> <img src="` + old + `2019/06/broken.jpg">` +
			` <img src="` + old + `2019/06/flaky.jpg"> <img src="` + old + `2019/06/fine.jpg">`,
	}
	var many strings.Builder
	for i := range 6 {
		many.WriteString(`<img src="` + old + `2020/01/p` + strconv.Itoa(i) + `.jpg"> `)
	}
	bodies["many"] = many.String()
	ids := map[string]int64{}
	for slug, body := range bodies {
		a := &article.Article{Kind: article.Story, Slug: slug, Title: "Story " + slug, Status: article.Published,
			PublishedAt: time.Date(2019, 5, 2, 9, 0, 0, 0, time.UTC), Body: body, BodyHTML: "<p>" + body + "</p>"}
		if slug == "strike" {
			a.ImageURL = old + "2019/05/harbour.jpg"
		}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids[slug] = a.ID
	}

	fetcher := &importer.Fetcher{Base: site.URL + "/", Concurrency: 2, Timeout: time.Second, MaxBytes: lib.Limit(),
		Attempts: 2, Backoff: time.Millisecond}
	var progress []importer.MediaProgress
	sum, err := importer.ImportMedia(ctx, db, lib, fetcher, importer.MediaOptions{
		Progress: func(p importer.MediaProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	// harbour, relative, flaky, fine and p0–p5 come; gone, slow, huge, endless, page and broken do not.
	if sum.Fetched != 10 || sum.Added != 10 || sum.Skipped != 0 || sum.Stories != 3 || len(sum.Missing) != 6 {
		t.Errorf("summary = %+v; want 10 fetched and added, 3 stories, 6 missing", sum)
	}
	for name, reason := range map[string]string{
		"gone.jpg": "404 Not Found", "slow.jpg": "no whole answer within 1s", "huge.jpg": "more than 1 MB",
		"endless.jpg": "more than 1 MB", "page.jpg": `not a picture: the old site answered "text/html; charset=utf-8"`,
		"broken.jpg": "500 Internal Server Error (tried 2 times)",
	} {
		u := old + "2019/06/" + name
		if got := sum.Reasons[u]; !strings.Contains(got, reason) {
			t.Errorf("reason for %s = %q, want it to say %q", name, got, reason)
		}
		if got := sum.Missing[u]; len(got) != 1 || got[0] != "Story broken" {
			t.Errorf("stories of missing %s = %q, want [Story broken]", name, got)
		}
	}
	if n := site.requests("/wp-content/uploads/2019/06/huge.jpg"); n != 1 {
		t.Errorf("huge.jpg asked for %d times, want 1: a declared size over the limit is final", n)
	}
	if n := site.requests("/wp-content/uploads/2019/06/gone.jpg"); n != 1 {
		t.Errorf("gone.jpg asked for %d times, want 1: 404 is final", n)
	}
	if n := site.requests("/wp-content/uploads/2019/05/harbour-300x200.jpg"); n != 0 {
		t.Errorf("the resized copy was asked for %d times, want 0: its original came", n)
	}
	if m := site.maxInFlight.Load(); m > 2 {
		t.Errorf("%d requests at once, want at most 2 (Concurrency)", m)
	}
	if len(progress) == 0 || progress[len(progress)-1] != (importer.MediaProgress{Done: 16, Total: 16, Fetched: 10, Failed: 6}) {
		t.Errorf("last progress = %+v, want 16 of 16 done, 10 fetched, 6 failed", progress[len(progress)-1:])
	}

	strike, _ := db.Article(ctx, ids["strike"])
	hash := media.HashFromURL(strike.ImageURL)
	if hash == "" || strings.Contains(strike.BodyHTML, "wp-content") || !strings.Contains(strike.BodyHTML, "/media/"+hash+"/harbour-320.jpg") {
		t.Errorf("strike after fetching: image %q, html %q", strike.ImageURL, strike.BodyHTML)
	}
	broken, _ := db.Article(ctx, ids["broken"])
	if !strings.Contains(broken.BodyHTML, old+"2019/06/gone.jpg") || strings.Contains(broken.BodyHTML, old+"2019/06/fine.jpg") {
		t.Errorf("broken story: missing pictures keep their addresses, found ones move: %q", broken.BodyHTML)
	}
	for _, from := range []string{"/wp-content/uploads/2019/05/harbour.jpg", "/wp-content/uploads/2019/05/harbour-300x200.jpg",
		"/wp-content/uploads/2019/05/relative.jpg", "/wp-content/uploads/2019/06/flaky.jpg"} {
		if to, err := db.Redirect(ctx, from); err != nil || !strings.HasPrefix(to, "/media/") {
			t.Errorf("Redirect(%s) = %q, %v; want a library address", from, to, err)
		}
	}

	// The stories are imported again (their bodies back to the old addresses): the second run
	// takes what it has from the library and asks the old site only for what is missing.
	for slug, body := range bodies {
		a, _ := db.Article(ctx, ids[slug])
		a.Body, a.BodyHTML = body, "<p>"+body+"</p>"
		if err := db.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	before := site.total()
	again, err := importer.ImportMedia(ctx, db, lib, fetcher, importer.MediaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Fetched != 0 || again.Added != 0 || again.Skipped != 10 || len(again.Missing) != 6 || again.Stories != 3 {
		t.Errorf("second run = %+v; want 10 skipped, nothing fetched, 6 still missing, 3 stories rewritten", again)
	}
	// gone, huge, endless, page: once each (final answers); slow and broken: twice each.
	if n := site.total() - before; n != 8 {
		t.Errorf("second run asked the old site %d times, want 8: only for the 6 missing files", n)
	}
	if _, n, _ := db.ListMedia(ctx, store.MediaQuery{}); n != 10 {
		t.Errorf("%d library items, want 10", n)
	}
}

// TestFetchAddress resolves where each picture is fetched from.
func TestFetchAddress(t *testing.T) {
	t.Parallel()
	site := newOldSite(t)
	for _, tc := range []struct{ base, folder, rel, want string }{
		{site.URL + "/blog/", "/wp-content/uploads/", "2019/05/harbour.jpg", ""},
		{site.URL + "/blog/", "", "2019/05/harbour.jpg", "404"}, // under the base's folder: /blog/wp-content/…
		{"", "/wp-content/uploads/", "2019/05/harbour.jpg", "no --old-base-url"},
		{"", site.URL + "/wp-content/uploads/", "2019/05/harbour.jpg", ""},
		{"", "ftp://example.org/wp-content/uploads/", "x.jpg", "not an http or https address"},
	} {
		f := &importer.Fetcher{Base: tc.base, Attempts: 1}
		_, err := f.Read(t.Context(), tc.rel, tc.folder)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Fetcher{Base: %q}.Read(%q, %q) = %v, want %q", tc.base, tc.rel, tc.folder, err, tc.want)
		}
	}
}

// TestFetchMediaResumes interrupts a fetch after three pictures: the next run takes those
// from the library without asking the old site again, and fetches the rest.
func TestFetchMediaResumes(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	files, _ := media.NewDir(t.TempDir())
	lib := &media.Library{Files: files, Options: media.Options{Widths: []int{320}}}
	site := newOldSite(t)
	var body strings.Builder
	for i := range 6 {
		body.WriteString(`<img src="` + site.URL + `/wp-content/uploads/2020/01/p` + strconv.Itoa(i) + `.jpg"> `)
	}
	a := &article.Article{Kind: article.Story, Slug: "many", Title: "Many", Status: article.Published,
		PublishedAt: time.Date(2020, 1, 2, 9, 0, 0, 0, time.UTC), Body: body.String(), BodyHTML: body.String()}
	if err := db.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	fetcher := &importer.Fetcher{Concurrency: 1, Attempts: 1}
	ctx, cancel := context.WithCancel(t.Context())
	_, err := importer.ImportMedia(ctx, db, lib, fetcher, importer.MediaOptions{Progress: func(p importer.MediaProgress) {
		if p.Done == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted ImportMedia = %v, want context.Canceled", err)
	}
	before := site.total()
	sum, err := importer.ImportMedia(t.Context(), db, lib, fetcher, importer.MediaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped != 3 || sum.Fetched != 3 || sum.Stories != 1 || len(sum.Missing) != 0 {
		t.Errorf("resumed run = %+v; want 3 skipped, 3 fetched, the story rewritten", sum)
	}
	if n := site.total() - before; n != 3 {
		t.Errorf("the resumed run asked the old site %d times, want 3", n)
	}
}
