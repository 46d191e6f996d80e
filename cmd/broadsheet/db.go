package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/store/dbcopy"
	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

const dbUsage = `  broadsheet db check [--data DIR | --db URL]         check the whole database for damage (SQLite)
  broadsheet db backup [--data DIR | --db URL] FILE   copy the database, consistent, while the site serves (SQLite)
  broadsheet db copy --from URL --to URL [--force]    copy a whole site between SQLite and PostgreSQL`

const dbCopyUsage = `broadsheet db copy --from URL --to URL [--force]

Copies a whole site between databases: from SQLite to PostgreSQL (sqlite:///srv/news/site.db to
postgres://user:password@host/db) to run several nodes, or back. Every table is copied in one
transaction on the target, and each table's row count and checksum are checked there before it
commits: a failed copy leaves the target as it was. A target that already holds a site is
refused unless --force, which replaces it. Stop the site's servers first.`

// dbCmd runs "broadsheet db": the database's full consistency check, online backups (SQLite)
// and copies between databases.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	sub, args, err := subcommand(args, dbUsage, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "check", "backup":
	case "copy":
		return dbCopy(ctx, args, stdout, stderr, env)
	default:
		fmt.Fprintf(stderr, "Usage:\n%s\n", dbUsage)
		return usageError{fmt.Errorf("unknown db subcommand %q", sub)}
	}
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("db "+sub, "broadsheet db "+sub+" [--data DIR | --db URL]", stderr)
	cfg.flags(fs, env, "data", "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	want := 0
	if sub == "backup" {
		want = 1
	}
	if fs.NArg() != want {
		fmt.Fprintf(stderr, "Usage:\n%s\n", dbUsage)
		return usageError{fmt.Errorf("broadsheet db %s takes %d arguments, not %d", sub, want, fs.NArg())}
	}
	kind, path, err := cfg.database()
	if err != nil {
		return err
	}
	if kind != "sqlite" {
		if sub == "backup" {
			return usageError{fmt.Errorf("broadsheet db backup copies a SQLite file; back a PostgreSQL database up with pg_dump " +
				"(or \"broadsheet db copy --from postgres://… --to sqlite:///backup.db\")")}
		}
		return usageError{fmt.Errorf("broadsheet db check checks a SQLite file; PostgreSQL checks its own pages " +
			"(see amcheck and pg_checksums in its manual)")}
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "backup" {
		if err := db.Backup(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Backed up %s to %s.\n", path, fs.Arg(0))
		return nil
	}
	problems, err := db.Check(ctx, false)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s is damaged: %d problems; restore it from a backup", path, len(problems))
	}
	fmt.Fprintf(stdout, "%s is sound.\n", path)
	return nil
}

// dbCopy runs "broadsheet db copy": a whole site from one database into another.
func dbCopy(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	fs := newFlagSet("db copy", dbCopyUsage, stderr)
	from := fs.String("from", "", "database to copy from: sqlite:///path/site.db or postgres://…")
	to := fs.String("to", "", "database to copy into (created if a SQLite file is missing)")
	force := fs.Bool("force", false, "replace the site the target holds")
	cfg := DefaultConfig()
	cfg.Demo = false
	if d, err := time.ParseDuration(env("BROADSHEET_DB_WAIT")); err == nil {
		cfg.DBWait = d
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError{fmt.Errorf("name both databases: --from URL --to URL")}
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

	tty := isTerminal(stdout)
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
