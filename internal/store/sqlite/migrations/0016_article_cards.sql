-- A story's card (what a related list shows of it: kind, status, date, section, slug, title)
-- from one index, without its row: the columns past the bodies (published_at, section_id) lie on
-- the row's overflow pages. It extends articles_live_id, whose checks it answers as well.
CREATE INDEX articles_card ON articles (id, kind, status, published_at, section_id, slug, title);
DROP INDEX articles_live_id;
