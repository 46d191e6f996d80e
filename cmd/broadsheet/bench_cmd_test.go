package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestBenchCommand runs `broadsheet bench` on the small generated site with short runs and checks
// that the table has every row, each with a result. It asserts no figure: timings belong to the
// command's output, not to tests.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	// The servers the command starts are this test binary, running the program (see TestMain).
	t.Setenv("BROADSHEET_TEST_RUN_MAIN", "1")
	var out, diag bytes.Buffer
	args := []string{"--size", "small", "--cache", t.TempDir(), "--duration", "200ms", "--stories", "20",
		"--nginx=false", "--binary", os.Args[0]}
	if err := benchCmd(t.Context(), args, &out, &diag); err != nil {
		t.Fatalf("bench %v = %v\n%s", args, err, diag.String())
	}
	table := out.String()
	for _, row := range []string{"start-up (exec to first page)", "uncached story pages, 20 distinct, 16 clients",
		"peak RSS after crawling 20 stories", "cached story page, 64 clients", "cached front page, 64 clients",
		"comment posts, normal, 1 posters", "comment posts, normal, 16 posters", "comment posts, normal, 64 posters",
		"comment posts, full, 1 posters", "comment posts, full, 16 posters", "comment posts, full, 64 posters"} {
		line := ""
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, row) {
				line = l
			}
		}
		if line == "" {
			t.Errorf("bench table lacks the row %q:\n%s", row, table)
			continue
		}
		if rest := strings.TrimSpace(strings.TrimPrefix(line, row)); rest == "" || strings.HasPrefix(rest, "n/a") || strings.Contains(rest, "failed") {
			t.Errorf("bench row %q = %q, want a result without failures", row, rest)
		}
	}
}

// TestBenchCommandOnlyPosts: --only posts measures the comment posts alone, closed loops and
// the open loop at --post-rate; --only takes pages or posts.
func TestBenchCommandOnlyPosts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	t.Setenv("BROADSHEET_TEST_RUN_MAIN", "1")
	var out, diag bytes.Buffer
	args := []string{"--only", "posts", "--durability", "full", "--size", "small", "--cache", t.TempDir(), "--duration", "200ms",
		"--stories", "20", "--post-rate", "200", "--binary", os.Args[0]}
	if err := benchCmd(t.Context(), args, &out, &diag); err != nil {
		t.Fatalf("bench %v = %v\n%s", args, err, diag.String())
	}
	table := out.String()
	for _, row := range []string{"comment posts, full, 1 posters", "comment posts, full, 64 posters",
		"comment posts, full, 200/s offered, 64 posters"} {
		if !strings.Contains(table, row) {
			t.Errorf("bench --only posts lacks the row %q:\n%s", row, table)
		}
	}
	if !strings.Contains(table, "from the scheduled send") {
		t.Errorf("bench --only posts: the open loop's latency does not say where it counts from:\n%s", table)
	}
	for _, absent := range []string{"start-up", "uncached story pages", "cached front page", "comment posts, normal"} {
		if strings.Contains(table, absent) {
			t.Errorf("bench --only posts --durability full shows %q:\n%s", absent, table)
		}
	}
	var usage usageError
	if err := benchCmd(t.Context(), []string{"--only", "feeds"}, &out, &diag); !errors.As(err, &usage) {
		t.Errorf("bench --only feeds = %v, want a usage error", err)
	}
	if err := benchCmd(t.Context(), []string{"--post-rate", "-5"}, &out, &diag); !errors.As(err, &usage) {
		t.Errorf("bench --post-rate -5 = %v, want a usage error", err)
	}
}
