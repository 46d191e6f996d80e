package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/sitegen"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// benchOptions are the bench command's settings.
type benchOptions struct {
	size       sitegen.Size
	data       string        // where the generated site is cached
	binary     string        // the broadsheet binary to measure
	duration   time.Duration // of each load run
	stories    int           // distinct stories crawled uncached
	levels     []string      // durability levels to post comments with
	nginx      bool
	out, diag  io.Writer
	serverLogs string // a file for the servers' output, or ""
}

// benchCmd runs `broadsheet bench`: it generates (once) a large synthetic site, starts the
// server on copies of it as a separate process and measures it with an in-process load
// generator (net/http clients with keep-alive), then prints one table.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "broadsheet bench [options]", stderr)
	size := fs.String("size", "large", "generated site: large (100k stories, 1M comments, 20k commenters) or small")
	o := benchOptions{out: stdout, diag: stderr}
	fs.StringVar(&o.data, "cache", filepath.Join(os.TempDir(), "broadsheet-bench"), "folder that keeps the generated site between runs")
	fs.StringVar(&o.binary, "binary", "", "broadsheet binary to measure (default: this one)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each load run")
	fs.IntVar(&o.stories, "stories", 2000, "distinct stories crawled for the uncached and memory rows")
	levels := fs.String("durability", "normal,full", "durability levels to post comments with")
	fs.BoolVar(&o.nginx, "nginx", true, "compare with nginx serving the same bytes, when nginx is installed")
	fs.StringVar(&o.serverLogs, "server-log", "", "file for the servers' output (default: discarded)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch *size {
	case "large":
		o.size = sitegen.Large
	case "small":
		o.size = sitegen.Small
	default:
		return usageError{fmt.Errorf("--size %q: want large or small", *size)}
	}
	for _, l := range strings.Split(*levels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			o.levels = append(o.levels, l)
		}
	}
	if o.binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		o.binary = exe
	}
	return bench(ctx, o)
}

// benchRow is one line of the table.
type benchRow struct{ measure, value, note string }

func bench(ctx context.Context, o benchOptions) error {
	start := time.Now()
	fmt.Fprintf(o.diag, "bench: preparing the %s site in %s (the first run generates it)…\n", o.size, o.data)
	src, err := sitegen.Cached(ctx, o.data, o.size, func(path string) (store.Store, error) {
		return sqlite.Open(ctx, path, sqlite.Options{})
	})
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "broadsheet-bench-run-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The binary measured brings the copy's schema up to date once, outside any measurement.
	base := filepath.Join(work, "base")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	if err := sitegen.Copy(src, filepath.Join(base, "site.db")); err != nil {
		return err
	}
	srv, err := o.start(ctx, base, "normal")
	if err != nil {
		return err
	}
	if err := srv.stop(); err != nil {
		return err
	}
	fmt.Fprintf(o.diag, "bench: site ready in %v\n", time.Since(start).Round(time.Millisecond))
	stories, err := benchTargets(ctx, filepath.Join(base, "site.db"), o.stories)
	if err != nil {
		return err
	}
	fresh := func(name string) (string, error) {
		dir := filepath.Join(work, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		return dir, sitegen.Copy(filepath.Join(base, "site.db"), filepath.Join(dir, "site.db"))
	}
	var rows []benchRow
	add := func(measure, value, note string) {
		rows = append(rows, benchRow{measure, value, note})
		fmt.Fprintf(o.diag, "bench: %s: %s %s\n", measure, value, note)
	}

	// Start-up, uncached pages, memory after the crawl: one fresh server.
	dir, err := fresh("read")
	if err != nil {
		return err
	}
	srv, err = o.start(ctx, dir, "normal")
	if err != nil {
		return err
	}
	add("start-up (exec to first page)", srv.startup.Round(time.Millisecond).String(), "")
	if err := srv.stop(); err != nil {
		return err
	}
	if srv, err = o.start(ctx, dir, "normal"); err != nil {
		return err
	}
	add("restart (exec to first page)", srv.startup.Round(time.Millisecond).String(), "after a clean stop")
	paths := make([]string, len(stories))
	for i, s := range stories {
		paths[i] = s.path
	}
	cpu := srv.cpu()
	r := hammerList(ctx, srv.url, paths, 16)
	add(fmt.Sprintf("uncached story pages, %d distinct, 16 clients", len(paths)), fmt.Sprintf("%.0f pages/s", r.rate()),
		joinNotes(perOp(srv.cpu()-cpu, r.ok, "page"), r.errNote()))
	for _, m := range []struct{ field, measure string }{
		{"VmHWM", fmt.Sprintf("peak RSS after crawling %d stories", len(paths))},
		{"VmRSS", "RSS then (related index loaded, the crawl's pages cached)"},
	} {
		if kb, err := procStatus(srv.cmd.Process.Pid, m.field); err == nil {
			add(m.measure, fmt.Sprintf("%.0f MB", float64(kb)/1024), "")
		} else {
			add(m.measure, "n/a", err.Error())
		}
	}
	story := srv.url + paths[0]
	r = hammerURL(ctx, story, 64, o.duration)
	add("cached story page, 64 clients", fmt.Sprintf("%.0f req/s", r.rate()), r.errNote())
	ours := r.rate()
	if o.nginx {
		if theirs, err := nginxRate(ctx, story, 64, o.duration); err != nil {
			add("nginx, the same bytes, 64 clients", "n/a", err.Error())
		} else {
			add("nginx, the same bytes, 64 clients", fmt.Sprintf("%.0f req/s", theirs), fmt.Sprintf("Broadsheet/nginx = %.2f×", ours/theirs))
		}
	}
	r = hammerURL(ctx, srv.url+"/", 64, o.duration)
	add("cached front page, 64 clients", fmt.Sprintf("%.0f req/s", r.rate()), r.errNote())
	if err := srv.stop(); err != nil {
		return err
	}

	// Comment posts at each durability level, each on its own copy.
	for _, level := range o.levels {
		dir, err := fresh("posts-" + level)
		if err != nil {
			return err
		}
		srv, err := o.start(ctx, dir, level)
		if err != nil {
			return err
		}
		secret, err := benchSecret(ctx, filepath.Join(dir, "site.db"))
		if err != nil {
			srv.stop()
			return err
		}
		var seq atomic.Int64
		for _, posters := range []int{1, 16, 64} {
			cpu := srv.cpu()
			r := hammerPosts(ctx, srv.url, stories, secret, &seq, posters, o.duration)
			add(fmt.Sprintf("comment posts, %s, %d posters", level, posters), fmt.Sprintf("%.0f posts/s", r.rate()),
				joinNotes(fmt.Sprintf("p50 %v, p99 %v", r.pct(50), r.pct(99)), perOp(srv.cpu()-cpu, r.ok, "post"), r.errNote()))
		}
		if err := srv.stop(); err != nil {
			return err
		}
	}

	fmt.Fprintf(o.out, "Broadsheet bench: %s site (%d stories, %d comments, %d commenters), %v runs\n\n",
		o.size, o.size.Stories, o.size.Comments, o.size.Commenters, o.duration)
	tw := tabwriter.NewWriter(o.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tresult\tnote")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.measure, r.value, r.note)
	}
	return tw.Flush()
}

// benchServer is a broadsheet server process under measurement.
type benchServer struct {
	cmd     *exec.Cmd
	url     string
	startup time.Duration
	log     *os.File
}

// start runs `broadsheet serve` on the site in dir and waits until it answers a page.
func (o benchOptions) start(ctx context.Context, dir, durability string) (*benchServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"serve", "--addr", addr, "--data", dir, "--demo=false", "--trusted-proxy", "127.0.0.1"}
	if durability != "normal" {
		// A build without the flag runs at its only level, normal.
		args = append(args, "--durability", durability)
	}
	s := &benchServer{cmd: exec.CommandContext(ctx, o.binary, args...), url: "http://" + addr}
	if o.serverLogs != "" {
		if s.log, err = os.OpenFile(o.serverLogs, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return nil, err
		}
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	}
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for {
		resp, err := http.Get(s.url + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(begin) > 5*time.Minute || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("the server on %s did not start (see --server-log)", dir)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.startup = time.Since(begin)
	return s, nil
}

// stop ends the server gracefully.
func (s *benchServer) stop() error {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		err = <-done
	}
	if s.log != nil {
		s.log.Close()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // stopped by the signal
	}
	return err
}

// cpu is the processor time the server has used so far (user and system), or 0 where /proc
// cannot tell.
func (s *benchServer) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime and stime are the
	// 12th and 13th, in clock ticks (100 a second on Linux).
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// perOp notes the server's processor time per operation: what bounds the rate on a machine
// whose processors the server has to itself, whatever else the measuring machine runs.
func perOp(cpu time.Duration, n int, op string) string {
	if cpu <= 0 || n == 0 {
		return ""
	}
	return fmt.Sprintf("server CPU %v/%s", (cpu / time.Duration(n)).Round(time.Microsecond), op)
}

// joinNotes joins the non-empty notes with "; ".
func joinNotes(notes ...string) string {
	return strings.Join(slices.DeleteFunc(notes, func(n string) bool { return n == "" }), "; ")
}

// benchTarget is a story to read and comment on.
type benchTarget struct {
	id   int64
	path string
}

// benchTargets returns n stories of the site file, newest first, past the newest tenth: the
// generator gives the newest stories thousands of comments each, and these a dozen or so, as an
// ordinary story has.
func benchTargets(ctx context.Context, path string, n int) ([]benchTarget, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT id, slug, published_at FROM articles WHERE kind = 'story' AND status = 'published'
		ORDER BY published_at DESC LIMIT ? OFFSET (SELECT COUNT(*) / 10 FROM articles)`, n)
	if err != nil {
		return nil, fmt.Errorf("bench: stories: %w", err)
	}
	defer rows.Close()
	var list []benchTarget
	for rows.Next() {
		var s benchTarget
		var slug string
		var pub int64
		if err := rows.Scan(&s.id, &slug, &pub); err != nil {
			return nil, err
		}
		s.path = article.Permalink(article.Story, slug, time.UnixMicro(pub), time.UTC)
		list = append(list, s)
	}
	if len(list) == 0 {
		return nil, errors.New("bench: the site has no story")
	}
	return list, rows.Err()
}

// benchSecret reads the key the server signs comment forms with.
func benchSecret(ctx context.Context, path string) ([]byte, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var secret []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = 'comments'`).Scan(&secret); err != nil {
		return nil, fmt.Errorf("bench: the comment form key: %w", err)
	}
	return secret, nil
}

// loadResult is what a load run measured.
type loadResult struct {
	ok, failed int
	elapsed    time.Duration
	lat        []time.Duration
	firstErr   string
}

func (r loadResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r loadResult) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, len(r.lat)*p/100)].Round(10 * time.Microsecond)
}

func (r loadResult) errNote() string {
	if r.failed == 0 {
		return ""
	}
	return fmt.Sprintf("%d failed (%s)", r.failed, r.firstErr)
}

// loadRunner runs clients goroutines, each calling do in a loop until next says stop, over one
// keep-alive transport.
func loadRunner(ctx context.Context, clients int, next func() (int, bool), do func(c *http.Client, i int) (bool, string)) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i, ok := next()
				if !ok {
					return
				}
				t := time.Now()
				good, why := do(client, i)
				d := time.Since(t)
				mu.Lock()
				if good {
					res.ok++
					res.lat = append(res.lat, d)
				} else {
					res.failed++
					if res.firstErr == "" {
						res.firstErr = why
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// loadGet fetches url accepting gzip, as browsers do, and reads the whole body.
func loadGet(c *http.Client, url string) (bool, string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return false, err.Error()
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}

// hammerURL GETs one URL from clients for d.
func hammerURL(ctx context.Context, url string, clients int, d time.Duration) loadResult {
	end := time.Now().Add(d)
	return loadRunner(ctx, clients, func() (int, bool) { return 0, time.Now().Before(end) },
		func(c *http.Client, _ int) (bool, string) { return loadGet(c, url) })
}

// hammerList GETs each path once, from clients at a time.
func hammerList(ctx context.Context, base string, paths []string, clients int) loadResult {
	var n atomic.Int64
	return loadRunner(ctx, clients, func() (int, bool) {
		i := int(n.Add(1)) - 1
		return i, i < len(paths)
	}, func(c *http.Client, i int) (bool, string) { return loadGet(c, base+paths[i]) })
}

// hammerPosts posts comments from posters for d, each from its own address and email, with a
// form token minted as a page view a minute ago would have.
func hammerPosts(ctx context.Context, base string, stories []benchTarget, secret []byte, seq *atomic.Int64, posters int, d time.Duration) loadResult {
	end := time.Now().Add(d)
	return loadRunner(ctx, posters, func() (int, bool) { return int(seq.Add(1)), time.Now().Before(end) },
		func(c *http.Client, n int) (bool, string) {
			f := benchComment(secret, stories[n%len(stories)], n)
			req, _ := http.NewRequest(http.MethodPost, base+"/comments", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
			resp, err := c.Do(req)
			if err != nil {
				return false, err.Error()
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode == http.StatusSeeOther, resp.Status
		})
}

// benchComment is the comment form of poster n (a new commenter) on story s, with a form token
// minted as a page view a minute ago would have.
func benchComment(secret []byte, s benchTarget, n int) url.Values {
	f := url.Values{}
	f.Set("article_id", strconv.FormatInt(s.id, 10))
	f.Set("token", comment.NewFormToken(secret, s.id, time.Now().Add(-time.Minute)))
	f.Set("author", fmt.Sprintf("Bench reader %d", n))
	f.Set("email", fmt.Sprintf("bench%d@example.org", n))
	f.Set("comment", fmt.Sprintf("Comment number %d on the harbour vote, posted by the benchmark.", n))
	return f
}

// procStatus is a memory field of the process's status (VmHWM: the peak resident set; VmRSS:
// the current one) in KiB.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/PID/status", field)
}

// nginxRate serves the bytes of page (fetched uncompressed) with nginx from a file and measures
// it as hammerURL does; an error when nginx is not installed.
func nginxRate(ctx context.Context, page string, clients int, d time.Duration) (float64, error) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		return 0, errors.New("nginx is not installed")
	}
	resp, err := http.Get(page)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	u, stop, err := startNginx(ctx, nginx, body)
	if err != nil {
		return 0, err
	}
	defer stop()
	return hammerURL(ctx, u, clients, d).rate(), nil
}

// startNginx serves page from a file with nginx (gzip on, as Broadsheet serves it) on a free
// loopback port in a temporary folder, and returns the page's URL and a function that stops
// nginx and removes the folder.
func startNginx(ctx context.Context, nginx string, page []byte) (string, func(), error) {
	dir, err := os.MkdirTemp("", "broadsheet-bench-nginx-")
	if err != nil {
		return "", nil, err
	}
	fail := func(err error) (string, func(), error) {
		os.RemoveAll(dir)
		return "", nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "page.html"), page, 0o644); err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// As root, nginx's workers would switch to an unprivileged user who cannot read a private
	// temporary folder; "user" keeps them as whoever runs the measurement.
	user := "root"
	if u := os.Getenv("USER"); u != "" {
		user = u
	}
	conf := fmt.Sprintf(`user %[3]s; daemon off; worker_processes auto; pid %[1]s/nginx.pid; error_log %[1]s/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; gzip on; gzip_comp_level 6; gzip_types text/html; gzip_min_length 512;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server { listen 127.0.0.1:%[2]d; root %[1]s/www; location / { default_type text/html; } } }`, dir, port, user)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return fail(err)
	}
	cmd := exec.CommandContext(ctx, nginx, "-c", filepath.Join(dir, "nginx.conf"), "-p", dir)
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }
	u := fmt.Sprintf("http://127.0.0.1:%d/page.html", port)
	for i := 0; ; i++ {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				stop()
				return "", nil, fmt.Errorf("nginx answers %d", resp.StatusCode)
			}
			return u, stop, nil
		}
		if i > 250 {
			stop()
			return "", nil, errors.New("nginx did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
