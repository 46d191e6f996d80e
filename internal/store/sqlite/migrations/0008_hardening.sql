-- Sign-in attempts are reserved before the password is checked, in every throttle bucket they
-- count in (account.Throttle.Buckets); a successful sign-in deletes its own. Times are Unix
-- microseconds (UTC).
DROP TABLE login_failures;

CREATE TABLE login_attempt_ids (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);
CREATE INDEX login_attempt_ids_at ON login_attempt_ids (at);

CREATE TABLE login_attempts (
    attempt_id INTEGER NOT NULL REFERENCES login_attempt_ids (id) ON DELETE CASCADE,
    key        TEXT NOT NULL, -- PRIVATE: holds the email and address typed
    at         INTEGER NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, at);
CREATE INDEX login_attempts_attempt ON login_attempts (attempt_id);

-- API tokens may expire; a password change ends them with the sessions.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
