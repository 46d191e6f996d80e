package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Check runs SQLite's consistency check and returns the problems it finds, none for a sound
// file. Quick is PRAGMA quick_check, which reads every page in about the time of a full scan
// (a start-up check); otherwise PRAGMA integrity_check, which also checks every index against
// its table.
func (db *DB) Check(ctx context.Context, quick bool) ([]string, error) {
	pragma := "PRAGMA integrity_check"
	if quick {
		pragma = "PRAGMA quick_check"
	}
	var problems []string
	err := func() error {
		rows, err := db.r.QueryContext(ctx, pragma)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			if s != "ok" {
				problems = append(problems, s)
			}
		}
		return rows.Err()
	}()
	// Damage bad enough to stop the check itself is one more problem, not a failure to check.
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		return append(problems, se.Error()), nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: check: %w", db.path, describe(err))
	}
	if len(problems) == 0 {
		db.sound.Store(true)
	}
	return problems, nil
}

// Sound reports whether the file is known to be sound: a check found it so since it was opened,
// or it is exactly as a clean close left it after such a check (the same size and modification
// time, no WAL beside it). A start-up skips its check then: a large file takes seconds to read
// through, and damage comes with a crash, a copy or a restore, all of which change the file.
func (db *DB) Sound() bool { return db.sound.Load() }

// soundRecord is the file beside the database where a clean close records it as sound.
func soundRecord(path string) string { return path + "-sound" }

// fileStamp is what tells that a file changed: its size and modification time.
func fileStamp(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %d", fi.Size(), fi.ModTime().UnixNano()), nil
}

// recordedSound reports whether a clean close recorded the file at path as sound and it has not
// changed since.
func recordedSound(path string) bool {
	if _, err := os.Stat(path + "-wal"); err == nil {
		return false // not closed cleanly, or open elsewhere
	}
	rec, err := os.ReadFile(soundRecord(path))
	if err != nil {
		return false
	}
	stamp, err := fileStamp(path)
	return err == nil && string(rec) == stamp
}

// recordSound notes, after a clean close, that the file is sound as it is.
func recordSound(path string) error {
	stamp, err := fileStamp(path)
	if err == nil {
		err = os.WriteFile(soundRecord(path), []byte(stamp), 0o644)
	}
	return err
}

// Backup writes a consistent copy of the database to path with VACUUM INTO, while other
// connections and processes go on reading and writing: the copy is the database as of one
// moment, compacted, and a complete SQLite file (no WAL beside it). An existing file at path is
// refused.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", path)
	}
	// A connection of its own: the readers are query-only, and the writer must stay free.
	c, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db.path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("sqlite: backup of %s to %s: %w", db.path, path, describe(err))
	}
	return nil
}
