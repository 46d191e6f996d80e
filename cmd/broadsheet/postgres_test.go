package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store/postgres"
	"github.com/broadsheet/broadsheet/internal/store/postgres/pgtest"
)

// waitReady polls /readyz as a load balancer does until the node answers 200 "ready".
func waitReady(t *testing.T, m *Main) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := get(t, m, "/readyz")
		if resp.StatusCode == 200 && body == "ready\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %q after 30s", resp.StatusCode, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedBuffer is a log written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDBCopyCommand moves a site from SQLite to PostgreSQL and back with the command line.
func TestDBCopyCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "site.db")
	m := NewMain(Config{Data: dir, Demo: true, Timezone: "UTC", DBWait: time.Second})
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.Close()
	url := pgtest.URL(t)
	env := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"db", "copy", "--from", "sqlite://" + src, "--to", url}, &stdout, &stderr, env); code != 0 {
		t.Fatalf("db copy to PostgreSQL = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "every table's rows and checksum match") || !strings.Contains(stdout.String(), "articles") {
		t.Errorf("db copy says:\n%s", stdout.String())
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"db", "copy", "--from", "sqlite://" + src, "--to", url}, &stdout, &stderr, env); code != 1 ||
		!strings.Contains(stderr.String(), "--force") {
		t.Errorf("db copy into a site = %d, %q; want 1 and a word about --force", code, stderr.String())
	}
	back := filepath.Join(dir, "back.db")
	stdout.Reset()
	if code := run(t.Context(), []string{"db", "copy", "--from", url, "--to", "sqlite://" + back}, &stdout, &stderr, env); code != 0 {
		t.Fatalf("db copy back to SQLite = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"db", "copy", "--from", "sqlite://" + filepath.Join(dir, "missing.db"), "--to", url},
		&stdout, &stderr, env); code != 1 || !strings.Contains(stderr.String(), "missing.db") {
		t.Errorf("db copy from a missing file = %d, %q", code, stderr.String())
	}
}

// TestServeWithoutPostgreSQL: a server that does not answer is waited for, then the command
// fails naming it.
func TestServeWithoutPostgreSQL(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var stdout, stderr bytes.Buffer
	env := func(string) string { return "" }
	code := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--db-wait", "1s",
		"--db", "postgres://news:secret-pw@" + addr + "/site"}, &stdout, &stderr, env)
	if code != 1 || !strings.Contains(stderr.String(), addr) || !strings.Contains(stderr.String(), "no answer after 1s") {
		t.Errorf("serve with PostgreSQL down = %d, %q; want 1 and a message naming %s", code, stderr.String(), addr)
	}
	if strings.Contains(stderr.String(), "secret-pw") {
		t.Errorf("serve shows the database password: %q", stderr.String())
	}
}

// TestDBCheckAndBackupAreSQLiteOnly: on a PostgreSQL URL, db check and db backup say that they
// work on a SQLite file and what to use instead, without connecting.
func TestDBCheckAndBackupAreSQLiteOnly(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"db", "check"}, {"db", "backup", filepath.Join(t.TempDir(), "copy.db")}} {
		args = append(args, "--db", "postgres://news@127.0.0.1:1/news")
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "SQLite") || !strings.Contains(stderr, "PostgreSQL") {
			t.Errorf("%q = exit %d, %q%q; want 2 and a word that it works on SQLite", args, code, stdout, stderr)
		}
	}
}

// TestPathologicalSearchOnPostgreSQL: a search that runs past PostgreSQL's statement_timeout
// answers the search page asking for another try (503, the words kept in the box), not an
// error page. "-zzz" (every story without the word) cannot use the index and ranks every story.
func TestPathologicalSearchOnPostgreSQL(t *testing.T) {
	t.Parallel()
	m, _ := startMainWith(t, func(c *Config) {
		c.DB, c.Demo = pgtest.URL(t), false
		c.searchTimeout = time.Millisecond
	})
	ctx := t.Context()
	var body strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&body, "harbour%d vote%d tide%d ", i, i*7, i*13)
	}
	for i := range 40 {
		a := &article.Article{Kind: article.Story, Slug: fmt.Sprintf("long-%d", i), Title: fmt.Sprintf("Long story %d", i),
			Body: body.String(), BodyHTML: "<p>" + body.String() + "</p>", Status: article.Published, PublishedAt: m.Now().Add(-time.Hour)}
		if err := m.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	resp, page := get(t, m, "/search?q=-zzz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "took too long") || !strings.Contains(page, `value="-zzz"`) {
		t.Errorf("a search past the time limit = %d\n%.2000s\nwant 503, the search page asking to try again with the words kept", resp.StatusCode, page)
	}
	if resp, _ := get(t, m, "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("the front page after the slow search = %d, want 200 (the search gave its connection back)", resp.StatusCode)
	}
}

// TestPostgreSQLRestart stops the node's PostgreSQL server under a load of page views and a
// comment: requests answer 503 pages (the comment comes back in its form with the reader's
// text), never a 500, and once the server is back the node serves and takes the comment again
// without a restart of its own.
func TestPostgreSQLRestart(t *testing.T) {
	t.Parallel()
	pg := pgtest.Private(t)
	m, clk := startMainWith(t, func(c *Config) { c.DB = pg.URL() })
	waitReady(t, m)
	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)
	const text = "Words typed while the database restarts."
	form := fill(t, m, clk, path, "Ada Reader", "ada@example.org", text)

	var mu sync.Mutex
	statuses := map[int]int{}
	stop := make(chan struct{})
	var load sync.WaitGroup
	for _, p := range []string{path, "/", "/search?q=harbour"} {
		load.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, _ := get(t, m, p)
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	pg.Stop(t)
	resp, body := post(t, m, "/comments", form)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, text) || !strings.Contains(body, `name="token"`) {
		t.Errorf("a comment while PostgreSQL is down = %d\n%.3000s\nwant 503 with the reader's text in a form to post again", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("the page holding the reader's text is Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	if resp, _ := get(t, m, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with PostgreSQL down = %d, want 503", resp.StatusCode)
	}
	pg.Start(t)
	waitReady(t, m)
	close(stop)
	load.Wait()
	mustGet(t, m, path, http.StatusOK)
	retry := commentForm(t, body) // the form as the 503 page gave it back, token included
	retry.Set("comment", text)    // (the helper reads inputs' values, not the textarea's text)
	clk.Add(20 * time.Second)
	if resp, body := post(t, m, "/comments", retry); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the comment posted again after the restart = %d, want 303\n%s", resp.StatusCode, body)
	}
	for code, n := range statuses {
		if code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Errorf("%d requests answered %d during the restart; want 200 or 503", n, code)
		}
	}
	t.Logf("page views during the restart: %v", statuses)
}

// TestCachedPagesWhilePostgreSQLIsDown: while the database is stopped, a page the node's cache
// holds is served as it last stood, marked stale (no freshness granted, Warning 111), and a page
// it does not hold answers 503; once the database is back, a change another process commits
// shows at once, served fresh again.
func TestCachedPagesWhilePostgreSQLIsDown(t *testing.T) {
	t.Parallel()
	pg := pgtest.Private(t)
	m, _ := startMainWith(t, func(c *Config) { c.DB = pg.URL() })
	waitReady(t, m)
	a := liveStory(t, m, 0)
	path := a.Path(time.UTC)
	// The related-stories job stores its first lists after the start, which invalidates the
	// page: wait until the story's list is stored, the change log is at rest and the page is
	// served from the cache.
	waitFor(t, "the story's related list stored", func() bool {
		list, _, err := m.Store.RelatedArticles(t.Context(), a.ID, m.Now())
		return err == nil && len(list) > 0
	})
	var before string
	waitFor(t, "the page cached, the change log at rest", func() bool {
		seq, _ := m.Store.LatestChange(t.Context())
		mustGet(t, m, path, http.StatusOK)
		hits := m.Server.CacheStats().Hits
		time.Sleep(200 * time.Millisecond)
		before = mustGet(t, m, path, http.StatusOK)
		again, _ := m.Store.LatestChange(t.Context())
		return again == seq && m.Server.CacheStats().Hits > hits
	})
	if resp, _ := get(t, m, path); resp.Header.Get("Warning") != "" {
		t.Fatalf("a healthy node's page carries Warning %q", resp.Header.Get("Warning"))
	}

	pg.Stop(t)
	var resp *http.Response
	var body string
	waitFor(t, "the cached page served stale", func() bool {
		resp, body = get(t, m, path)
		return resp.Header.Get("Warning") != ""
	})
	if resp.StatusCode != http.StatusOK || body != before {
		t.Errorf("the cached story while PostgreSQL is down = %d, same bytes %v; want 200 and the page as it was", resp.StatusCode, body == before)
	}
	if cc, w := resp.Header.Get("Cache-Control"), resp.Header.Get("Warning"); cc != "no-cache" || !strings.HasPrefix(w, "111 ") {
		t.Errorf("the stale page is Cache-Control %q, Warning %q; want no-cache and 111", cc, w)
	}
	if resp, _ := get(t, m, "/search?q=harbour"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a page the cache does not hold = %d, want 503", resp.StatusCode)
	}
	if n := m.Server.CacheStats().Stale; n == 0 {
		t.Error("the stale pages were not counted")
	}

	pg.Start(t)
	waitReady(t, m)
	other, err := postgres.Open(t.Context(), pg.URL(), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	fresh, err := other.Article(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh.Title = "Harbour reopens after the outage"
	if err := other.UpdateArticle(t.Context(), fresh); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the change made elsewhere after the restart", func() bool {
		resp, body = get(t, m, path)
		return strings.Contains(body, fresh.Title)
	})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Warning") != "" || resp.Header.Get("Cache-Control") == "no-cache" {
		t.Errorf("after the restart the story = %d, Warning %q, Cache-Control %q; want it fresh", resp.StatusCode,
			resp.Header.Get("Warning"), resp.Header.Get("Cache-Control"))
	}
}

// TestCloseReleasesJobs: a node that stops (SIGTERM: Close) finishes its requests, stops its
// jobs and gives their locks back at once, so that another node takes them at its next try
// rather than when the database notices a dead connection.
func TestCloseReleasesJobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.URL(t)
	cfg := DefaultConfig()
	cfg.Addr, cfg.Data, cfg.DB, cfg.Demo = "127.0.0.1:0", t.TempDir(), url, false
	m := NewMain(cfg)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	probe, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	held := func(job string) bool {
		ran, err := probe.Exclusive(ctx, job, func(context.Context) error { return nil })
		if err != nil {
			t.Fatalf("Exclusive(%s) = %v", job, err)
		}
		return !ran
	}
	began := time.Now()
	waitFor(t, "the node to hold the related-stories job", func() bool { return held("related") })
	t.Logf("the node took the job after %v", time.Since(began))
	mustGet(t, m, "/", http.StatusOK)
	began = time.Now()
	if err := m.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	t.Logf("Close took %v", time.Since(began))
	for _, job := range []string{"related", "publish", "mail"} {
		if held(job) {
			t.Errorf("the %s job is still held after Close", job)
		}
	}
	if _, err := http.Get(m.URL() + "/"); err == nil {
		t.Error("the node still answers after Close")
	}
}
