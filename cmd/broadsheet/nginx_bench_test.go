package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
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
	nginxURL, stop, err := startNginx(b.Context(), nginx, []byte(mustGet(b, m, path, http.StatusOK)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
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
