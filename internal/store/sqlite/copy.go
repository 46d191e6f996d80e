package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// These methods let package dbcopy move a whole site in and out (broadsheet db copy).

// notCopied are the tables SQLite keeps for itself: the search index (rebuilt by FinishCopy),
// the listing counts (kept by triggers as the articles arrive) and the change log (each database
// has its own).
func notCopied(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "articles_fts") || name == "article_counts" || name == "change_log"
}

// quote quotes an identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// CopyTables names the tables that hold the site.
func (s Store) CopyTables(ctx context.Context) ([]string, error) {
	var names []string
	err := s.each(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`, nil,
		func(sc func(...any) error) error {
			var n string
			if err := sc(&n); err != nil {
				return err
			}
			if !notCopied(n) {
				names = append(names, n)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: tables: %w", err)
	}
	return names, nil
}

// CopyColumns names a table's columns.
func (s Store) CopyColumns(ctx context.Context, table string) ([]string, error) {
	var cols []string
	err := s.each(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, []any{table},
		func(sc func(...any) error) error {
			var n string
			err := sc(&n)
			cols = append(cols, n)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: columns of %s: %w", table, err)
	}
	return cols, nil
}

// CountRows counts a table's rows.
func (s Store) CountRows(ctx context.Context, table string) (int64, error) {
	var n int64
	if err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count %s: %w", table, translate(err))
	}
	return n, nil
}

// ReadTable calls fn with every row of table.
func (s Store) ReadTable(ctx context.Context, table string, columns []string, fn func(row []any) error) error {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = quote(c)
	}
	err := s.each(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quote(table), nil, func(sc func(...any) error) error {
		row := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := sc(ptrs...); err != nil {
			return err
		}
		return fn(row)
	})
	if err != nil {
		return fmt.Errorf("sqlite: read %s: %w", table, err)
	}
	return nil
}

var errNoTx = errors.New("a copy writes inside a transaction (InTx)")

// ClearForCopy empties the tables and defers foreign-key checks to the commit.
func (s Store) ClearForCopy(ctx context.Context, tables []string) error {
	if s.tx == nil {
		return errNoTx
	}
	if _, err := s.tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return translate(err)
	}
	for _, t := range append(tables, "articles_fts") {
		if _, err := s.tx.ExecContext(ctx, `DELETE FROM `+quote(t)); err != nil {
			return fmt.Errorf("sqlite: clear %s: %w", t, translate(err))
		}
	}
	return nil
}

// WriteRows appends rows to table.
func (s Store) WriteRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	if s.tx == nil {
		return errNoTx
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = quote(c)
	}
	stmt, err := s.tx.PrepareContext(ctx, `INSERT INTO `+quote(table)+` (`+strings.Join(quoted, ", ")+`) VALUES (`+
		placeholders(len(columns))+`)`)
	if err != nil {
		return fmt.Errorf("sqlite: write %s: %w", table, translate(err))
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("sqlite: write %s: %w", table, translate(err))
		}
	}
	return nil
}

// FinishCopy rebuilds the search index from the copied articles.
func (s Store) FinishCopy(ctx context.Context) error {
	if s.tx == nil {
		return errNoTx
	}
	_, err := s.tx.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, standfirst, body, tags)
		SELECT a.id, a.title, a.standfirst, a.body_text, COALESCE((SELECT group_concat(t.name, ' ')
			FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '')
		FROM articles a`)
	if err != nil {
		return fmt.Errorf("sqlite: rebuild the search index: %w", translate(err))
	}
	return nil
}
