// Package dbcopy moves a whole site from one database to another, of either backend (SQLite to
// PostgreSQL to grow onto several nodes, or back to come home to one machine): every table the
// two share, in one transaction on the target, verified by row counts and a checksum per table
// before it commits.
package dbcopy

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// Source is what a backend's store offers a copy to read.
type Source interface {
	// CopyTables names the tables that hold the site (not the backend's own bookkeeping, such as
	// its search index or change log).
	CopyTables(ctx context.Context) ([]string, error)
	// CopyColumns names a table's columns.
	CopyColumns(ctx context.Context, table string) ([]string, error)
	// CountRows counts a table's rows.
	CountRows(ctx context.Context, table string) (int64, error)
	// ReadTable calls fn with every row of table, as the columns' values.
	ReadTable(ctx context.Context, table string, columns []string, fn func(row []any) error) error
}

// Target is what a backend's store offers a copy to write, inside a transaction (store.InTx).
type Target interface {
	Source
	// ClearForCopy empties the tables and defers foreign-key checks to the commit, so that
	// tables load in any order.
	ClearForCopy(ctx context.Context, tables []string) error
	// WriteRows appends rows to table.
	WriteRows(ctx context.Context, table string, columns []string, rows [][]any) error
	// FinishCopy rebuilds what the backend derives from the rows: its search index, the next
	// IDs.
	FinishCopy(ctx context.Context) error
}

// Options tune a copy.
type Options struct {
	// Force copies into a target that holds a site, replacing it.
	Force bool
	// Progress, when set, hears of the rows copied so far out of the total.
	Progress func(table string, done, total int64)
}

// Table is what a copy did to one table.
type Table struct {
	Name     string
	Rows     int64
	Checksum string // of the rows' values, whatever their order: the same on both sides
}

// ErrNotEmpty means the target already holds a site and Options.Force was not set.
var ErrNotEmpty = errors.New("the target database holds a site; copy into an empty one, or replace it with --force")

// seeded are tables a new database starts with rows in, so they do not make it a site.
var seeded = map[string]bool{"spam_totals": true}

// batch is how many rows one WriteRows carries.
const batch = 500

// Copy copies every table of from into to, in one transaction on to, and checks each table's
// row count and checksum there before committing; any difference rolls the whole copy back.
// The source is read inside a transaction of its own (on SQLite, one consistent snapshot).
func Copy(ctx context.Context, from, to store.Store, opt Options) ([]Table, error) {
	src, ok := from.(Source)
	if !ok {
		return nil, fmt.Errorf("copy: the source backend (%T) cannot be copied from", from)
	}
	if _, ok := to.(Target); !ok {
		return nil, fmt.Errorf("copy: the target backend (%T) cannot be copied into", to)
	}
	tables, err := src.CopyTables(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	var report []Table
	err = to.InTx(ctx, func(tx store.Store) error {
		dst := tx.(Target)
		plan, total, err := prepare(ctx, src, dst, tables, opt.Force)
		if err != nil {
			return err
		}
		if err := dst.ClearForCopy(ctx, tables); err != nil {
			return err
		}
		var done int64
		return from.InTx(ctx, func(stx store.Store) error {
			src := stx.(Source)
			for _, t := range plan {
				sum, n, err := copyTable(ctx, src, dst, t, func(k int64) {
					if opt.Progress != nil {
						opt.Progress(t.name, done+k, total)
					}
				})
				if err != nil {
					return fmt.Errorf("table %s: %w", t.name, err)
				}
				done += n
				check, m, err := checksum(ctx, dst, t.name, t.columns)
				if err != nil {
					return fmt.Errorf("table %s: read back: %w", t.name, err)
				}
				if m != n || check != sum {
					return fmt.Errorf("table %s: the copy has %d rows (checksum %s), the source %d (checksum %s): nothing was copied",
						t.name, m, check, n, sum)
				}
				report = append(report, Table{Name: t.name, Rows: n, Checksum: sum})
			}
			return dst.FinishCopy(ctx)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return report, nil
}

type planned struct {
	name    string
	columns []string
}

// prepare checks that the target can hold every table of the source and is empty (or force),
// and returns the tables' columns and the source's total row count.
func prepare(ctx context.Context, src Source, dst Target, tables []string, force bool) ([]planned, int64, error) {
	have, err := dst.CopyTables(ctx)
	if err != nil {
		return nil, 0, err
	}
	var plan []planned
	var total int64
	for _, name := range tables {
		if !slices.Contains(have, name) {
			return nil, 0, fmt.Errorf("the target has no table %s: is it from an older Broadsheet? Upgrade it first", name)
		}
		cols, err := src.CopyColumns(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		theirs, err := dst.CopyColumns(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		for _, c := range cols {
			if !slices.Contains(theirs, c) {
				return nil, 0, fmt.Errorf("the target's table %s has no column %s: is it from an older Broadsheet? Upgrade it first", name, c)
			}
		}
		n, err := src.CountRows(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		total += n
		if !force && !seeded[name] {
			m, err := dst.CountRows(ctx, name)
			if err != nil {
				return nil, 0, err
			}
			if m > 0 {
				return nil, 0, fmt.Errorf("table %s has %d rows: %w", name, m, ErrNotEmpty)
			}
		}
		plan = append(plan, planned{name, cols})
	}
	return plan, total, nil
}

// copyTable streams a table in batches and returns the source rows' checksum and count.
func copyTable(ctx context.Context, src Source, dst Target, t planned, progress func(int64)) (string, int64, error) {
	var sum rowSum
	rows := make([][]any, 0, batch)
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := dst.WriteRows(ctx, t.name, t.columns, rows); err != nil {
			return err
		}
		rows = rows[:0]
		progress(sum.n)
		return nil
	}
	err := src.ReadTable(ctx, t.name, t.columns, func(row []any) error {
		sum.add(row)
		rows = append(rows, row)
		if len(rows) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return sum.String(), sum.n, err
}

// checksum reads a table back and returns its checksum and row count.
func checksum(ctx context.Context, s Source, table string, columns []string) (string, int64, error) {
	var sum rowSum
	err := s.ReadTable(ctx, table, columns, func(row []any) error {
		sum.add(row)
		return nil
	})
	return sum.String(), sum.n, err
}

// rowSum is an order-independent checksum of rows: the sum of each row's SHA-256 (its first 16
// bytes, as two 64-bit numbers), over a canonical form of the values in which a backend's types
// (a boolean or an integer 0/1, int32 or int64) read the same.
type rowSum struct {
	hi, lo uint64
	n      int64
}

func (s *rowSum) add(row []any) {
	h := sha256.New()
	var buf []byte
	for _, v := range row {
		buf = canonical(buf[:0], v)
		h.Write(buf)
	}
	d := h.Sum(nil)
	s.hi += binary.BigEndian.Uint64(d[:8])
	s.lo += binary.BigEndian.Uint64(d[8:16])
	s.n++
}

func (s *rowSum) String() string { return fmt.Sprintf("%016x%016x", s.hi, s.lo) }

// canonical appends a value's type letter and length-prefixed text to buf.
func canonical(buf []byte, v any) []byte {
	var kind byte
	var text string
	switch x := v.(type) {
	case nil:
		kind = 'N'
	case bool:
		kind, text = 'I', "0"
		if x {
			text = "1"
		}
	case int64:
		kind, text = 'I', strconv.FormatInt(x, 10)
	case int32:
		kind, text = 'I', strconv.FormatInt(int64(x), 10)
	case int16:
		kind, text = 'I', strconv.FormatInt(int64(x), 10)
	case int:
		kind, text = 'I', strconv.Itoa(x)
	case float64:
		kind, text = 'F', strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		kind, text = 'F', strconv.FormatFloat(float64(x), 'g', -1, 32)
	case string:
		kind, text = 'S', x
	case []byte:
		kind, text = 'B', string(x)
	case time.Time:
		kind, text = 'T', x.UTC().Format(time.RFC3339Nano)
	default:
		kind, text = '?', fmt.Sprint(x)
	}
	buf = append(buf, kind)
	buf = binary.AppendUvarint(buf, uint64(len(text)))
	return append(buf, text...)
}
