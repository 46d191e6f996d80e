-- What imports created, keyed by the record's identifier at its source, so that importing a file
-- again updates instead of duplicating. A key goes with its article or comment.
CREATE TABLE import_keys (
    source     TEXT NOT NULL,
    key        TEXT NOT NULL,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    url        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, key),
    CHECK ((article_id IS NULL) != (comment_id IS NULL))
);
CREATE INDEX import_keys_article ON import_keys (article_id);
CREATE INDEX import_keys_comment ON import_keys (comment_id);
