package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/comment"
	"github.com/broadsheet/broadsheet/internal/store"
)

const commentColumns = `id, article_id, COALESCE(parent_id, 0), type, status, author_name, author_email, author_url,
	author_ip, user_agent, staff_id, content, created_at, featured, notify, reasons, spam_score`

func scanComment(sc func(...any) error) (*comment.Comment, error) {
	var c comment.Comment
	var typ, status, reasons string
	var created sql.NullInt64
	err := sc(&c.ID, &c.ArticleID, &c.ParentID, &typ, &status, &c.AuthorName, &c.AuthorEmail, &c.AuthorURL,
		&c.AuthorIP, &c.UserAgent, &c.StaffID, &c.Content, &created, &c.Featured, &c.Notify, &reasons, &c.SpamScore)
	if err != nil {
		return nil, err
	}
	c.Type, c.Status, c.CreatedAt = comment.Type(typ), comment.Status(status), fromMicros(created)
	if reasons != "" {
		c.Reasons = strings.Split(reasons, "\n")
	}
	return &c, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateComment implements store.Comments.
func (s Store) CreateComment(ctx context.Context, c *comment.Comment) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if c.Type == "" {
		c.Type = comment.Regular
	}
	err := s.write(ctx, func(q querier) error {
		// The new row's ID from the connection (the writer's own) rather than RETURNING, which
		// costs a result set.
		res, err := q.ExecContext(ctx, `INSERT INTO comments (article_id, parent_id, type, status, author_name,
			author_email, author_url, author_ip, user_agent, staff_id, content, created_at, featured, notify, reasons, spam_score)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ArticleID, nullID(c.ParentID), string(c.Type), string(c.Status), c.AuthorName, c.AuthorEmail, c.AuthorURL,
			c.AuthorIP, c.UserAgent, c.StaffID, c.Content, micros(c.CreatedAt), c.Featured, c.Notify,
			strings.Join(c.Reasons, "\n"), c.SpamScore)
		if err != nil {
			return translate(err)
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create comment on %d: %w", c.ArticleID, err)
	}
	return nil
}

// Comment implements store.Comments.
func (s Store) Comment(ctx context.Context, id int64) (*comment.Comment, error) {
	c, err := scanComment(s.read().QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: comment %d: %w", id, translate(err))
	}
	return c, nil
}

// UpdateComment implements store.Comments.
func (s Store) UpdateComment(ctx context.Context, c *comment.Comment) error {
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE comments SET author_name = ?, author_email = ?, author_url = ?, content = ?,
			status = ?, featured = ?, notify = ?, reasons = ?, spam_score = ? WHERE id = ?`,
			c.AuthorName, c.AuthorEmail, c.AuthorURL, c.Content, string(c.Status), c.Featured, c.Notify,
			strings.Join(c.Reasons, "\n"), c.SpamScore, c.ID)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: update comment %d: %w", c.ID, err)
	}
	return nil
}

// SetCommentStatus implements store.Comments.
func (s Store) SetCommentStatus(ctx context.Context, ids []int64, status comment.Status) ([]*comment.Comment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var changed []*comment.Comment
	err := s.write(ctx, func(q querier) error {
		in := "(" + placeholders(len(ids)) + ")"
		rows, err := q.QueryContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id IN `+in+` AND status != ? ORDER BY id`,
			append(int64Args(ids), string(status))...)
		if err != nil {
			return translate(err)
		}
		for rows.Next() {
			c, err := scanComment(rows.Scan)
			if err != nil {
				rows.Close()
				return translate(err)
			}
			changed = append(changed, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		_, err = q.ExecContext(ctx, `UPDATE comments SET status = ? WHERE id IN `+in, append([]any{string(status)}, int64Args(ids)...)...)
		return translate(err)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set comments %v to %s: %w", ids, status, err)
	}
	return changed, nil
}

// DeleteComment implements store.Comments.
func (s Store) DeleteComment(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `UPDATE comments SET parent_id = (SELECT parent_id FROM comments WHERE id = ?)
			WHERE parent_id = ?`, id, id); err != nil {
			return translate(err)
		}
		res, err := q.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete comment %d: %w", id, err)
	}
	return nil
}

// ListComments implements store.Comments.
func (s Store) ListComments(ctx context.Context, q store.CommentQuery) ([]*comment.Comment, int, error) {
	var where []string
	var args []any
	if q.ArticleID != 0 {
		where, args = append(where, "c.article_id = ?"), append(args, q.ArticleID)
	}
	if q.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, string(q.Status))
	}
	if q.Type != "" {
		where, args = append(where, "c.type = ?"), append(args, string(q.Type))
	}
	if q.Email != "" {
		where, args = append(where, "c.author_email = ? COLLATE NOCASE"), append(args, q.Email)
	}
	if q.IP != "" {
		where, args = append(where, "c.author_ip = ?"), append(args, q.IP)
	}
	if q.Text != "" {
		where, args = append(where, "(instr(lower(c.content), lower(?)) > 0 OR instr(lower(c.author_name), lower(?)) > 0)"), append(args, q.Text, q.Text)
	}
	if !q.LiveAt.IsZero() {
		where, args = append(where, "c.article_id IN (SELECT a.id FROM articles a WHERE "+liveCond+")"), append(args, q.LiveAt.UnixMicro())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// A list of every comment selected is its own count (a story page's comments).
	whole := q.Limit <= 0 && q.Offset <= 0
	var total int
	if !whole {
		if err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM comments c`+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("sqlite: list comments: %w", translate(err))
		}
	}
	order := "DESC"
	if q.Oldest {
		order = "ASC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	var list []*comment.Comment
	err := s.each(ctx, `SELECT `+strings.ReplaceAll(commentColumns, "id, article_id", "c.id, c.article_id")+` FROM comments c`+cond+
		` ORDER BY c.created_at `+order+`, c.id `+order+` LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0)),
		func(sc func(...any) error) error {
			c, err := scanComment(sc)
			if err != nil {
				return err
			}
			list = append(list, c)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list comments: %w", err)
	}
	if whole {
		total = len(list)
	}
	return list, total, nil
}

// CommentCounts implements store.Comments.
func (s Store) CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error) {
	counts := make(map[int64]int, len(articleIDs))
	if len(articleIDs) == 0 {
		return counts, nil
	}
	err := s.each(ctx, `SELECT article_id, COUNT(*) FROM comments WHERE status = 'approved' AND type = 'comment' AND article_id IN (`+
		placeholders(len(articleIDs))+`) GROUP BY article_id`, int64Args(articleIDs),
		func(sc func(...any) error) error {
			var id int64
			var n int
			if err := sc(&id, &n); err != nil {
				return err
			}
			counts[id] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: comment counts: %w", err)
	}
	return counts, nil
}

// CommentStatusCounts implements store.Comments.
func (s Store) CommentStatusCounts(ctx context.Context) (map[comment.Status]int, error) {
	counts := map[comment.Status]int{}
	err := s.each(ctx, `SELECT status, COUNT(*) FROM comments GROUP BY status`, nil, func(sc func(...any) error) error {
		var st string
		var n int
		if err := sc(&st, &n); err != nil {
			return err
		}
		counts[comment.Status(st)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: comment status counts: %w", err)
	}
	return counts, nil
}

// LastCommentAt implements store.Comments.
func (s Store) LastCommentAt(ctx context.Context, ip, email string) (time.Time, error) {
	var at sql.NullInt64
	err := s.read().QueryRowContext(ctx, `SELECT MAX(t) FROM (
		SELECT MAX(created_at) AS t FROM comments WHERE ? != '' AND author_ip = ?
		UNION ALL SELECT MAX(created_at) FROM comments WHERE ? != '' AND author_email = ? COLLATE NOCASE)`,
		ip, ip, email, email).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: last comment: %w", translate(err))
	}
	return fromMicros(at), nil
}

// DuplicateComment implements store.Comments.
func (s Store) DuplicateComment(ctx context.Context, articleID int64, name, email, content string) (bool, error) {
	// With an address, the commenter's own comments on the story are searched (a popular story
	// has thousands, a regular commenter hundreds); without one, the story's.
	query := `SELECT COUNT(*) FROM comments INDEXED BY comments_email_article WHERE author_email = ? COLLATE NOCASE
		AND article_id = ? AND content = ? AND status != 'trash'`
	key := email
	if email == "" {
		query = `SELECT COUNT(*) FROM comments WHERE author_name = ? AND article_id = ? AND content = ? AND status != 'trash'`
		key = name
	}
	var n int
	err := s.read().QueryRowContext(ctx, query, key, articleID, content).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: duplicate comment: %w", translate(err))
	}
	return n > 0, nil
}

// Trusted implements store.Comments.
func (s Store) Trusted(ctx context.Context, email string) (bool, error) {
	if email == "" {
		return false, nil
	}
	var n int
	err := s.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM commenters v WHERE v.email = lower(?)
		AND EXISTS (SELECT 1 FROM comments c WHERE c.author_email = ? COLLATE NOCASE AND c.status = 'approved')`,
		email, email).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: trusted: %w", translate(err))
	}
	return n > 0, nil
}

// VerifyEmail implements store.Comments.
func (s Store) VerifyEmail(ctx context.Context, email string, at time.Time) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO commenters (email, verified_at) VALUES (lower(?), ?)
			ON CONFLICT (email) DO NOTHING`, email, micros(at))
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: verify email: %w", err)
	}
	return nil
}

// UseNonce implements store.Comments.
func (s Store) UseNonce(ctx context.Context, nonce string, expires, now time.Time) error {
	err := s.write(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM comment_nonces WHERE expires_at < ?`, now.UnixMicro()); err != nil {
			return translate(err)
		}
		_, err := q.ExecContext(ctx, `INSERT INTO comment_nonces (nonce, expires_at) VALUES (?, ?)`, nonce, micros(expires))
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: form nonce: %w", err)
	}
	return nil
}

// SaveBan implements store.Comments.
func (s Store) SaveBan(ctx context.Context, b *comment.Ban) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = time.Now().UTC()
	}
	err := s.write(ctx, func(q querier) error {
		return translate(q.QueryRowContext(ctx, `INSERT INTO comment_bans (kind, value, reason, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, b.Kind, strings.ToLower(b.Value), b.Reason, micros(b.CreatedAt), micros(b.ExpiresAt)).Scan(&b.ID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: save ban: %w", err)
	}
	return nil
}

// DeleteBan implements store.Comments.
func (s Store) DeleteBan(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `DELETE FROM comment_bans WHERE id = ?`, id)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete ban %d: %w", id, err)
	}
	return nil
}

func scanBan(sc func(...any) error) (comment.Ban, error) {
	var b comment.Ban
	var created, expires sql.NullInt64
	err := sc(&b.ID, &b.Kind, &b.Value, &b.Reason, &created, &expires)
	b.CreatedAt, b.ExpiresAt = fromMicros(created), fromMicros(expires)
	return b, err
}

// Bans implements store.Comments.
func (s Store) Bans(ctx context.Context) ([]comment.Ban, error) {
	var list []comment.Ban
	err := s.each(ctx, `SELECT id, kind, value, reason, created_at, expires_at FROM comment_bans ORDER BY created_at DESC, id DESC`, nil,
		func(sc func(...any) error) error {
			b, err := scanBan(sc)
			list = append(list, b)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: bans: %w", err)
	}
	return list, nil
}

// Banned implements store.Comments.
func (s Store) Banned(ctx context.Context, email, ip string, now time.Time) (comment.Ban, error) {
	b, err := scanBan(s.read().QueryRowContext(ctx, `SELECT id, kind, value, reason, created_at, expires_at FROM comment_bans
		WHERE ((kind = 'email' AND value = lower(?) AND ? != '') OR (kind = 'ip' AND value = ? AND ? != ''))
		AND (expires_at IS NULL OR expires_at > ?) ORDER BY id LIMIT 1`, email, email, ip, ip, now.UnixMicro()).Scan)
	if err != nil {
		return b, fmt.Errorf("sqlite: banned: %w", translate(err))
	}
	return b, nil
}

// SpamCounts implements store.Comments.
func (s Store) SpamCounts(ctx context.Context, tokens []string) (map[string]comment.TokenCounts, int, int, error) {
	counts := make(map[string]comment.TokenCounts, len(tokens))
	var spam, ham int
	if err := s.read().QueryRowContext(ctx, `SELECT spam, ham FROM spam_totals WHERE id = 1`).Scan(&spam, &ham); err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: spam counts: %w", translate(err))
	}
	if len(tokens) == 0 {
		return counts, spam, ham, nil
	}
	// One statement for any number of tokens: they travel as one JSON array.
	list, err := json.Marshal(tokens)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: spam counts: %w", err)
	}
	err = s.each(ctx, `SELECT token, spam, ham FROM spam_tokens WHERE token IN (SELECT value FROM json_each(?))`, []any{string(list)},
		func(sc func(...any) error) error {
			var t string
			var c comment.TokenCounts
			if err := sc(&t, &c.Spam, &c.Ham); err != nil {
				return err
			}
			counts[t] = c
			return nil
		})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: spam counts: %w", err)
	}
	return counts, spam, ham, nil
}

// postFactsQuery is Banned, LastCommentAt, DuplicateComment, Trusted and SpamCounts in one
// statement: ?1 email, ?2 IP, ?3 now, ?4 article, ?5 name, ?6 content, ?7 the tokens (a JSON array).
const postFactsQuery = `SELECT
	EXISTS (SELECT 1 FROM comment_bans WHERE ((kind = 'email' AND value = lower(?1) AND ?1 != '')
		OR (kind = 'ip' AND value = ?2 AND ?2 != '')) AND (expires_at IS NULL OR expires_at > ?3)),
	(SELECT MAX(t) FROM (SELECT MAX(created_at) AS t FROM comments WHERE ?2 != '' AND author_ip = ?2
		UNION ALL SELECT MAX(created_at) FROM comments WHERE ?1 != '' AND author_email = ?1 COLLATE NOCASE)),
	CASE WHEN ?1 != '' THEN EXISTS (SELECT 1 FROM comments INDEXED BY comments_email_article WHERE author_email = ?1 COLLATE NOCASE
			AND article_id = ?4 AND content = ?6 AND status != 'trash')
		ELSE EXISTS (SELECT 1 FROM comments WHERE author_name = ?5 AND article_id = ?4 AND content = ?6 AND status != 'trash') END,
	?1 != '' AND EXISTS (SELECT 1 FROM commenters v WHERE v.email = lower(?1)
		AND EXISTS (SELECT 1 FROM comments c WHERE c.author_email = ?1 COLLATE NOCASE AND c.status = 'approved')),
	t.spam, t.ham,
	CASE WHEN ?7 != '[]' THEN (SELECT json_group_object(token, json_array(spam, ham)) FROM spam_tokens
		WHERE token IN (SELECT value FROM json_each(?7))) END
	FROM spam_totals t WHERE t.id = 1`

// PostFacts implements store.Comments.
func (s Store) PostFacts(ctx context.Context, q store.PostCheck) (store.PostFacts, error) {
	f := store.PostFacts{Counts: make(map[string]comment.TokenCounts, len(q.Tokens))}
	list := []byte("[]")
	if len(q.Tokens) > 0 {
		var err error
		if list, err = json.Marshal(q.Tokens); err != nil {
			return f, fmt.Errorf("sqlite: post facts: %w", err)
		}
	}
	var last sql.NullInt64
	var known sql.NullString
	done, err := s.readTurn(ctx)
	if err != nil {
		return f, fmt.Errorf("sqlite: post facts: %w", err)
	}
	defer done()
	err = s.read().QueryRowContext(ctx, postFactsQuery, q.Email, q.IP, q.Now.UnixMicro(), q.ArticleID, q.Name, q.Content,
		string(list)).Scan(&f.Banned, &last, &f.Duplicate, &f.Trusted, &f.Spam, &f.Ham, &known)
	if err != nil {
		return f, fmt.Errorf("sqlite: post facts: %w", translate(err))
	}
	f.LastPostedAt = fromMicros(last)
	if known.Valid {
		var counts map[string][2]int
		if err := json.Unmarshal([]byte(known.String), &counts); err != nil {
			return f, fmt.Errorf("sqlite: post facts: %w", err)
		}
		for t, c := range counts {
			f.Counts[t] = comment.TokenCounts{Spam: c[0], Ham: c[1]}
		}
	}
	return f, nil
}

// TrainSpam implements store.Comments.
func (s Store) TrainSpam(ctx context.Context, tokens []string, spam bool, delta int) error {
	col := "ham"
	if spam {
		col = "spam"
	}
	err := s.write(ctx, func(q querier) error {
		for _, t := range tokens {
			if _, err := q.ExecContext(ctx, `INSERT INTO spam_tokens (token, `+col+`) VALUES (?, MAX(?, 0))
				ON CONFLICT (token) DO UPDATE SET `+col+` = MAX(`+col+` + ?, 0)`, t, delta, delta); err != nil {
				return translate(err)
			}
		}
		_, err := q.ExecContext(ctx, `UPDATE spam_totals SET `+col+` = MAX(`+col+` + ?, 0) WHERE id = 1`, delta)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: train spam: %w", err)
	}
	return nil
}

// Secret implements store.Comments.
func (s Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.read().QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if err != sql.ErrNoRows {
		return nil, fmt.Errorf("sqlite: secret %q: %w", name, translate(err))
	}
	err = s.write(ctx, func(q querier) error {
		fresh := make([]byte, 32)
		rand.Read(fresh)
		if _, err := q.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
			return translate(err)
		}
		return translate(q.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: secret %q: %w", name, err)
	}
	return v, nil
}

// EraseCommenter implements store.Comments.
func (s Store) EraseCommenter(ctx context.Context, email string) (int, error) {
	if email == "" {
		// An empty address would match every comment imported without one.
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE comments SET author_name = 'Anonymous', author_email = '', author_url = '',
			author_ip = '', user_agent = '', notify = 0 WHERE author_email = ? COLLATE NOCASE`, email)
		if err != nil {
			return translate(err)
		}
		n, _ = res.RowsAffected()
		_, err = q.ExecContext(ctx, `DELETE FROM commenters WHERE email = lower(?)`, email)
		return translate(err)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: erase commenter: %w", err)
	}
	return int(n), nil
}

// QueueNotice implements store.Comments.
func (s Store) QueueNotice(ctx context.Context, commentID int64, kind string, now time.Time) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO comment_notices (comment_id, kind, created_at, next_at) VALUES (?, ?, ?, ?)`,
			commentID, kind, micros(now), micros(now))
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: queue %s notice of comment %d: %w", kind, commentID, err)
	}
	return nil
}

// DueNotices implements store.Comments.
func (s Store) DueNotices(ctx context.Context, now time.Time, limit int) ([]store.Notice, error) {
	var list []store.Notice
	err := s.each(ctx, `SELECT id, comment_id, kind, attempts FROM comment_notices WHERE next_at <= ? ORDER BY next_at, id LIMIT ?`,
		[]any{now.UnixMicro(), limit}, func(sc func(...any) error) error {
			var n store.Notice
			if err := sc(&n.ID, &n.CommentID, &n.Kind, &n.Attempts); err != nil {
				return err
			}
			list = append(list, n)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: due notices: %w", err)
	}
	return list, nil
}

// QueuedNotices implements store.Comments.
func (s Store) QueuedNotices(ctx context.Context) (int, error) {
	n := 0
	err := s.each(ctx, `SELECT count(*) FROM comment_notices`, nil, func(sc func(...any) error) error { return sc(&n) })
	if err != nil {
		return 0, fmt.Errorf("sqlite: queued notices: %w", err)
	}
	return n, nil
}

// DoneNotice implements store.Comments.
func (s Store) DoneNotice(ctx context.Context, id int64) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `DELETE FROM comment_notices WHERE id = ?`, id)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: notice %d: %w", id, err)
	}
	return nil
}

// RetryNotice implements store.Comments.
func (s Store) RetryNotice(ctx context.Context, id int64, next time.Time) error {
	err := s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `UPDATE comment_notices SET attempts = attempts + 1, next_at = ? WHERE id = ?`, micros(next), id)
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: notice %d: %w", id, err)
	}
	return nil
}
