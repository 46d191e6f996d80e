-- Listings filter on section and status and sort by date. The table's rows start with the story
-- bodies, so reading section_id or status from a row can mean reading its overflow pages; these
-- indexes answer section listings, counts and the fallback related list from the index alone.
CREATE INDEX articles_section_live ON articles (section_id, status, published_at DESC, id DESC);
CREATE INDEX articles_kind_live ON articles (kind, status, published_at DESC, id DESC);
