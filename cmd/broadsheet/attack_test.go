package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

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
}

// startChild starts the real program with args as a separate process.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BROADSHEET_TEST_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &child{cmd: cmd, out: bufio.NewScanner(out)}
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

// peakRSS waits for the child to end and returns its peak resident memory in MB.
func (c *child) peakRSS(t *testing.T) (float64, error) {
	t.Helper()
	err := c.cmd.Wait()
	ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no resource usage on this system")
	}
	return float64(ru.Maxrss) / 1024, err // Linux reports KiB
}

// writeHugeWXR writes a WordPress export whose one story has a content:encoded of size bytes.
func writeHugeWXR(t *testing.T, path string, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Huge</title><link>https://huge.example</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>A fair story</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<content:encoded><![CDATA[<p>Fine.</p>]]></content:encoded></item>
<item><title>The huge one</title><wp:post_id>2</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<content:encoded><![CDATA[`)
	para := []byte("<p>All work and no play makes Jack a dull boy, again and again.</p>\n")
	for n := 0; n < size; n += len(para) {
		w.Write(para)
	}
	fmt.Fprint(w, "]]></content:encoded></item>\n</channel></rss>\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAttackHugeImportElement imports a WXR whose one element is 64 MB (500 MB with -long) in a
// separate process: it is refused with its line and column, the database keeps nothing of the
// file, and the process's peak memory stays bounded.
func TestAttackHugeImportElement(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a separate process; skipped with -short")
	}
	t.Parallel()
	size := 64 << 20
	if *long {
		size = 500 << 20
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "huge.xml")
	writeHugeWXR(t, file, size)
	c := startChild(t, "import", "--data", filepath.Join(dir, "site"), file)
	var out strings.Builder
	for c.out.Scan() {
		out.WriteString(c.out.Text() + "\n")
	}
	rss, err := c.peakRSS(t)
	t.Logf("import of a %d MB element: peak RSS %.0f MB", size>>20, rss)
	if err == nil || !strings.Contains(out.String(), "line 7, column 18") || !strings.Contains(out.String(), "longer than 4 MB") {
		t.Errorf("import of a %d MB element: %v\n%s\nwant a refusal at line 7, column 18", size>>20, err, out.String())
	}
	if rss > 150 {
		t.Errorf("import of a %d MB element took %.0f MB at its peak, want under 150 MB", size>>20, rss)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "site", "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ArticleBySlug(context.Background(), "a-fair-story"); err == nil {
		t.Error("the refused import kept its first story: the database changed")
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
