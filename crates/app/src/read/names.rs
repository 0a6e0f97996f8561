//! Records by what people call them: customer number, product code, order number.

use daybook_domain::StreamType;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::AppError;

/// The kinds of record people name by a number or code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    /// By customer number (`C-00001`).
    Customer,
    /// By product code (`KAN-0010`).
    Product,
    /// By order number (`SO-00001`).
    Order,
}

impl Named {
    /// The read model and the column people use.
    fn table_and_key(self) -> (&'static str, &'static str) {
        match self {
            Named::Customer => ("p_customers", "number"),
            Named::Product => ("p_products", "code"),
            Named::Order => ("p_orders", "number"),
        }
    }

    /// What people call the column: "number" or "code".
    pub fn key_name(self) -> &'static str {
        self.table_and_key().1
    }
}

/// Whether a record of `kind` has this id.
pub(crate) fn exists(conn: &Connection, kind: Named, id: Uuid) -> Result<bool, AppError> {
    let (table, _) = kind.table_and_key();
    Ok(conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Ids of the records of `kind` whose number or code is `key`: exact matches, else
/// case-insensitive ones; oldest first, at most ten.
pub(crate) fn find(conn: &Connection, kind: Named, key: &str) -> Result<Vec<Uuid>, AppError> {
    let (table, column) = kind.table_and_key();
    let key = key.trim();
    for collate in ["BINARY", "NOCASE"] {
        let ids = conn
            .prepare_cached(&format!(
                "SELECT id FROM {table} WHERE {column} = ?1 COLLATE {collate} \
                 ORDER BY created_at LIMIT 10"
            ))?
            .query_map([key], |r| r.get::<_, Uuid>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    Ok(Vec::new())
}

/// The kind of record a stream id belongs to, if any event has it.
pub(crate) fn stream_type(conn: &Connection, id: Uuid) -> Result<Option<StreamType>, AppError> {
    let t: Option<String> = conn
        .prepare_cached("SELECT stream_type FROM events WHERE stream_id = ?1 LIMIT 1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(t.as_deref().and_then(StreamType::parse))
}
