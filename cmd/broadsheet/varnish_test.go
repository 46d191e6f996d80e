package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// varnishWait bounds the wait for Varnish to start; it is
// generous because CI's two cores are shared.
const varnishWait = 60 * time.Second

// freePort returns a loopback port nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startVarnish runs Debian's varnishd on port in front of backend (host:port) with
// testdata/varnish.vcl, and stops it when the test ends.
func startVarnish(t *testing.T, varnishd string, port int, backend string) string {
	t.Helper()
	host, bport, _ := net.SplitHostPort(backend)
	dir := t.TempDir()
	tmpl := template.Must(template.ParseFiles(filepath.Join("testdata", "varnish.vcl")))
	f, err := os.Create(filepath.Join(dir, "site.vcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tmpl.Execute(f, map[string]string{"Host": host, "Port": bport}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(varnishd, "-F", "-j", "none", "-n", filepath.Join(dir, "work"),
		"-a", fmt.Sprintf("127.0.0.1:%d", port), "-f", filepath.Join(dir, "site.vcl"), "-s", "malloc,32m",
		"-p", "ban_lurker_sleep=0.01")
	out, err := os.Create(filepath.Join(dir, "varnishd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its worker child stops with it
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	})
	// Varnish answers a BAN itself, so it is ready before the site starts behind it.
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(varnishWait)
	for {
		req, _ := http.NewRequest("BAN", base+"/", nil)
		req.Header.Set("X-Purge", "all")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "varnishd.log"))
			t.Fatalf("varnishd did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// viaCache fetches path through the cache and returns the answer's X-Cache, Surrogate-Key and body.
func viaCache(t *testing.T, base, path string) (cache, keys, body string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s through Varnish: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s through Varnish: %d\n%.300s", path, resp.StatusCode, b)
	}
	return resp.Header.Get("X-Cache"), resp.Header.Get("Surrogate-Key"), string(b)
}

// TestBehindVarnish runs the site behind a real Varnish: story pages are cache hits, a reader
// comments through the cache, and an approved comment or an edit purges exactly the pages that
// show it, while the others stay cached.
func TestBehindVarnish(t *testing.T) {
	t.Parallel()
	varnishd, err := exec.LookPath("varnishd")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/varnishd"); err != nil {
			t.Skip("varnishd is not installed (apt-get install varnish; .ci/run installs it): the test behind a real Varnish cannot run")
		}
		varnishd = "/usr/sbin/varnishd"
	}
	// Varnish first, so that the site's first purges find it.
	port, site := freePort(t), fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := startVarnish(t, varnishd, port, site)
	m, clk := startMainWith(t, func(c *Config) {
		c.Addr = site
		c.Purge = fmt.Sprintf("varnish://127.0.0.1:%d", port)
		c.Shared.SMaxAge = time.Hour
	})

	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)
	settle(t, m)
	// The pages watched: the story, the front page, and other stories' and sections' pages, each
	// cached; after each write, those that show nothing it changed must still be cache hits.
	list, _, err := m.Store.ListArticles(t.Context(), store.ArticleQuery{LiveAt: m.Now(), Kind: article.Story})
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{path, "/"}
	for _, x := range list {
		if x.ID != a.ID {
			pages = append(pages, x.Path(time.UTC), "/section/"+x.Section.Slug+"/")
		}
	}
	cached := map[string]string{} // page → its surrogate keys
	for _, p := range pages {
		viaCache(t, base, p)
		cache, keys, _ := viaCache(t, base, p)
		if cache != "HIT" {
			t.Errorf("GET %s a second time through Varnish: X-Cache %q, want HIT", p, cache)
		}
		cached[p] = keys
	}
	_, keys, page := viaCache(t, base, path)
	for _, k := range []string{fmt.Sprintf("story-%d", a.ID), fmt.Sprintf("comments-%d", a.ID)} {
		if !strings.Contains(" "+keys+" ", " "+k+" ") {
			t.Errorf("story page Surrogate-Key %q lacks %q", keys, k)
		}
	}
	// untouched checks that the pages showing nothing changed since seq are still cached.
	untouched := func(what string, seq int64, wantKept bool) {
		t.Helper()
		changes, _, err := m.Store.ChangesSince(t.Context(), seq, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		changed := map[string]bool{}
		for _, c := range changes {
			changed[web.SurrogateKey(c.Key)] = true
		}
		kept := 0
		for p, keys := range cached {
			shows := false
			for _, k := range strings.Fields(keys) {
				shows = shows || changed[k]
			}
			if shows {
				delete(cached, p) // purged, or due to be
				continue
			}
			kept++
			if cache, _, _ := viaCache(t, base, p); cache != "HIT" {
				t.Errorf("after %s, %s (keys %q) was purged though it shows nothing that changed", what, p, keys)
			}
		}
		if kept == 0 && wantKept {
			t.Errorf("after %s, no watched page was left to stay cached", what)
		}
	}

	// A reader comments through the cache: the page from the cache, a token of their own.
	form := commentForm(t, page)
	tokens := map[string]bool{}
	for range 2 {
		resp, err := http.Get(base + "/comments/token?story=" + form.Get("article_id"))
		if err != nil {
			t.Fatal(err)
		}
		var tok formTokenReply
		json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if resp.Header.Get("X-Cache") == "HIT" || tok.Token == "" {
			t.Fatalf("GET /comments/token through Varnish: X-Cache %q, token %q; want a fresh one", resp.Header.Get("X-Cache"), tok.Token)
		}
		tokens[tok.Token] = true
		form.Set("token", tok.Token)
	}
	if len(tokens) != 2 {
		t.Error("two readers got the same form token through the cache")
	}
	form.Set("author", "Ada Reader")
	form.Set("email", "ada@example.org")
	form.Set("comment", "Posted through the cache.")
	clk.Add(20 * time.Second)
	settle(t, m)
	before := latestChange(t, m)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/comments", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment through Varnish: %d, want 303", resp.StatusCode)
	}
	id := commentID(t, resp.Header.Get("Location"))

	// Held for moderation, it changes no public page: nothing is purged.
	settle(t, m)
	if changes, _, err := m.Store.ChangesSince(t.Context(), before, 10_000); err != nil || len(changes) != 0 {
		t.Errorf("a held comment logged changes %v (err %v); want none", changes, err)
	}
	for p, keys := range cached {
		if cache, _, _ := viaCache(t, base, p); cache != "HIT" {
			t.Errorf("after a held comment, %s (keys %q) was purged", p, keys)
		}
	}

	// Approving it purges the story page, and only what shows it: the front and section pages
	// showing the story (they show its comment count), not the others.
	seq := latestChange(t, m)
	if _, err := m.Store.SetCommentStatus(t.Context(), []int64{id}, comment.Approved); err != nil {
		t.Fatal(err)
	}
	waitThroughCache(t, base, path, "Posted through the cache.")
	settle(t, m)
	untouched("approving a comment", seq, true)
	sectionKept := false
	for p := range cached {
		sectionKept = sectionKept || strings.HasPrefix(p, "/section/")
	}
	if !sectionKept {
		t.Error("approving a comment purged every section page, though some do not show its story")
	}

	// An edit purges the story page and the front page, and only what shows the story.
	seq = latestChange(t, m)
	a.Title = "Edited behind the cache"
	if err := m.Store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	waitThroughCache(t, base, path, a.Title)
	waitThroughCache(t, base, "/", a.Title)
	settle(t, m)
	untouched("editing the story", seq, false) // every demo story lists it among its related stories
	if cache, _, _ := viaCache(t, base, path); cache != "HIT" {
		if cache, _, _ = viaCache(t, base, path); cache != "HIT" {
			t.Errorf("the story page is not cached again after its purge: X-Cache %q", cache)
		}
	}
}

func latestChange(t *testing.T, m *Main) int64 {
	t.Helper()
	seq, err := m.Store.LatestChange(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// settle waits until the background jobs (the related-stories follower) stop writing, and the
// purges of what they wrote have had time to go out, so that a test can tell which pages a
// write of its own purges.
func settle(t *testing.T, m *Main) {
	t.Helper()
	last, quiet := latestChange(t, m), 0
	for quiet < 5 {
		time.Sleep(100 * time.Millisecond)
		if seq := latestChange(t, m); seq != last {
			last, quiet = seq, 0
		} else {
			quiet++
		}
	}
}

// formTokenReply is the answer of GET /comments/token.
type formTokenReply struct {
	Token string `json:"token"`
}

// waitThroughCache fetches path through the cache until it shows want: the purge is sent in
// the background, so it arrives a little after the write.
func waitThroughCache(t *testing.T, base, path, want string) {
	t.Helper()
	waitFor(t, path+" showing "+want+" through Varnish (the purge did not arrive)", func() bool {
		_, _, body := viaCache(t, base, path)
		return strings.Contains(body, htmlEscape(want))
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
