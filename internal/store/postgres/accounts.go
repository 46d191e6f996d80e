package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/broadsheet/broadsheet/internal/account"
	"github.com/broadsheet/broadsheet/internal/article"
	"github.com/broadsheet/broadsheet/internal/store"
)

const userColumns = `id, email, name, role, password_hash, COALESCE(author_id, 0), created_at`

func scanUser(sc func(...any) error) (account.User, error) {
	var u account.User
	var role string
	var created *int64
	err := sc(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.AuthorID, &created)
	u.Role, u.CreatedAt = account.Role(role), fromMicros(created)
	return u, err
}

// CreateUser implements store.Accounts.
func (s Store) CreateUser(ctx context.Context, u *account.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, author_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, u.Email, u.Name, string(u.Role), u.PasswordHash,
			nullID(u.AuthorID), micros(u.CreatedAt)).Scan(&u.ID))
	})
	if err != nil {
		return fmt.Errorf("postgres: create user %q: %w", u.Email, err)
	}
	return nil
}

// UpdateUser implements store.Accounts.
func (s Store) UpdateUser(ctx context.Context, u *account.User) error {
	err := s.write(ctx, func(q querier) error {
		res, err := q.Exec(ctx, `UPDATE users SET email = $1, name = $2, role = $3, password_hash = $4, author_id = $5
			WHERE id = $6`, u.Email, u.Name, string(u.Role), u.PasswordHash, nullID(u.AuthorID), u.ID)
		return affected(res, err)
	})
	if err != nil {
		return fmt.Errorf("postgres: update user %d: %w", u.ID, err)
	}
	return nil
}

// affected translates an Exec's error, and answers ErrNotFound when it changed no row.
func affected(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return translate(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser implements store.Accounts.
func (s Store) DeleteUser(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.Exec(ctx, `DELETE FROM users WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete user %d: %w", id, err)
	}
	return nil
}

// User implements store.Accounts.
func (s Store) User(ctx context.Context, id int64) (*account.User, error) {
	u, err := scanUser(s.read().QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: user %d: %w", id, translate(err))
	}
	return &u, nil
}

// UserByEmail implements store.Accounts.
func (s Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	u, err := scanUser(s.read().QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: user %q: %w", email, translate(err))
	}
	return &u, nil
}

// Users implements store.Accounts.
func (s Store) Users(ctx context.Context) ([]account.User, error) {
	var list []account.User
	err := s.each(ctx, `SELECT `+userColumns+` FROM users ORDER BY name, id`, nil, func(sc func(...any) error) error {
		u, err := scanUser(sc)
		list = append(list, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	return list, nil
}

const sessionColumns = `token_hash, user_id, created_at, last_seen, ip, user_agent`

func scanSession(sc func(...any) error) (account.Session, error) {
	var x account.Session
	var created, seen *int64
	err := sc(&x.TokenHash, &x.UserID, &created, &seen, &x.IP, &x.UserAgent)
	x.CreatedAt, x.LastSeen = fromMicros(created), fromMicros(seen)
	return x, err
}

// CreateSession implements store.Accounts.
func (s Store) CreateSession(ctx context.Context, x *account.Session) error {
	if x.CreatedAt.IsZero() {
		x.CreatedAt = time.Now().UTC()
	}
	if x.LastSeen.IsZero() {
		x.LastSeen = x.CreatedAt
	}
	err := s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			x.TokenHash, x.UserID, micros(x.CreatedAt), micros(x.LastSeen), x.IP, x.UserAgent)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: create session for user %d: %w", x.UserID, err)
	}
	return nil
}

// Session implements store.Accounts.
func (s Store) Session(ctx context.Context, tokenHash string) (*account.Session, error) {
	x, err := scanSession(s.read().QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: session: %w", translate(err))
	}
	return &x, nil
}

// Sessions implements store.Accounts.
func (s Store) Sessions(ctx context.Context, userID int64) ([]account.Session, error) {
	var list []account.Session
	err := s.each(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 ORDER BY last_seen DESC`, []any{userID},
		func(sc func(...any) error) error {
			x, err := scanSession(sc)
			list = append(list, x)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: sessions of user %d: %w", userID, err)
	}
	return list, nil
}

// exec runs one statement in a write transaction (or the enclosing one) and wraps its error.
func (s Store) exec(ctx context.Context, what string, query string, args ...any) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, query, args...)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// TouchSession implements store.Accounts.
func (s Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return s.exec(ctx, "touch session", `UPDATE sessions SET last_seen = $1 WHERE token_hash = $2`, micros(at), tokenHash)
}

// DeleteSession implements store.Accounts.
func (s Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
}

// SignOutEverywhere implements store.Accounts.
func (s Store) SignOutEverywhere(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return translate(err)
		}
		if _, err := q.Exec(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, userID); err != nil {
			return translate(err)
		}
		_, err := q.Exec(ctx, `DELETE FROM password_links WHERE user_id = $1`, userID)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: sign user %d out everywhere: %w", userID, err)
	}
	return nil
}

// PruneSessions implements store.Accounts.
func (s Store) PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.exec(ctx, "prune sessions", `DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2`,
		idleBefore.UnixMicro(), createdBefore.UnixMicro())
}

const tokenColumns = `id, user_id, name, token_hash, created_at, last_used, expires_at`

func scanToken(sc func(...any) error) (account.APIToken, error) {
	var x account.APIToken
	var created, used, expires *int64
	err := sc(&x.ID, &x.UserID, &x.Name, &x.TokenHash, &created, &used, &expires)
	x.CreatedAt, x.LastUsed, x.ExpiresAt = fromMicros(created), fromMicros(used), fromMicros(expires)
	return x, err
}

// CreateAPIToken implements store.Accounts.
func (s Store) CreateAPIToken(ctx context.Context, x *account.APIToken) error {
	if x.CreatedAt.IsZero() {
		x.CreatedAt = time.Now().UTC()
	}
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, last_used, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, x.UserID, x.Name, x.TokenHash, micros(x.CreatedAt), micros(x.LastUsed),
			micros(x.ExpiresAt)).Scan(&x.ID))
	})
	if err != nil {
		return fmt.Errorf("postgres: create API token for user %d: %w", x.UserID, err)
	}
	return nil
}

// APIToken implements store.Accounts.
func (s Store) APIToken(ctx context.Context, tokenHash string) (*account.APIToken, error) {
	x, err := scanToken(s.read().QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, tokenHash).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: API token: %w", translate(err))
	}
	return &x, nil
}

// APITokens implements store.Accounts.
func (s Store) APITokens(ctx context.Context, userID int64) ([]account.APIToken, error) {
	var list []account.APIToken
	err := s.each(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
		[]any{userID}, func(sc func(...any) error) error {
			x, err := scanToken(sc)
			list = append(list, x)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: API tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// TouchAPIToken implements store.Accounts.
func (s Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return s.exec(ctx, fmt.Sprintf("touch API token %d", id), `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, micros(at), id)
}

// DeleteAPIToken implements store.Accounts.
func (s Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete API token %d: %w", id, err)
	}
	return nil
}

// ReserveLoginAttempt implements store.Accounts. The transaction first takes a transaction-level
// advisory lock on every bucket's key, in the keys' order (so two reservations never wait on each
// other in a circle), which serialises the count and the insert across connections and nodes.
func (s Store) ReserveLoginAttempt(ctx context.Context, buckets []account.Bucket, since, at time.Time) (id int64, oldest time.Time, err error) {
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = b.Key
	}
	slices.Sort(keys)
	err = s.write(ctx, func(q querier) error {
		id, oldest = 0, time.Time{} // a retried transaction starts afresh
		for _, k := range slices.Compact(keys) {
			if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 1))`, "broadsheet sign-in "+k); err != nil {
				return translate(err)
			}
		}
		for _, b := range buckets {
			var n int
			var old *int64
			if err := q.QueryRow(ctx, `SELECT COUNT(*), MIN(at) FROM login_attempts WHERE key = $1 AND at >= $2`,
				b.Key, since.UnixMicro()).Scan(&n, &old); err != nil {
				return translate(err)
			}
			if n >= b.Limit {
				oldest = fromMicros(old)
				return nil
			}
		}
		if err := q.QueryRow(ctx, `INSERT INTO login_attempt_ids (at) VALUES ($1) RETURNING id`, micros(at)).Scan(&id); err != nil {
			return translate(err)
		}
		for _, b := range buckets {
			if _, err := q.Exec(ctx, `INSERT INTO login_attempts (attempt_id, key, at) VALUES ($1, $2, $3)`,
				id, b.Key, micros(at)); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("postgres: reserve sign-in attempt: %w", err)
	}
	return id, oldest, nil
}

// ClearLoginAttempts implements store.Accounts.
func (s Store) ClearLoginAttempts(ctx context.Context, id int64, keys []string) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM login_attempt_ids WHERE id = $1`, id); err != nil {
			return translate(err)
		}
		_, err := q.Exec(ctx, `DELETE FROM login_attempts WHERE key = ANY($1)`, keys)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: clear sign-in attempts: %w", err)
	}
	return nil
}

// PruneLoginFailures implements store.Accounts.
func (s Store) PruneLoginFailures(ctx context.Context, before time.Time) error {
	return s.exec(ctx, "prune sign-in attempts", `DELETE FROM login_attempt_ids WHERE at < $1`, before.UnixMicro())
}

// CreateSetupToken implements store.Accounts.
func (s Store) CreateSetupToken(ctx context.Context, tokenHash string, expires time.Time) error {
	return s.exec(ctx, "create setup token", `INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)`,
		tokenHash, micros(expires))
}

// UseSetupToken implements store.Accounts.
func (s Store) UseSetupToken(ctx context.Context, tokenHash string) (time.Time, error) {
	var exp *int64
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRow(ctx, `DELETE FROM setup_tokens WHERE token_hash = $1 RETURNING expires_at`, tokenHash).Scan(&exp))
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: use setup token: %w", err)
	}
	return fromMicros(exp), nil
}

const revisionColumns = `id, article_id, version, autosave, COALESCE(user_id, 0), user_name, at, status, title, standfirst, body`

func scanRevision(sc func(...any) error) (store.Revision, error) {
	var r store.Revision
	var at *int64
	var status string
	err := sc(&r.ID, &r.ArticleID, &r.Version, &r.Autosave, &r.UserID, &r.UserName, &at, &status, &r.Title, &r.Standfirst, &r.Body)
	r.At, r.Status = fromMicros(at), article.Status(status)
	return r, err
}

// AddRevision implements store.Revisions.
func (s Store) AddRevision(ctx context.Context, r *store.Revision) error {
	err := s.write(ctx, func(q querier) error {
		if r.Autosave {
			if _, err := q.Exec(ctx, `DELETE FROM article_revisions WHERE article_id = $1 AND autosave AND user_id IS NOT DISTINCT FROM $2`,
				r.ArticleID, nullID(r.UserID)); err != nil {
				return translate(err)
			}
		}
		return translate(q.QueryRow(ctx, `INSERT INTO article_revisions (article_id, version, autosave, user_id,
			user_name, at, status, title, standfirst, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			r.ArticleID, r.Version, r.Autosave, nullID(r.UserID), r.UserName, micros(r.At), string(r.Status),
			r.Title, r.Standfirst, r.Body).Scan(&r.ID))
	})
	if err != nil {
		return fmt.Errorf("postgres: add revision of article %d: %w", r.ArticleID, err)
	}
	return nil
}

// Revisions implements store.Revisions.
func (s Store) Revisions(ctx context.Context, articleID int64) ([]store.Revision, error) {
	var list []store.Revision
	err := s.each(ctx, `SELECT `+revisionColumns+` FROM article_revisions WHERE article_id = $1 ORDER BY at DESC, id DESC`,
		[]any{articleID}, func(sc func(...any) error) error {
			r, err := scanRevision(sc)
			list = append(list, r)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: revisions of article %d: %w", articleID, err)
	}
	return list, nil
}

// Revision implements store.Revisions.
func (s Store) Revision(ctx context.Context, id int64) (*store.Revision, error) {
	r, err := scanRevision(s.read().QueryRow(ctx, `SELECT `+revisionColumns+` FROM article_revisions WHERE id = $1`, id).Scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: revision %d: %w", id, translate(err))
	}
	return &r, nil
}

// DeleteAutosave implements store.Revisions.
func (s Store) DeleteAutosave(ctx context.Context, articleID, userID int64) error {
	return s.exec(ctx, fmt.Sprintf("delete autosave of article %d", articleID),
		`DELETE FROM article_revisions WHERE article_id = $1 AND autosave AND user_id IS NOT DISTINCT FROM $2`, articleID, nullID(userID))
}

// Settings implements store.Settings.
func (s Store) Settings(ctx context.Context) (map[string]string, error) {
	kv := map[string]string{}
	err := s.each(ctx, `SELECT key, value FROM settings`, nil, func(sc func(...any) error) error {
		var k, v string
		err := sc(&k, &v)
		kv[k] = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	return kv, nil
}

// SaveSettings implements store.Settings.
func (s Store) SaveSettings(ctx context.Context, kv map[string]string) error {
	err := s.write(ctx, func(q querier) error {
		for k, v := range kv {
			if _, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return translate(err)
			}
		}
		_, err := q.Exec(ctx, `SELECT log_change('settings')`)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: save settings: %w", err)
	}
	return nil
}

// SaveTag implements store.Editorial. A rename also renames the tag in the search index.
func (s Store) SaveTag(ctx context.Context, x *article.Tag) error {
	err := s.write(ctx, func(q querier) error {
		if x.ID == 0 {
			return translate(q.QueryRow(ctx, `INSERT INTO tags (name, slug) VALUES ($1, $2) RETURNING id`,
				x.Name, x.Slug).Scan(&x.ID))
		}
		if err := affected(q.Exec(ctx, `UPDATE tags SET name = $1, slug = $2 WHERE id = $3`, x.Name, x.Slug, x.ID)); err != nil {
			return err
		}
		ids, err := tagged(ctx, q, x.ID)
		if err != nil {
			return err
		}
		return reindex(ctx, q, ids)
	})
	if err != nil {
		return fmt.Errorf("postgres: tag %q: %w", x.Slug, err)
	}
	return nil
}

// tagged returns the articles with tag id.
func tagged(ctx context.Context, q querier, id int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT article_id FROM article_tags WHERE tag_id = $1`, id)
	if err != nil {
		return nil, translate(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, translate(err)
}

// DeleteTag implements store.Editorial.
func (s Store) DeleteTag(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		ids, err := tagged(ctx, q, id)
		if err != nil {
			return err
		}
		if err := affected(q.Exec(ctx, `DELETE FROM tags WHERE id = $1`, id)); err != nil {
			return err
		}
		return reindex(ctx, q, ids)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete tag %d: %w", id, err)
	}
	return nil
}

// DeleteSection implements store.Editorial.
func (s Store) DeleteSection(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.Exec(ctx, `DELETE FROM sections WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete section %d: %w", id, err)
	}
	return nil
}

// DeleteAuthor implements store.Editorial.
func (s Store) DeleteAuthor(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		return affected(q.Exec(ctx, `DELETE FROM authors WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete author %d: %w", id, err)
	}
	return nil
}

// TaxonomyCounts implements store.Editorial.
func (s Store) TaxonomyCounts(ctx context.Context) (sections, tags, authors map[int64]int, err error) {
	sections, tags, authors = map[int64]int{}, map[int64]int{}, map[int64]int{}
	for _, c := range []struct {
		query string
		into  map[int64]int
	}{
		{`SELECT section_id, COUNT(*) FROM articles WHERE section_id IS NOT NULL GROUP BY section_id`, sections},
		{`SELECT tag_id, COUNT(*) FROM article_tags GROUP BY tag_id`, tags},
		{`SELECT author_id, COUNT(*) FROM article_authors GROUP BY author_id`, authors},
	} {
		err = s.each(ctx, c.query, nil, func(sc func(...any) error) error {
			var id int64
			var n int
			err := sc(&id, &n)
			c.into[id] = n
			return err
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("postgres: taxonomy counts: %w", err)
		}
	}
	return sections, tags, authors, nil
}

// PublishedTimes implements store.Editorial.
func (s Store) PublishedTimes(ctx context.Context, from, to time.Time) ([]time.Time, error) {
	var list []time.Time
	err := s.each(ctx, `SELECT a.published_at FROM articles a WHERE a.kind = 'story' AND `+liveCond("$1")+`
		AND a.published_at >= $2 AND a.published_at < $1 ORDER BY a.published_at`,
		[]any{to.UnixMicro(), from.UnixMicro()}, func(sc func(...any) error) error {
			var at *int64
			err := sc(&at)
			list = append(list, fromMicros(at))
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: published times: %w", err)
	}
	return list, nil
}
