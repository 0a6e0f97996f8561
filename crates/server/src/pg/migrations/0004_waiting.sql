-- Daybook server on PostgreSQL, migration 4: each device's unsynced work per person, as
-- the device last reported it (JSON: [{"user": login, "commands": n}]), so an admin sees
-- work stranded on a device for someone who is not signed in there.

ALTER TABLE devices ADD COLUMN waiting text;
ALTER TABLE devices ADD COLUMN waiting_at timestamptz;
