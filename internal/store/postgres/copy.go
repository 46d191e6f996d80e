package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// These methods let package dbcopy move a whole site in and out (broadsheet db copy).

// notCopied are the tables this backend keeps for itself: the search documents (rebuilt by
// FinishCopy), the listing counts (kept by triggers as the articles arrive), the change log (each
// database has its own) and the migrations.
var notCopied = []string{"article_search", "article_counts", "change_log", "change_counter", "schema_migrations"}

// CopyTables names the tables that hold the site.
func (s Store) CopyTables(ctx context.Context) ([]string, error) {
	rows, err := s.read().Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename != ALL($1) ORDER BY tablename`, notCopied)
	if err != nil {
		return nil, fmt.Errorf("postgres: tables: %w", translate(err))
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: tables: %w", translate(err))
	}
	return names, nil
}

// columnTypes returns a table's columns and their types, in order.
func (s Store) columnTypes(ctx context.Context, table string) (names, types []string, err error) {
	err = s.each(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, []any{table},
		func(sc func(...any) error) error {
			var n, t string
			err := sc(&n, &t)
			names, types = append(names, n), append(types, t)
			return err
		})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: columns of %s: %w", table, err)
	}
	return names, types, nil
}

// CopyColumns names a table's columns.
func (s Store) CopyColumns(ctx context.Context, table string) ([]string, error) {
	names, _, err := s.columnTypes(ctx, table)
	return names, err
}

// CountRows counts a table's rows.
func (s Store) CountRows(ctx context.Context, table string) (int64, error) {
	var n int64
	if err := s.read().QueryRow(ctx, `SELECT COUNT(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count %s: %w", table, translate(err))
	}
	return n, nil
}

// ReadTable calls fn with every row of table.
func (s Store) ReadTable(ctx context.Context, table string, columns []string, fn func(row []any) error) error {
	list := ""
	for i, c := range columns {
		if i > 0 {
			list += ", "
		}
		list += pgx.Identifier{c}.Sanitize()
	}
	rows, err := s.read().Query(ctx, `SELECT `+list+` FROM `+pgx.Identifier{table}.Sanitize())
	if err != nil {
		return fmt.Errorf("postgres: read %s: %w", table, translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		row, err := rows.Values()
		if err != nil {
			return fmt.Errorf("postgres: read %s: %w", table, translate(err))
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read %s: %w", table, translate(err))
	}
	return nil
}

var errNoTx = errors.New("a copy writes inside a transaction (InTx)")

// ClearForCopy empties the tables and defers foreign-key checks to the commit. TRUNCATE fires no
// row triggers, so the listing counts are emptied with the articles.
func (s Store) ClearForCopy(ctx context.Context, tables []string) error {
	if s.tx == nil {
		return errNoTx
	}
	if _, err := s.tx.Exec(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
		return translate(err)
	}
	list := ""
	for i, t := range append(tables, "article_search", "article_counts") {
		if i > 0 {
			list += ", "
		}
		list += pgx.Identifier{t}.Sanitize()
	}
	if _, err := s.tx.Exec(ctx, `TRUNCATE `+list); err != nil {
		return fmt.Errorf("postgres: clear the tables: %w", translate(err))
	}
	return nil
}

// WriteRows appends rows to table with COPY. Integers bound for boolean columns (SQLite has no
// boolean type) become booleans.
func (s Store) WriteRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	if s.tx == nil {
		return errNoTx
	}
	names, types, err := s.columnTypes(ctx, table)
	if err != nil {
		return err
	}
	boolean := make([]bool, len(columns))
	for i, c := range columns {
		for j, n := range names {
			boolean[i] = boolean[i] || (n == c && types[j] == "boolean")
		}
	}
	for _, r := range rows {
		for i, v := range r {
			if n, ok := v.(int64); ok && boolean[i] {
				r[i] = n != 0
			}
		}
	}
	if _, err := s.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgres: write %s: %w", table, translate(err))
	}
	return nil
}

// FinishCopy rebuilds the search documents and moves each identity column's next value past the
// copied IDs.
func (s Store) FinishCopy(ctx context.Context) error {
	if s.tx == nil {
		return errNoTx
	}
	if _, err := s.tx.Exec(ctx, `INSERT INTO article_search (article_id, document)
		SELECT a.id, `+searchDocument+` FROM articles a`); err != nil {
		return fmt.Errorf("postgres: rebuild the search index: %w", translate(err))
	}
	var idents [][2]string
	err := s.each(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name != ALL($1)`, []any{notCopied},
		func(sc func(...any) error) error {
			var t, c string
			err := sc(&t, &c)
			idents = append(idents, [2]string{t, c})
			return err
		})
	if err != nil {
		return fmt.Errorf("postgres: identity columns: %w", err)
	}
	for _, tc := range idents {
		t, c := pgx.Identifier{tc[0]}.Sanitize(), pgx.Identifier{tc[1]}.Sanitize()
		if _, err := s.tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2),
			COALESCE((SELECT MAX(`+c+`) FROM `+t+`), 0) + 1, false)`, t, tc[1]); err != nil {
			return fmt.Errorf("postgres: next ID of %s: %w", tc[0], translate(err))
		}
	}
	return nil
}
