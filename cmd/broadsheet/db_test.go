package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

// damage overwrites pages of the SQLite file at path past the schema's first pages with garbage,
// as a failing disk would. The schema's own pages are spared, wherever they lie, so that the
// damage is to the site's rows, which the start-up check exists to find.
func damage(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	schema := map[int64]bool{}
	rows, err := db.Query(`SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		schema[p-1] = true // dbstat counts pages from 1, WriteAt from 0
	}
	rows.Close()
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	const page = 4096
	if st.Size() < 20*page {
		t.Fatalf("database %d bytes, too small to damage", st.Size())
	}
	junk := bytes.Repeat([]byte{0xA5}, page)
	for p, n := st.Size()/page/2-2, 0; n < 4; p++ {
		if schema[p] {
			continue
		}
		if _, err := f.WriteAt(junk, p*page); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// TestStartCheckSkippedAfterCleanClose: a file a clean close left sound opens without the
// start-up check (seconds on a large site); a file changed since, or one left with its WAL by a
// crash, is checked again.
func TestStartCheckSkippedAfterCleanClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "site.db")
	open := func() *sqlite.DB {
		t.Helper()
		db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	if db.Sound() {
		t.Error("a new file is sound before any check")
	}
	if problems, err := db.Check(t.Context(), true); err != nil || len(problems) > 0 || !db.Sound() {
		t.Fatalf("Check = %v, %v; Sound = %v, want a sound file", problems, err, db.Sound())
	}
	db.Close()
	db = open()
	if !db.Sound() {
		t.Error("after a clean close, the file is not known sound")
	}
	db.Close()
	damage(t, path)
	db = open()
	if db.Sound() {
		t.Error("a file changed after its clean close is taken as sound")
	}
	db.Close()

	// A crash leaves the WAL: the next start checks.
	path = filepath.Join(t.TempDir(), "site.db")
	db = open()
	db.Check(t.Context(), true)
	db.Close()
	if err := os.WriteFile(path+"-wal", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if db = open(); db.Sound() {
		t.Error("a file with a WAL left beside it is taken as sound")
	}
	db.Close()
}

// TestStartRefusesDamagedDatabase: a damaged database is refused at start with a message that
// says what to do; --skip-check opens it anyway, and "db check" reports the damage.
func TestStartRefusesDamagedDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Data = dir
	m := NewMain(cfg)
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.Store.Close()
	env := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"db", "check", "--data", dir}, &stdout, &stderr, env); code != 0 || !strings.Contains(stdout.String(), "is sound") {
		t.Fatalf("db check of a sound database: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	damage(t, filepath.Join(dir, "site.db"))
	stdout.Reset()
	stderr.Reset()
	code := run(t.Context(), []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &stdout, &stderr, env)
	if code != 1 || !strings.Contains(stderr.String(), "damaged") || !strings.Contains(stderr.String(), "--skip-check") ||
		!strings.Contains(stderr.String(), "backup") {
		t.Errorf("serve on a damaged database: exit %d, stderr %q; want 1 with what to do", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"db", "check", "--data", dir}, &stdout, &stderr, env); code != 1 || stdout.Len() == 0 ||
		!strings.Contains(stderr.String(), "damaged") {
		t.Errorf("db check of a damaged database: exit %d, stdout %q, stderr %q; want 1 and the problems", code, stdout.String(), stderr.String())
	}
	cfg.SkipCheck = true
	m = NewMain(cfg)
	if err := m.Open(t.Context()); err != nil {
		t.Errorf("Open with SkipCheck = %v, want the damaged database opened", err)
	} else {
		m.Store.Close()
	}
}

// TestBackupWhileServing copies the database while comments are being written and checks the
// copy: a sound database with the stories and every comment acknowledged before it began.
func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	m, clk := startMain(t)
	a := liveStory(t, m, 1)
	path := a.Path(time.UTC)
	ctx := t.Context()
	const acknowledged = 3
	for i := range acknowledged {
		form := fill(t, m, clk, path, "Writer", "w"+strconv.Itoa(i)+"@example.org", "Comment number "+strconv.Itoa(i)+" before a backup.")
		if resp, _ := post(t, m, "/comments", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment %d = %d", i, resp.StatusCode)
		}
	}
	// Writes go on while the copy is made.
	stop := make(chan struct{})
	var writes atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := m.Store.SaveSettings(ctx, map[string]string{"backup_test": strconv.Itoa(i)}); err == nil {
				writes.Add(1)
			}
		}
	})
	for writes.Load() == 0 {
		runtime.Gosched()
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	code, out, errOut := dbCLI(t, m, "backup", backup)
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "Backed up") {
		t.Fatalf("db backup while serving: exit %d, %q %q", code, out, errOut)
	}
	db, err := sqlite.Open(context.Background(), backup, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if problems, err := db.Check(ctx, false); err != nil || len(problems) > 0 {
		t.Errorf("the backup's integrity check = %v, %v", problems, err)
	}
	got, err := db.ArticleBySlug(ctx, a.Slug)
	if err != nil || got.Title != a.Title {
		t.Errorf("the backup lacks the story: %v", err)
	}
	_, n, err := db.ListComments(ctx, store.CommentQuery{ArticleID: a.ID, Text: "before a backup"})
	if err != nil || n != acknowledged {
		t.Errorf("the backup has %d of the comments acknowledged before it began, want %d (%v)", n, acknowledged, err)
	}
	if code, _, errOut := dbCLI(t, m, "backup", backup); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over an existing file: exit %d, %q; want 1", code, errOut)
	}
}

// dbCLI runs "broadsheet db" against the site of m.
func dbCLI(t *testing.T, m *Main, sub string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"db", sub, "--data", m.Config.Data}, args...)
	code := run(t.Context(), args, &stdout, &stderr, func(string) string { return "" })
	return code, stdout.String(), stderr.String()
}
