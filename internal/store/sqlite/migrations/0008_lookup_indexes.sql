-- Indexes for the queries that grow with the archive, each proven by TestHotQueriesUseIndexes.
--
-- A commenter's address is compared without regard to case (author_email = ? COLLATE NOCASE),
-- which a BINARY index cannot answer: the trust check read every approved comment. This one
-- answers the trust check, the flood check's latest comment and the moderators' search by
-- address from the commenter's own rows.
DROP INDEX comments_email;
CREATE INDEX comments_email ON comments (author_email COLLATE NOCASE, created_at DESC);

-- Every comment post forgets the expired form nonces.
CREATE INDEX comment_nonces_expires ON comment_nonces (expires_at);

-- Listings sort by COALESCE(published_at, updated_at): these walk the newest first and stop at
-- the page's end, reading status from the index rather than from rows past their bodies.
CREATE INDEX articles_kind_date ON articles (kind, COALESCE(published_at, updated_at) DESC, id DESC, status, published_at);
CREATE INDEX articles_section_date ON articles (section_id, COALESCE(published_at, updated_at) DESC, id DESC, status, published_at, kind);
