package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReadPathVsNginx measures the yardstick of DESIGN.md's performance model: Broadsheet
// serving a cached story page and the front page against nginx serving the same bytes from a
// file, on the same machine, with the same load (64 keep-alive clients, gzip, 3 seconds each,
// driven by wrk when it is installed, else by Go clients in this process). It reports both
// request rates and their ratio. It skips when nginx is not installed.
//
//	go test -run x -bench ReadPathVsNginx -benchtime 1x ./cmd/broadsheet
func BenchmarkReadPathVsNginx(b *testing.B) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		b.Skip("nginx is not installed (apt-get install nginx-light); nothing to compare with")
	}
	m, _ := startMain(b)
	for _, tt := range []struct{ name, path string }{{"story", benchStory(b, m)}, {"front", "/"}} {
		b.Run(tt.name, func(b *testing.B) { vsNginx(b, nginx, m, tt.path) })
	}
}

func vsNginx(b *testing.B, nginx string, m *Main, path string) {
	page := mustGet(b, m, path, http.StatusOK)

	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "page.html"), []byte(page), 0o644); err != nil {
		b.Fatal(err)
	}
	port := freePort(b)
	// As root, nginx's workers would switch to an unprivileged user who cannot read the test's
	// private temporary folder; "user" keeps them as whoever runs the benchmark.
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
		b.Fatal(err)
	}
	cmd := exec.Command(nginx, "-c", filepath.Join(dir, "nginx.conf"), "-p", dir)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	nginxURL := fmt.Sprintf("http://127.0.0.1:%d/page.html", port)
	for i := 0; ; i++ {
		if resp, err := http.Get(nginxURL); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("nginx answers %d", resp.StatusCode)
			}
			break
		}
		if i > 100 {
			b.Fatal("nginx did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for b.Loop() {
		ours := load(b, m.URL()+path, 64, 3*time.Second)
		theirs := load(b, nginxURL, 64, 3*time.Second)
		b.ReportMetric(ours, "broadsheet-req/s")
		b.ReportMetric(theirs, "nginx-req/s")
		b.ReportMetric(ours/theirs, "ratio")
	}
}

// load runs clients keep-alive loops of GETs (accepting gzip) against url for d and returns the
// completed requests per second.
func load(b *testing.B, url string, clients int, d time.Duration) float64 {
	if wrk, err := exec.LookPath("wrk"); err == nil {
		out, err := exec.Command(wrk, "-t2", fmt.Sprintf("-c%d", clients), fmt.Sprintf("-d%ds", int(d.Seconds())),
			"-H", "Accept-Encoding: gzip", url).CombinedOutput()
		if err != nil {
			b.Fatalf("wrk: %v\n%s", err, out)
		}
		var rate float64
		for line := range strings.Lines(string(out)) {
			if v, ok := strings.CutPrefix(line, "Requests/sec:"); ok {
				rate, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
			if strings.Contains(line, "Non-2xx") {
				b.Fatalf("wrk: %s", line)
			}
		}
		return rate
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}
