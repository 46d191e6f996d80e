-- Indexes for the queries that grow with the archive, each proven by TestHotQueriesUseIndexes.
--
-- A commenter's address is compared without regard to case (author_email = ? COLLATE NOCASE),
-- which a BINARY index cannot answer: the trust check read every approved comment. This one
-- answers the trust check, the flood check's latest comment and the moderators' search by
-- address from the commenter's own rows.
DROP INDEX comments_email;
CREATE INDEX comments_email ON comments (author_email COLLATE NOCASE, created_at DESC);

-- A story's approved reader comments, counted for listings from the index alone and read in
-- date order without a sort; the old index lacked the type, so counting read every row.
DROP INDEX comments_article;
CREATE INDEX comments_article ON comments (article_id, status, type, created_at);

-- Every comment post forgets the expired form nonces.
CREATE INDEX comment_nonces_expires ON comment_nonces (expires_at);

-- Listings sort by COALESCE(published_at, updated_at): these walk the newest first and stop at
-- the page's end, reading status from the index rather than from rows past their bodies.
CREATE INDEX articles_kind_date ON articles (kind, COALESCE(published_at, updated_at) DESC, id DESC, status, published_at);
CREATE INDEX articles_section_date ON articles (section_id, COALESCE(published_at, updated_at) DESC, id DESC, status, published_at, kind);

-- Saving a story upserts its section, tags and bylines (ON CONFLICT DO UPDATE, to read back an
-- existing one's ID), which fired these triggers on every save: each saved story logged a change
-- for every story sharing its section, tags or bylines (thousands of rows per save on a large
-- site, and every one of those pages invalidated). They now fire on a real rename only.
DROP TRIGGER sections_au;
DROP TRIGGER tags_au;
DROP TRIGGER authors_au;
DROP TRIGGER sections_au_articles;
DROP TRIGGER tags_au_articles;
DROP TRIGGER authors_au_articles;
CREATE TRIGGER sections_au AFTER UPDATE ON sections
WHEN OLD.name IS NOT NEW.name OR OLD.slug IS NOT NEW.slug OR OLD.description IS NOT NEW.description BEGIN
    INSERT INTO change_log (key) VALUES ('section:' || NEW.id), ('front');
    INSERT INTO change_log (key) SELECT 'article:' || id FROM articles WHERE section_id = NEW.id;
END;
CREATE TRIGGER tags_au AFTER UPDATE ON tags
WHEN OLD.name IS NOT NEW.name OR OLD.slug IS NOT NEW.slug BEGIN
    INSERT INTO change_log (key) VALUES ('tag:' || NEW.id), ('front');
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_tags WHERE tag_id = NEW.id;
END;
CREATE TRIGGER authors_au AFTER UPDATE ON authors
WHEN OLD.name IS NOT NEW.name OR OLD.slug IS NOT NEW.slug OR OLD.bio IS NOT NEW.bio BEGIN
    INSERT INTO change_log (key) VALUES ('author:' || NEW.id), ('front');
    INSERT INTO change_log (key) SELECT 'article:' || article_id FROM article_authors WHERE author_id = NEW.id;
END;
