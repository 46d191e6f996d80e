-- Readers' comments, moderation and spam defence.

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    type         TEXT NOT NULL DEFAULT 'comment' CHECK (type IN ('comment', 'pingback', 'trackback')),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    author_name  TEXT NOT NULL DEFAULT '',
    author_email TEXT NOT NULL DEFAULT '', -- PRIVATE
    author_url   TEXT NOT NULL DEFAULT '',
    author_ip    TEXT NOT NULL DEFAULT '', -- PRIVATE
    user_agent   TEXT NOT NULL DEFAULT '', -- PRIVATE
    staff_id     INTEGER NOT NULL DEFAULT 0,
    content      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    featured     INTEGER NOT NULL DEFAULT 0,
    notify       INTEGER NOT NULL DEFAULT 0,
    reasons      TEXT NOT NULL DEFAULT '',
    spam_score   REAL NOT NULL DEFAULT 0.5
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at DESC);
CREATE INDEX comments_email ON comments (author_email, created_at DESC);
CREATE INDEX comments_ip ON comments (author_ip, created_at DESC);
CREATE INDEX comments_parent ON comments (parent_id);

-- Commenters who confirmed their email address through a one-time link.
CREATE TABLE commenters (
    email       TEXT PRIMARY KEY, -- PRIVATE, lower-cased
    verified_at INTEGER NOT NULL
);

CREATE TABLE comment_bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'ip')),
    value      TEXT NOT NULL, -- PRIVATE
    reason     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX comment_bans_value ON comment_bans (kind, value);

-- Used form-token nonces, so that a form cannot be posted twice.
CREATE TABLE comment_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- The local Bayesian classifier: in how many spam and not-spam comments each token appeared.
CREATE TABLE spam_tokens (
    token TEXT PRIMARY KEY,
    spam  INTEGER NOT NULL DEFAULT 0,
    ham   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE spam_totals (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    spam INTEGER NOT NULL DEFAULT 0,
    ham  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO spam_totals (id) VALUES (1);

-- Random keys for signing forms, links and avatars, made on first use.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TRIGGER comments_ai AFTER INSERT ON comments WHEN NEW.status = 'approved' BEGIN
    INSERT INTO change_log (key) VALUES ('comments:' || NEW.article_id), ('comments');
END;
CREATE TRIGGER comments_au AFTER UPDATE ON comments WHEN NEW.status = 'approved' OR OLD.status = 'approved' BEGIN
    INSERT INTO change_log (key) VALUES ('comments:' || NEW.article_id), ('comments');
END;
CREATE TRIGGER comments_ad AFTER DELETE ON comments WHEN OLD.status = 'approved' BEGIN
    INSERT INTO change_log (key) VALUES ('comments:' || OLD.article_id), ('comments');
END;
