-- Daybook server on PostgreSQL, migration 3: people. Users of an account (login unique
-- on the server, Argon2id password hash), their sessions on devices; a device is a
-- service device with a role of its own, or (role NULL) a device people sign in on.

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    account_id    uuid        NOT NULL REFERENCES accounts (id),
    login         text        NOT NULL UNIQUE,
    name          text        NOT NULL,
    role          text        NOT NULL,
    password_hash text        NOT NULL,
    enabled       boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_by_account ON users (account_id, login);

ALTER TABLE devices ADD COLUMN role text DEFAULT 'admin';
ALTER TABLE devices ADD COLUMN app_version text;
ALTER TABLE devices ADD COLUMN last_seen timestamptz;

CREATE TABLE sessions (
    id         uuid        PRIMARY KEY,
    token_hash bytea       NOT NULL UNIQUE,
    user_id    uuid        NOT NULL REFERENCES users (id),
    device_id  uuid        NOT NULL REFERENCES devices (id),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at   timestamptz
);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_by_device ON sessions (device_id) WHERE ended_at IS NULL;
