-- Editors' pins and exclusions for "More Related Stories", and a change-log key of their own for
-- stored related lists: a recomputed list changes the story page ("related:ID") but is not an
-- edit of the story, which would make the related index recompute it again.

CREATE TABLE related_rules (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('pin', 'exclude')),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, related_id)
);

DROP TRIGGER related_links_ai;
DROP TRIGGER related_links_ad;
CREATE TRIGGER related_links_ai AFTER INSERT ON related_links BEGIN
    INSERT INTO change_log (key) VALUES ('related:' || NEW.article_id);
END;
CREATE TRIGGER related_links_ad AFTER DELETE ON related_links BEGIN
    INSERT INTO change_log (key) VALUES ('related:' || OLD.article_id);
END;
CREATE TRIGGER related_rules_ai AFTER INSERT ON related_rules BEGIN
    INSERT INTO change_log (key) VALUES ('rules:' || NEW.article_id);
END;
CREATE TRIGGER related_rules_ad AFTER DELETE ON related_rules BEGIN
    INSERT INTO change_log (key) VALUES ('rules:' || OLD.article_id);
END;
