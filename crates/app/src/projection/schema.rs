//! The read models' tables. They are derived data: when `PROJECTION_VERSION` changes,
//! the tables are dropped, recreated and rebuilt from the log on open.

/// Bump when any table below changes shape or meaning.
pub const PROJECTION_VERSION: &str = "4";

/// Every read-model table, for drop and for the rebuild comparison.
pub const TABLES: &[&str] = &[
    "p_customers",
    "p_customers_fts",
    "p_addresses",
    "p_products",
    "p_products_fts",
    "p_orders",
    "p_order_lines",
    "p_daily",
    "p_checkpoint",
];

/// Creates the tables (they must not exist).
pub const CREATE: &str = r#"
CREATE TABLE p_customers (
    id             BLOB    PRIMARY KEY,
    number         TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    vat_number     TEXT,
    email          TEXT,
    currency       TEXT    NOT NULL,
    spending_limit INTEGER,
    blocked        INTEGER NOT NULL DEFAULT 0,
    open_total     INTEGER NOT NULL DEFAULT 0,
    order_count    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    revision       INTEGER NOT NULL
);
CREATE INDEX p_customers_number ON p_customers (number);
CREATE INDEX p_customers_name ON p_customers (name COLLATE NOCASE);
-- `city`: the cities of the customer's addresses, so an order is found by its
-- customer's town (kept in step by the address events).
CREATE VIRTUAL TABLE p_customers_fts USING fts5 (
    number, name, city, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);

CREATE TABLE p_addresses (
    id          BLOB    PRIMARY KEY,
    customer_id BLOB    NOT NULL,
    position    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    street      TEXT    NOT NULL,
    postal_code TEXT    NOT NULL,
    city        TEXT    NOT NULL,
    country     TEXT    NOT NULL
);
CREATE INDEX p_addresses_customer ON p_addresses (customer_id, position);

CREATE TABLE p_products (
    id           BLOB    PRIMARY KEY,
    code         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    unit_price   INTEGER NOT NULL,
    vat_class    TEXT    NOT NULL,
    discontinued INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    revision     INTEGER NOT NULL
);
CREATE INDEX p_products_code ON p_products (code);
CREATE VIRTUAL TABLE p_products_fts USING fts5 (
    code, description, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);

CREATE TABLE p_orders (
    id                  BLOB    PRIMARY KEY,
    number              TEXT    NOT NULL,
    customer_id         BLOB    NOT NULL,
    status              TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    placed_at           INTEGER,
    delivered_at        INTEGER,
    invoiced_at         INTEGER,
    cancelled_at        INTEGER,
    line_count          INTEGER NOT NULL DEFAULT 0,
    net                 INTEGER NOT NULL DEFAULT 0,
    vat                 INTEGER NOT NULL DEFAULT 0,
    gross               INTEGER NOT NULL DEFAULT 0,
    customer_reference  TEXT,
    notes               TEXT,
    delivery_address_id BLOB,
    invoice_number      INTEGER,
    held_at             INTEGER,
    held_by             TEXT,
    updated_at          INTEGER NOT NULL,
    revision            INTEGER NOT NULL,
    -- The number's serial digits without leading zeros (SO-D2-04321 -> 4321): a
    -- person types "4321", and prefix search on it stays an index range.
    serial              TEXT    NOT NULL DEFAULT ''
);
-- With `id`, the list's own order (ties broken by id): a page is an index range; with
-- `status`, the list leaves discarded drafts out from the index alone.
CREATE INDEX p_orders_created ON p_orders (created_at, id, status);
CREATE INDEX p_orders_gross ON p_orders (gross, id, status);
CREATE INDEX p_orders_status ON p_orders (status, created_at);
CREATE INDEX p_orders_customer ON p_orders (customer_id, created_at);
CREATE INDEX p_orders_number ON p_orders (number);
CREATE INDEX p_orders_number_nocase ON p_orders (number COLLATE NOCASE);
CREATE INDEX p_orders_reference ON p_orders (customer_reference COLLATE NOCASE);
CREATE INDEX p_orders_serial ON p_orders (serial);

CREATE TABLE p_order_lines (
    order_id    BLOB    NOT NULL,
    line_id     BLOB    NOT NULL,
    position    INTEGER NOT NULL,
    product_id  BLOB    NOT NULL,
    code        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_price  INTEGER NOT NULL,
    discount_bp INTEGER NOT NULL,
    vat_class   TEXT    NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    net         INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_id)
) WITHOUT ROWID;
-- The orders holding a product (search by product code or word).
CREATE INDEX p_order_lines_product ON p_order_lines (product_id);

CREATE TABLE p_daily (
    day      TEXT    NOT NULL,
    currency TEXT    NOT NULL,
    orders   INTEGER NOT NULL,
    net      INTEGER NOT NULL,
    gross    INTEGER NOT NULL,
    PRIMARY KEY (day, currency)
) WITHOUT ROWID;

CREATE TABLE p_checkpoint (
    name TEXT    PRIMARY KEY,
    seq  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO p_checkpoint (name, seq) VALUES ('read_models', 0);
"#;
