-- Staff email: a changed sign-in email is told to the previous address and to the new one
-- (kinds 'email-old' and 'email-new'). SQLite cannot change a CHECK: the outbox is rebuilt.
CREATE TABLE staff_mail_v2 (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('invite', 'reset', 'password', 'role', 'device', 'email-old', 'email-new')),
    detail     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL
);
INSERT INTO staff_mail_v2 (id, user_id, kind, detail, created_at, attempts, next_at)
    SELECT id, user_id, kind, detail, created_at, attempts, next_at FROM staff_mail;
DROP TABLE staff_mail;
ALTER TABLE staff_mail_v2 RENAME TO staff_mail;
CREATE INDEX staff_mail_next ON staff_mail (next_at);
CREATE INDEX staff_mail_user ON staff_mail (user_id);
