package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store/sqlite"

	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
)

// TestMain lets the test binary run as the real program, so that a test can start Broadsheet as
// a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("BROADSHEET_TEST_RUN_MAIN") == "1" {
		ctx, stop := signalContext()
		defer stop()
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
		if f := os.Getenv("BROADSHEET_TEST_PEAK_FILE"); f != "" {
			writePeak(f)
		}
		os.Exit(code)
	}
	os.Exit(pgtest.Main(m, 0)) // stops the PostgreSQL cluster the tests started, if any
}

// writePeak writes this process's peak resident memory in KiB (VmHWM, of this program image
// only) to the file f, for a test that started it to read.
func writePeak(f string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			os.WriteFile(f, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB"))), 0o644)
			return
		}
	}
}

// TestAcknowledgedCommentsSurviveKill posts comments concurrently to a separate server process,
// kills it with SIGKILL right after the acknowledgements, and finds every acknowledged comment in
// the database afterwards.
func TestAcknowledgedCommentsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a separate server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "serve", "--data", dir, "--addr", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1/32")
	cmd.Env = append(os.Environ(), "BROADSHEET_TEST_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "is serving "); ok {
			base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			break
		}
	}
	if base == "" {
		t.Fatal("the server did not say where it serves")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	// Fetch a form per poster, wait out the minimum fill time, then post all at once.
	var open []string // stories that take comments
	for _, link := range storyLinks(parse(t, fetch(t, base+"/"))) {
		if strings.Contains(fetch(t, base+link), `id="commentform"`) {
			open = append(open, link)
		}
	}
	if len(open) == 0 {
		t.Fatal("no story takes comments")
	}
	const posters = 40
	forms := make([]url.Values, posters)
	for i := range forms {
		forms[i] = serverForm(t, base, open[i%len(open)])
		forms[i].Set("author", fmt.Sprintf("Reader %d", i))
		forms[i].Set("email", fmt.Sprintf("durable%d@example.org", i))
		forms[i].Set("comment", fmt.Sprintf("Durable comment %d.", i))
	}
	waitFillTime()
	var mu sync.Mutex
	var acked []int64
	var wg sync.WaitGroup
	for i, f := range forms {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, base+"/comments", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the kill may cut a request short; only acknowledged ones count
			}
			defer resp.Body.Close()
			var reply struct {
				ID int64 `json:"id"`
			}
			if resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&reply) == nil && reply.ID > 0 {
				mu.Lock()
				acked = append(acked, reply.ID)
				n := len(acked)
				mu.Unlock()
				if n == posters*3/4 {
					cmd.Process.Signal(syscall.SIGKILL) // mid-stream: some posts are in flight
				}
			} else {
				t.Errorf("post %d: status %d", i, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(acked) < posters*3/4 {
		t.Fatalf("only %d of %d posts were acknowledged", len(acked), posters)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "site.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer db.Close()
	for _, id := range acked {
		if _, err := db.Comment(context.Background(), id); err != nil {
			t.Errorf("acknowledged comment %d lost after SIGKILL: %v", id, err)
		}
	}
}

// waitFillTime waits out the comment form's minimum fill time on the real clock, for tests that
// run the program as a separate process.
func waitFillTime() { time.Sleep(3200 * time.Millisecond) }

// fetch returns the body of a GET.
func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&b)
	return b.String()
}
