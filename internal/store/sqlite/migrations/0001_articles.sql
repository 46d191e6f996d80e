-- Stories, pages, bylines, sections, tags, redirects, related lists, search and the change log.
-- Times are Unix microseconds (UTC); NULL means "not set".

CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    bio  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'page')),
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    standfirst    TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    body_html     TEXT NOT NULL DEFAULT '',
    body_text     TEXT NOT NULL DEFAULT '',
    section_id    INTEGER REFERENCES sections (id) ON DELETE SET NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'scheduled', 'published', 'unpublished')),
    published_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    image_url     TEXT NOT NULL DEFAULT '',
    image_alt     TEXT NOT NULL DEFAULT '',
    comments_open INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_live ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_section ON articles (section_id, published_at DESC);

-- Former slugs, so that old URLs answer with a redirect.
CREATE TABLE article_slugs (
    slug       TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id);

CREATE TABLE article_notes (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('update', 'correction')),
    text       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX article_notes_article ON article_notes (article_id, at);

-- Old URL paths (from an import) and where they now live.
CREATE TABLE redirects (
    old_path TEXT PRIMARY KEY,
    new_path TEXT NOT NULL
);

-- Stored "More Related Stories" lists.
CREATE TABLE related_links (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    score      REAL NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX related_links_related ON related_links (related_id);

-- Full-text search over live and unpublished stories alike; queries filter by status.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, standfirst, body, tags,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- The change log: every write appends the keys of what it changed, whoever the writer is, so
-- that a server's page cache can invalidate exactly those pages.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL
);

CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || NEW.id);
    INSERT INTO change_log (key) SELECT 'front' WHERE NEW.status IN ('published', 'scheduled');
    INSERT INTO change_log (key) SELECT 'section:' || NEW.section_id
        WHERE NEW.status IN ('published', 'scheduled') AND NEW.section_id IS NOT NULL;
END;

CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || NEW.id);
    INSERT INTO change_log (key) SELECT 'front'
        WHERE NEW.status IN ('published', 'scheduled') OR OLD.status IN ('published', 'scheduled');
    INSERT INTO change_log (key) SELECT 'section:' || NEW.section_id
        WHERE NEW.section_id IS NOT NULL
          AND (NEW.status IN ('published', 'scheduled') OR OLD.status IN ('published', 'scheduled'));
    INSERT INTO change_log (key) SELECT 'section:' || OLD.section_id
        WHERE OLD.section_id IS NOT NULL AND OLD.section_id IS NOT NEW.section_id
          AND OLD.status IN ('published', 'scheduled');
END;

CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || OLD.id), ('front');
    INSERT INTO change_log (key) SELECT 'section:' || OLD.section_id WHERE OLD.section_id IS NOT NULL;
END;

CREATE TRIGGER article_tags_ai AFTER INSERT ON article_tags BEGIN
    INSERT INTO change_log (key) VALUES ('tag:' || NEW.tag_id);
END;
CREATE TRIGGER article_tags_ad AFTER DELETE ON article_tags BEGIN
    INSERT INTO change_log (key) VALUES ('tag:' || OLD.tag_id);
END;
CREATE TRIGGER article_authors_ai AFTER INSERT ON article_authors BEGIN
    INSERT INTO change_log (key) VALUES ('author:' || NEW.author_id);
END;
CREATE TRIGGER article_authors_ad AFTER DELETE ON article_authors BEGIN
    INSERT INTO change_log (key) VALUES ('author:' || OLD.author_id);
END;
CREATE TRIGGER article_notes_ai AFTER INSERT ON article_notes BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || NEW.article_id);
END;
CREATE TRIGGER sections_au AFTER UPDATE ON sections BEGIN
    INSERT INTO change_log (key) VALUES ('section:' || NEW.id), ('front');
END;
CREATE TRIGGER tags_au AFTER UPDATE ON tags BEGIN
    INSERT INTO change_log (key) VALUES ('tag:' || NEW.id), ('front');
END;
CREATE TRIGGER authors_au AFTER UPDATE ON authors BEGIN
    INSERT INTO change_log (key) VALUES ('author:' || NEW.id), ('front');
END;
CREATE TRIGGER related_links_ai AFTER INSERT ON related_links BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || NEW.article_id);
END;
CREATE TRIGGER related_links_ad AFTER DELETE ON related_links BEGIN
    INSERT INTO change_log (key) VALUES ('article:' || OLD.article_id);
END;
CREATE TRIGGER redirects_ai AFTER INSERT ON redirects BEGIN
    INSERT INTO change_log (key) VALUES ('front');
END;
