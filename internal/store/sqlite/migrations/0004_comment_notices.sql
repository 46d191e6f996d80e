-- The outbox of comment notifications: written in the transaction that gives a comment its
-- status (by the server, the command line or an import), sent by the server's notifier, so a
-- notice survives a restart and an approval from any process is announced.
CREATE TABLE comment_notices (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('held', 'reply', 'verify')),
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL
);
CREATE INDEX comment_notices_next ON comment_notices (next_at);
