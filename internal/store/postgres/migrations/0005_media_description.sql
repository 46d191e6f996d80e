-- A library item's description, as SQLite's 0014 has it.
ALTER TABLE media ADD COLUMN description text NOT NULL DEFAULT '';
