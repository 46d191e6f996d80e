-- A library item's description: longer words about the picture than its caption, as WordPress
-- keeps with an attachment (its content); imported from and exported to WordPress.
ALTER TABLE media ADD COLUMN description TEXT NOT NULL DEFAULT '';
