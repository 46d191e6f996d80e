-- The picture library's catalogue; the files themselves live in the media store, under hash/.
CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    file        TEXT NOT NULL,
    type        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    sizes       TEXT NOT NULL DEFAULT '[]',
    social      TEXT NOT NULL DEFAULT '',
    alt         TEXT NOT NULL DEFAULT '',
    caption     TEXT NOT NULL DEFAULT '',
    credit      TEXT NOT NULL DEFAULT '',
    focus_x     REAL NOT NULL DEFAULT 0,
    focus_y     REAL NOT NULL DEFAULT 0,
    uploader_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX media_created ON media (created_at DESC, id DESC);
