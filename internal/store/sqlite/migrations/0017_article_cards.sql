-- A story's card (what a related list shows of it: kind, status, date, section, slug, title)
-- from one index, without its row: the columns past the bodies (published_at, section_id) lie on
-- the row's overflow pages. articles_live_id stays: the fallback list's checks of a tag's last
-- stories read its narrower entries from fewer pages.
CREATE INDEX articles_card ON articles (id, kind, status, published_at, section_id, slug, title);
