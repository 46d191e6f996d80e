package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/store"
)

// CreatePasswordLink implements store.Accounts.
func (s Store) CreatePasswordLink(ctx context.Context, l *account.PasswordLink) error {
	return s.exec(ctx, fmt.Sprintf("password link of user %d", l.UserID),
		`INSERT INTO password_links (token_hash, user_id, purpose, created_at, expires_at, stamp) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.TokenHash, l.UserID, l.Purpose, micros(l.CreatedAt), micros(l.ExpiresAt), l.Stamp)
}

const linkColumns = `token_hash, user_id, purpose, created_at, expires_at, stamp`

func scanLink(sc func(...any) error) (*account.PasswordLink, error) {
	var l account.PasswordLink
	var created, expires *int64
	err := sc(&l.TokenHash, &l.UserID, &l.Purpose, &created, &expires, &l.Stamp)
	l.CreatedAt, l.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &l, err
}

// PasswordLink implements store.Accounts.
func (s Store) PasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error) {
	l, err := scanLink(s.read().QueryRow(ctx, `SELECT `+linkColumns+` FROM password_links WHERE token_hash = $1`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: password link: %w", translate(err))
	}
	return l, nil
}

// UsePasswordLink implements store.Accounts. The one DELETE … RETURNING is what makes a link
// work once: the second of two concurrent deletes waits for the first's row lock and then finds
// no row.
func (s Store) UsePasswordLink(ctx context.Context, tokenHash string) (*account.PasswordLink, error) {
	var l *account.PasswordLink
	err := s.write(ctx, func(q querier) error {
		var err error
		l, err = scanLink(q.QueryRow(ctx, `DELETE FROM password_links WHERE token_hash = $1 RETURNING `+linkColumns, tokenHash).Scan)
		return translate(err)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: use password link: %w", err)
	}
	return l, nil
}

// QueueStaffMail implements store.Accounts.
func (s Store) QueueStaffMail(ctx context.Context, email, kind, detail string, now time.Time) error {
	return s.exec(ctx, "queue "+kind+" email",
		`INSERT INTO staff_mail (user_id, kind, detail, created_at, next_at) SELECT id, $1, $2, $3, $4 FROM users WHERE email = $5`,
		kind, detail, micros(now), micros(now), email)
}

// DueStaffMail implements store.Accounts.
func (s Store) DueStaffMail(ctx context.Context, now time.Time, limit int) ([]store.StaffMail, error) {
	var list []store.StaffMail
	err := s.each(ctx, `SELECT id, user_id, kind, detail, attempts FROM staff_mail WHERE next_at <= $1 ORDER BY next_at, id LIMIT $2`,
		[]any{now.UnixMicro(), limit}, func(sc func(...any) error) error {
			var m store.StaffMail
			if err := sc(&m.ID, &m.UserID, &m.Kind, &m.Detail, &m.Attempts); err != nil {
				return err
			}
			list = append(list, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: due staff mail: %w", err)
	}
	return list, nil
}

// DoneStaffMail implements store.Accounts.
func (s Store) DoneStaffMail(ctx context.Context, id int64) error {
	return s.exec(ctx, fmt.Sprintf("staff mail %d", id), `DELETE FROM staff_mail WHERE id = $1`, id)
}

// RetryStaffMail implements store.Accounts.
func (s Store) RetryStaffMail(ctx context.Context, id int64, next time.Time) error {
	return s.exec(ctx, fmt.Sprintf("staff mail %d", id), `UPDATE staff_mail SET attempts = attempts + 1, next_at = $1 WHERE id = $2`, micros(next), id)
}
