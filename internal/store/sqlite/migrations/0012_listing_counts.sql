-- The fallback related list checks each story sharing a tag for kind and status: columns that
-- lie past the bodies, on overflow pages. This index answers that check by ID without the row,
-- and the tag index now carries the story's ID, so a tag's stories come from the index alone.
CREATE INDEX articles_live_id ON articles (id, kind, status, published_at);
DROP INDEX article_tags_tag;
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- How many articles there are of each kind, section and status, kept by triggers, so that a
-- listing's page count reads a few rows rather than one index entry per story (every story, on
-- the front page). Section 0 stands for "no section".
CREATE TABLE article_counts (
    kind       TEXT NOT NULL,
    section_id INTEGER NOT NULL,
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (kind, section_id, status)
) WITHOUT ROWID;
INSERT INTO article_counts (kind, section_id, status, n)
    SELECT kind, COALESCE(section_id, 0), status, COUNT(*) FROM articles GROUP BY 1, 2, 3;

CREATE TRIGGER articles_ai_counts AFTER INSERT ON articles BEGIN
    INSERT INTO article_counts (kind, section_id, status, n) VALUES (NEW.kind, COALESCE(NEW.section_id, 0), NEW.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER articles_ad_counts AFTER DELETE ON articles BEGIN
    UPDATE article_counts SET n = n - 1
        WHERE kind = OLD.kind AND section_id = COALESCE(OLD.section_id, 0) AND status = OLD.status;
END;
CREATE TRIGGER articles_au_counts AFTER UPDATE OF kind, section_id, status ON articles
WHEN OLD.kind IS NOT NEW.kind OR OLD.section_id IS NOT NEW.section_id OR OLD.status IS NOT NEW.status BEGIN
    UPDATE article_counts SET n = n - 1
        WHERE kind = OLD.kind AND section_id = COALESCE(OLD.section_id, 0) AND status = OLD.status;
    INSERT INTO article_counts (kind, section_id, status, n) VALUES (NEW.kind, COALESCE(NEW.section_id, 0), NEW.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
