package main

import (
	"context"
	"fmt"
	"io"

	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

const dbUsage = `  broadsheet db check [--data DIR | --db URL]         check the whole database for damage
  broadsheet db backup [--data DIR | --db URL] FILE   copy the database, consistent, while the site serves`

// dbCmd runs "broadsheet db": the database's full consistency check and online backups.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	sub, args, err := subcommand(args, dbUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if sub != "check" && sub != "backup" {
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
	path, err := cfg.sqlitePath()
	if err != nil {
		return err
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
