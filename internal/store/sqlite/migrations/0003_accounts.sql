-- The newsroom: staff users, sessions, API tokens, failed sign-ins, the first-run setup token,
-- story revisions, site settings, and change-log triggers for the admin's taxonomy edits.
-- Times are Unix microseconds (UTC). Sessions and tokens are stored as SHA-256 hashes only.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('administrator', 'editor', 'author', 'contributor', 'moderator')),
    password_hash TEXT NOT NULL, -- PRIVATE: argon2id, PHC form
    author_id     INTEGER REFERENCES authors (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    ip         TEXT NOT NULL DEFAULT '', -- PRIVATE
    user_agent TEXT NOT NULL DEFAULT ''  -- PRIVATE
);
CREATE INDEX sessions_user ON sessions (user_id, last_seen DESC);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used  INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at DESC);

-- Failed sign-ins, by the email typed (whether or not a user has it) and by address.
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL, -- PRIVATE
    ip    TEXT NOT NULL, -- PRIVATE
    at    INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- The one-time address printed on first start, while no administrator exists.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE TABLE article_revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    autosave   INTEGER NOT NULL DEFAULT 0,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_name  TEXT NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    status     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    standfirst TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, at DESC, id DESC);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Renaming or deleting a section, tag or byline changes every page that shows it, story pages
-- included.
CREATE TRIGGER sections_au_articles AFTER UPDATE ON sections BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || id FROM articles WHERE section_id = NEW.id;
END;
CREATE TRIGGER tags_au_articles AFTER UPDATE ON tags BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_tags WHERE tag_id = NEW.id;
END;
CREATE TRIGGER authors_au_articles AFTER UPDATE ON authors BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_authors WHERE author_id = NEW.id;
END;
CREATE TRIGGER sections_bd BEFORE DELETE ON sections BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || id FROM articles WHERE section_id = OLD.id;
    INSERT INTO change_log (key) VALUES ('section:' || OLD.id), ('front');
END;
CREATE TRIGGER tags_bd BEFORE DELETE ON tags BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_tags WHERE tag_id = OLD.id;
    INSERT INTO change_log (key) VALUES ('tag:' || OLD.id), ('front');
END;
CREATE TRIGGER authors_bd BEFORE DELETE ON authors BEGIN
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_authors WHERE author_id = OLD.id;
    INSERT INTO change_log (key) VALUES ('author:' || OLD.id), ('front');
END;
