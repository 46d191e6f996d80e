package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/broadsheet/broadsheet/internal/store/sqlite"
)

const dbUsage = `broadsheet db check [--data DIR | --db URL]
       broadsheet db backup [--data DIR | --db URL] FILE`

// dbCmd runs "broadsheet db": the database's full consistency check and online backups.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "backup") {
		return usageError{errors.New("usage: " + dbUsage)}
	}
	cfg := DefaultConfig()
	cfg.Demo = false
	fs := newFlagSet("db "+args[0], dbUsage, stderr)
	cfg.flags(fs, env)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	want := 0
	if args[0] == "backup" {
		want = 1
	}
	if fs.NArg() != want {
		return usageError{errors.New("usage: " + dbUsage)}
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
	if args[0] == "backup" {
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
