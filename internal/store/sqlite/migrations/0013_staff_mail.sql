-- Staff email: one-time set-password links (invitations, "Lost your password?", links handed
-- over by an administrator), stored by hash only, and the outbox of emails to staff. Times are
-- Unix microseconds (UTC).
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset', 'handover')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    stamp      TEXT NOT NULL -- a fingerprint of the password hash the link was made under
);
CREATE INDEX password_links_user ON password_links (user_id);

CREATE TABLE staff_mail (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('invite', 'reset', 'password', 'role', 'device')),
    detail     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL
);
CREATE INDEX staff_mail_next ON staff_mail (next_at);
CREATE INDEX staff_mail_user ON staff_mail (user_id);
