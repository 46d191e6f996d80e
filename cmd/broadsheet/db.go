package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/broadsheet/broadsheet/internal/store/dbcopy"
)

const dbUsage = `broadsheet db copy --from URL --to URL [--force]

Copies a whole site between databases: from SQLite to PostgreSQL (sqlite:///srv/news/site.db to
postgres://user:password@host/db) to run several nodes, or back. Every table is copied in one
transaction on the target, and each table's row count and checksum are checked there before it
commits: a failed copy leaves the target as it was. A target that already holds a site is
refused unless --force, which replaces it. Stop the site's servers first.`

// dbCmd runs "broadsheet db": database tools.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError{errors.New("usage: " + dbUsage)}
	}
	fs := newFlagSet("db copy", dbUsage, stderr)
	from := fs.String("from", "", "database to copy from: sqlite:///path/site.db or postgres://…")
	to := fs.String("to", "", "database to copy into (created if a SQLite file is missing)")
	force := fs.Bool("force", false, "replace the site the target holds")
	cfg := DefaultConfig()
	cfg.Demo = false
	if v := env("BROADSHEET_DB_WAIT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			cfg.DBWait = d
		}
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError{errors.New("name both databases: --from URL --to URL")}
	}
	if kind, path, err := parseDatabase(*from, ""); err != nil {
		return usageError{err}
	} else if kind == "sqlite" {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}
	if _, _, err := parseDatabase(*to, ""); err != nil {
		return usageError{err}
	}
	open := func(url string) (*Main, error) {
		c := cfg
		c.DB = url
		m := NewMain(c)
		return m, m.Open(ctx)
	}
	src, err := open(*from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := open(*to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()

	tty := false
	if f, ok := stdout.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	start := time.Now()
	var shown time.Time
	progress := func(table string, done, total int64) {
		every := 5 * time.Second
		if tty {
			every = 100 * time.Millisecond
		}
		if time.Since(shown) < every && done < total {
			return
		}
		shown = time.Now()
		pct := int64(100)
		if total > 0 {
			pct = done * 100 / total
		}
		if tty {
			const width = 30
			fill := int(pct) * width / 100
			fmt.Fprintf(stdout, "\r[%s%s] %3d%%  %d/%d rows  %-20s %s\x1b[K", strings.Repeat("#", fill),
				strings.Repeat(".", width-fill), pct, done, total, table, time.Since(start).Round(time.Second))
		} else {
			fmt.Fprintf(stdout, "%d/%d rows (%d%%), table %s\n", done, total, pct, table)
		}
	}
	tables, err := dbcopy.Copy(ctx, src.Store, dst.Store, dbcopy.Options{Force: *force, Progress: progress})
	if tty {
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\trows\tchecksum\t")
	var rows int64
	for _, t := range tables {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", t.Name, t.Rows, t.Checksum)
		rows += t.Rows
	}
	tw.Flush()
	fmt.Fprintf(stdout, "Copied %d rows in %d tables in %s; every table's rows and checksum match.\n",
		rows, len(tables), time.Since(start).Round(time.Millisecond))
	return nil
}
