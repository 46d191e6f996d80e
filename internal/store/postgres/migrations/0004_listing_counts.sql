-- How many articles there are of each kind, section and status, kept by triggers, as SQLite's
-- 0012 has it, so that a listing's page count reads a few rows rather than one index entry (or,
-- for a section, one heap row) per story. Section 0 stands for "no section".
--
-- Each connection keeps its own counter rows (slot: its backend's process ID) and a count adds
-- up a key's slots: a counter row is locked until its writer commits, and no two open
-- transactions share a connection, so writers never wait on each other's counts (a long
-- transaction, such as an import, blocks no one) and the change log's commit-order numbering is
-- untouched. The housekeeping job (PruneChanges) folds the rows into slot 0, so they stay few.
CREATE TABLE article_counts (
    kind       text NOT NULL,
    section_id bigint NOT NULL,
    status     text NOT NULL,
    slot       integer NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (kind, section_id, status, slot)
);

CREATE FUNCTION articles_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO article_counts AS c (kind, section_id, status, slot, n)
            VALUES (OLD.kind, COALESCE(OLD.section_id, 0), OLD.status, pg_backend_pid(), -1)
            ON CONFLICT (kind, section_id, status, slot) DO UPDATE SET n = c.n - 1;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO article_counts AS c (kind, section_id, status, slot, n)
            VALUES (NEW.kind, COALESCE(NEW.section_id, 0), NEW.status, pg_backend_pid(), 1)
            ON CONFLICT (kind, section_id, status, slot) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END $$;

-- Creating the triggers locks out writers until this migration commits, so the backfill below
-- and the triggers see the same articles.
CREATE TRIGGER articles_count_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_count();
CREATE TRIGGER articles_count_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_count();
CREATE TRIGGER articles_count_update AFTER UPDATE OF kind, section_id, status ON articles
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.section_id IS DISTINCT FROM NEW.section_id
                       OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION articles_count();

INSERT INTO article_counts (kind, section_id, status, slot, n)
    SELECT kind, COALESCE(section_id, 0), status, 0, COUNT(*) FROM articles GROUP BY 1, 2, 3;

-- A tag listing still counts its stories: the tag's links, from an index that now carries the
-- story's ID, and each story's kind and status by ID, from an index that carries them, so
-- neither count reads a table row (SQLite's 0012 does the same).
DROP INDEX article_tags_tag;
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);
CREATE INDEX articles_live_id ON articles (id) INCLUDE (kind, status, published_at);

-- Listings sort by COALESCE(published_at, updated_at), which no index held: a front page sorted
-- every story for its first twelve. These walk the newest first and stop at the page's end, the
-- liveness checked from the index (SQLite's 0011 has the same two).
CREATE INDEX articles_kind_date ON articles (kind, (COALESCE(published_at, updated_at)) DESC, id DESC)
    INCLUDE (status, published_at);
CREATE INDEX articles_section_date ON articles (section_id, (COALESCE(published_at, updated_at)) DESC, id DESC)
    INCLUDE (status, published_at, kind);
