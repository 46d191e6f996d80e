package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// long runs the attack suite at full size: a 500 MB import element and 100 SIGKILL cycles
// (go test ./cmd/broadsheet -run Attack -long).
var long = flag.Bool("long", false, "run the attack suite at full size (500 MB import element, 100 SIGKILL cycles)")

// child is the program run as a separate process by the test binary (see TestMain).
type child struct {
	cmd  *exec.Cmd
	out  *bufio.Scanner
	base string // the address it serves, for serve
	peak string // the file where the child writes its peak memory as it exits
}

// startChild starts the real program with args as a separate process.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	peak := filepath.Join(t.TempDir(), "peak")
	cmd.Env = append(os.Environ(), "BROADSHEET_TEST_RUN_MAIN=1", "BROADSHEET_TEST_PEAK_FILE="+peak)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &child{cmd: cmd, out: bufio.NewScanner(out), peak: peak}
}

// serveChild starts "broadsheet serve" on dir, trusting X-Forwarded-For from the test, and
// waits until it serves.
func serveChild(t *testing.T, dir string, extra ...string) *child {
	t.Helper()
	c := startChild(t, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1/32"}, extra...)...)
	for c.out.Scan() {
		if _, rest, ok := strings.Cut(c.out.Text(), "is serving "); ok {
			c.base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			break
		}
	}
	if c.base == "" {
		t.Fatal("the server did not say where it serves")
	}
	go func() {
		for c.out.Scan() {
		}
	}()
	return c
}

// peakRSS waits for the child to end and returns its peak resident memory in MB, as the child
// itself read it (VmHWM) on its way out. The kernel's resource usage of a child is no use here:
// a child started by vfork and exec keeps, as its maximum, the parent's size at the fork, and
// the test binary is large while other tests run.
func (c *child) peakRSS(t *testing.T) (float64, error) {
	t.Helper()
	err := c.cmd.Wait()
	b, rerr := os.ReadFile(c.peak)
	if rerr != nil {
		t.Fatalf("the child did not report its peak memory: %v", rerr)
	}
	kb, perr := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if perr != nil {
		t.Fatalf("the child's peak memory %q: %v", b, perr)
	}
	return kb / 1024, err
}

// hugeFile is an import file with one huge element: head, then a paragraph repeated to size,
// then tail. want is where the importer must say it starts.
type hugeFile struct {
	name, head, tail, want string
	para                   string
}

var hugeFiles = []hugeFile{
	{name: "wxr.xml", want: "line 7, column 18", para: "<p>All work and no play makes Jack a dull boy, again and again.</p>\n",
		head: `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Huge</title><link>https://huge.example</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>A fair story</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<content:encoded><![CDATA[<p>Fine.</p>]]></content:encoded></item>
<item><title>The huge one</title><wp:post_id>2</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<content:encoded><![CDATA[`,
		tail: "]]></content:encoded></item>\n</channel></rss>\n"},
	{name: "disqus.xml", want: "line 5, column 10", para: "All work and no play makes Jack a dull boy &amp; more. ",
		head: `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="t1"><id>x</id><link>https://huge.example/x/</link><title>X</title></thread>
<post dsq:id="p1"><id>p1</id><thread dsq:id="t1"/><author><name>A</name><email>a@example.org</email></author>
<message>`,
		tail: "</message><createdAt>2024-05-01T20:30:00Z</createdAt></post></disqus>\n"},
	{name: "feed.rss", want: "line 2, column 82", para: "All work and no play makes Jack a dull boy, again and again. ",
		head: `<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><link>https://huge.example/</link>
<item><title>The huge one</title><link>https://huge.example/1</link><description>`,
		tail: "</description></item></channel></rss>\n"},
	{name: "site.jsonl", want: "line 2, column 1", para: "All work and no play makes Jack a dull boy, again and again. ",
		head: `{"id": "c-1", "title": "Fine", "body": "Fine."}` + "\n" + `{"id": "c-2", "title": "Huge", "body": "`,
		tail: "\"}\n"},
}

// write writes the file with its huge element of size bytes into dir.
func (h hugeFile) write(t *testing.T, dir string, size int) string {
	t.Helper()
	path := filepath.Join(dir, h.name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(h.head)
	for n := 0; n < size; n += len(h.para) {
		w.WriteString(h.para)
	}
	w.WriteString(h.tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAttackHugeImportElement imports, in a separate process, a WordPress export, a Disqus
// export, a feed and a JSON Lines file, each with one 64 MB element (500 MB, and a 1 GB JSON line,
// with -long): each is refused with where the element starts, the database keeps nothing of it,
// and the process's peak memory stays bounded.
func TestAttackHugeImportElement(t *testing.T) {
	if testing.Short() {
		t.Skip("starts separate processes; skipped with -short")
	}
	t.Parallel()
	for _, h := range hugeFiles {
		t.Run(h.name, func(t *testing.T) {
			size := 64 << 20
			if *long {
				size = 500 << 20
				if strings.HasSuffix(h.name, ".jsonl") {
					size = 1 << 30
				}
			}
			dir := t.TempDir()
			file := h.write(t, dir, size)
			c := startChild(t, "import", "--data", filepath.Join(dir, "site"), file)
			var out strings.Builder
			for c.out.Scan() {
				out.WriteString(c.out.Text() + "\n")
			}
			rss, err := c.peakRSS(t)
			t.Logf("import of %s with a %d MB element: peak RSS %.0f MB", h.name, size>>20, rss)
			if err == nil || !strings.Contains(out.String(), h.want) || !strings.Contains(out.String(), "Nothing was imported") {
				t.Errorf("import of a %d MB element: %v\n%s\nwant a refusal naming %q", size>>20, err, out.String(), h.want)
			}
			if rss > 150 {
				t.Errorf("import of a %d MB element took %.0f MB at its peak, want under 150 MB", size>>20, rss)
			}
			db, err := sqlite.Open(context.Background(), filepath.Join(dir, "site", "site.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, n, err := db.ListComments(context.Background(), store.CommentQuery{}); err != nil || n != 0 {
				t.Errorf("the refused import left %d comments (%v): the database changed", n, err)
			}
			if _, err := db.ArticleBySlug(context.Background(), "fine"); err == nil {
				t.Error("the refused import kept its first story: the database changed")
			}
		})
	}
}

// TestAttackSignInFlood sends 200 sign-ins at once, each from its own address, to a separate
// server process: password hashing is bounded, so its peak memory stays bounded too.
func TestAttackSignInFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a separate process; skipped with -short")
	}
	t.Parallel()
	c := serveChild(t, t.TempDir(), "--demo=false")
	const flood = 200
	codes := make(map[int]int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range flood {
		wg.Go(func() {
			form := url.Values{"email": {fmt.Sprintf("person%d@example.org", i)}, "password": {"a wrong password"}}
			req, _ := http.NewRequest(http.MethodPost, c.base+"/admin/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250))
			<-start
			resp, err := http.DefaultClient.Do(req)
			code := 0
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	c.cmd.Process.Signal(syscall.SIGTERM)
	rss, _ := c.peakRSS(t)
	t.Logf("%d concurrent sign-ins: answers %v, peak RSS %.0f MB", flood, codes, rss)
	if codes[http.StatusUnauthorized]+codes[http.StatusServiceUnavailable] != flood {
		t.Errorf("answers %v, want every one 401 (checked) or 503 (busy)", codes)
	}
	if rss > 200 {
		t.Errorf("%d concurrent sign-ins took the server to %.0f MB, want under 200 MB", flood, rss)
	}
}

// TestAttackKillCycles starts a server process, posts comments and kills it with SIGKILL while
// posts are in flight, again and again (3 cycles; 100 with -long), on one data directory. Every
// start passes the start-up check, and every acknowledged comment is there at the end.
func TestAttackKillCycles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts separate processes; skipped with -short")
	}
	t.Parallel()
	cycles, perCycle := 3, 6
	if *long {
		cycles = 100
	}
	dir := t.TempDir()
	c := serveChild(t, dir)
	var open []string
	for _, link := range storyLinks(parse(t, fetch(t, c.base+"/"))) {
		if strings.Contains(fetch(t, c.base+link), `id="commentform"`) {
			open = append(open, link)
		}
	}
	if len(open) == 0 {
		t.Fatal("no story takes comments")
	}
	// Forms are signed with the site's stored secret, so they stay good across restarts.
	forms := make([]url.Values, cycles*perCycle)
	for i := range forms {
		forms[i] = serverForm(t, c.base, open[i%len(open)])
		forms[i].Set("author", fmt.Sprintf("Reader %d", i))
		forms[i].Set("email", fmt.Sprintf("cycle%d@example.org", i))
		forms[i].Set("comment", fmt.Sprintf("Comment %d, posted while the server is killed.", i))
	}
	waitFillTime()
	var acked []int64
	for cycle := range cycles {
		if cycle > 0 {
			c = serveChild(t, dir)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := cycle * perCycle; i < (cycle+1)*perCycle; i++ {
			wg.Go(func() {
				id, ok := postJSON(c.base, forms[i], fmt.Sprintf("203.0.%d.%d", 113+i/250, 1+i%250))
				if !ok {
					return
				}
				mu.Lock()
				acked = append(acked, id)
				if len(acked) == cycle*perCycle+perCycle/2 {
					c.cmd.Process.Signal(syscall.SIGKILL) // mid-stream
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
	if len(acked) < cycles*perCycle/2 {
		t.Fatalf("only %d of %d posts were acknowledged", len(acked), cycles*perCycle)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen after %d kills: %v", cycles, err)
	}
	defer db.Close()
	if problems, err := db.Check(context.Background(), false); err != nil || len(problems) > 0 {
		t.Errorf("integrity after %d kills: %v %v", cycles, problems, err)
	}
	for _, id := range acked {
		if _, err := db.Comment(context.Background(), id); err != nil {
			t.Errorf("acknowledged comment %d lost after SIGKILL: %v", id, err)
		}
	}
	t.Logf("%d SIGKILL cycles: %d comments acknowledged, all present", cycles, len(acked))
}

// postJSON posts a comment form as the page's script does and returns the new comment's ID
// when the server acknowledged it.
func postJSON(base string, form url.Values, addr string) (int64, bool) {
	req, _ := http.NewRequest(http.MethodPost, base+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false // the kill may cut a request short; only acknowledged ones count
	}
	defer resp.Body.Close()
	var reply struct {
		ID int64 `json:"id"`
	}
	ok := resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&reply) == nil && reply.ID > 0
	return reply.ID, ok
}

// TestAttackCrossSiteSweep sends every state-changing route the real program's router has, as
// another website's page would, with an administrator's session cookie and API token: every one
// is refused before its handler runs. The routes come from the router itself, so a new route
// cannot be left out.
func TestAttackCrossSiteSweep(t *testing.T) {
	t.Parallel()
	m, _ := startMain(t)
	cookie := benchSession(t, m)
	var admin *account.User
	if users, err := m.Store.Users(t.Context()); err == nil && len(users) > 0 {
		admin = &users[0]
	}
	token, hash := account.NewToken(account.APITokenPrefix)
	if err := m.Store.CreateAPIToken(t.Context(), &account.APIToken{UserID: admin.ID, Name: "sweep", TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	wild := regexp.MustCompile(`\{[^}]*\}`)
	swept := 0
	for _, pattern := range m.Server.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = http.MethodPost, pattern
		}
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		path = wild.ReplaceAllString(strings.ReplaceAll(path, "{$}", ""), "1")
		swept++
		for _, origin := range []string{"https://evil.example", "null"} {
			req, _ := http.NewRequest(method, m.URL()+path, strings.NewReader("title=pwned&status=published&content=pwned"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Authorization", "Bearer "+token)
			req.AddCookie(cookie)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "came from another website") {
				t.Errorf("%s %s from %s = %d, want 403 refused as cross-site", method, path, origin, resp.StatusCode)
			}
		}
	}
	if swept < 50 {
		t.Errorf("swept %d state-changing routes, want the 50 or more the router has", swept)
	}
	t.Logf("%d state-changing routes, each refused from another site", swept)
}
