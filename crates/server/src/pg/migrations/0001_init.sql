-- Daybook server on PostgreSQL, migration 1: the registry (accounts, devices), the
-- accounts' event logs and the sync ledger. Every table of account data leads with
-- account_id, so the schema can be distributed by account (e.g. Citus) as it is.

CREATE TABLE accounts (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The account's last global sequence. Appends lock this row (SELECT ... FOR
    -- UPDATE) and move it in their transaction: see ARCHITECTURE.md.
    head       bigint      NOT NULL DEFAULT 0 CHECK (head >= 0)
);

CREATE TABLE devices (
    id         uuid        PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES accounts (id),
    name       text        NOT NULL,
    code       text        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    UNIQUE (account_id, code)
);

CREATE TABLE events (
    account_id     uuid        NOT NULL REFERENCES accounts (id),
    seq            bigint      NOT NULL CHECK (seq > 0),
    event_id       uuid        NOT NULL,
    stream_id      uuid        NOT NULL,
    stream_type    text        NOT NULL,
    revision       bigint      NOT NULL CHECK (revision > 0),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL,
    -- The JSON text exactly as the domain wrote it (jsonb would reorder keys, and
    -- replicas compare payloads byte for byte).
    payload        text        NOT NULL,
    user_id        text        NOT NULL,
    device_id      text        NOT NULL,
    command_id     uuid        NOT NULL,
    causation_id   uuid,
    correlation_id uuid,
    issued_at      timestamptz NOT NULL,
    committed_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, seq),
    UNIQUE (account_id, event_id),
    UNIQUE (account_id, stream_id, revision)
);

CREATE TABLE sync_commands (
    account_id   uuid        NOT NULL REFERENCES accounts (id),
    command_id   uuid        NOT NULL,
    device_id    uuid        NOT NULL,
    device_seq   bigint      NOT NULL,
    status       text        NOT NULL CHECK (status IN ('accepted', 'rejected')),
    error        text,
    first_seq    bigint,
    last_seq     bigint,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, command_id)
);

CREATE TABLE sync_devices (
    account_id uuid   NOT NULL REFERENCES accounts (id),
    device_id  uuid   NOT NULL,
    last_seq   bigint NOT NULL,
    PRIMARY KEY (account_id, device_id)
);
