package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

// CreatePasswordLink implements store.Accounts.
func (s Store) CreatePasswordLink(ctx context.Context, l *account.PasswordLink) error {
	return s.exec(ctx, fmt.Sprintf("password link of user %d", l.UserID),
		`INSERT INTO password_links (token_hash, user_id, purpose, created_at, expires_at, stamp) VALUES (?, ?, ?, ?, ?, ?)`,
		l.TokenHash, l.UserID, l.Purpose, micros(l.CreatedAt), micros(l.ExpiresAt), l.Stamp)
}

const linkColumns = `token_hash, user_id, purpose, created_at, expires_at, stamp`

func scanLink(sc func(...any) error) (*account.PasswordLink, error) {
	var l account.PasswordLink
	var created, expires sql.NullInt64
	err := sc(&l.TokenHash, &l.UserID, &l.Purpose, &created, &expires, &l.Stamp)
	l.CreatedAt, l.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &l, err
}

// PasswordLink implements store.Accounts.
func (s Store) PasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error) {
	l, err := scanLink(s.read().QueryRowContext(ctx, `SELECT `+linkColumns+` FROM password_links WHERE token_hash = ?`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: password link: %w", translate(err))
	}
	return l, nil
}

// UsePasswordLink implements store.Accounts. The one DELETE … RETURNING is what makes a link
// work once: SQLite runs writers one at a time, and the second finds no row.
func (s Store) UsePasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error) {
	var l *account.PasswordLink
	err := s.write(ctx, func(q querier) error {
		var err error
		l, err = scanLink(q.QueryRowContext(ctx, `DELETE FROM password_links WHERE token_hash = ? RETURNING `+linkColumns, tokenHash).Scan)
		return translate(err)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: use password link: %w", err)
	}
	return l, nil
}

// QueueStaffMail implements store.Accounts.
func (s Store) QueueStaffMail(ctx context.Context, email, kind, detail string, now time.Time) error {
	return s.exec(ctx, "queue "+kind+" email",
		`INSERT INTO staff_mail (user_id, kind, detail, created_at, next_at) SELECT id, ?, ?, ?, ? FROM users WHERE email = ?`,
		kind, detail, micros(now), micros(now), email)
}

// DueStaffMail implements store.Accounts.
func (s Store) DueStaffMail(ctx context.Context, now time.Time, limit int) ([]store.StaffMail, error) {
	var list []store.StaffMail
	err := s.each(ctx, `SELECT id, user_id, kind, detail, attempts FROM staff_mail WHERE next_at <= ? ORDER BY next_at, id LIMIT ?`,
		[]any{now.UnixMicro(), limit}, func(sc func(...any) error) error {
			var m store.StaffMail
			if err := sc(&m.ID, &m.UserID, &m.Kind, &m.Detail, &m.Attempts); err != nil {
				return err
			}
			list = append(list, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: due staff mail: %w", err)
	}
	return list, nil
}

// DoneStaffMail implements store.Accounts.
func (s Store) DoneStaffMail(ctx context.Context, id int64) error {
	return s.exec(ctx, fmt.Sprintf("staff mail %d", id), `DELETE FROM staff_mail WHERE id = ?`, id)
}

// RetryStaffMail implements store.Accounts.
func (s Store) RetryStaffMail(ctx context.Context, id int64, next time.Time) error {
	return s.exec(ctx, fmt.Sprintf("staff mail %d", id), `UPDATE staff_mail SET attempts = attempts + 1, next_at = ? WHERE id = ?`, micros(next), id)
}
