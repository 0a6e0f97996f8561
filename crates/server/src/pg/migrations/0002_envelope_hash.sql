-- Daybook server on PostgreSQL, migration 2: the hash of each recorded command's
-- envelope, so a command id reused for other content is refused rather than answered
-- as a duplicate. Rows from before have none (answered as before).

ALTER TABLE sync_commands ADD COLUMN envelope_hash bytea;
