-- The time zone the editor chose a story's publication time in, so the editor shows that time
-- as it was typed ("07:01 New York time"); empty means the newsroom's zone.
ALTER TABLE articles ADD COLUMN zone TEXT NOT NULL DEFAULT '';
