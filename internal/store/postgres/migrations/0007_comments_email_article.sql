-- The duplicate check of a comment post (the same text from the same address on the same story)
-- from the commenter's comments on that story alone, rather than from all of the address's.
CREATE INDEX comments_email_article ON comments (lower(author_email), article_id);
