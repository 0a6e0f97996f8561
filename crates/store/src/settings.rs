//! Typed settings: the store's `meta` table (one row per key) behind an enum of its
//! keys and a typed handle per key, so no caller spells a key or parses a value.
//!
//! Settings live in the store file, so they travel with backups and commit in the same
//! transaction as the data they describe (the sync cursor with the events it covers).

use std::marker::PhantomData;

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::StoreError;

/// Every key of the `meta` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// The tenant the store belongs to.
    AccountId,
    /// This store file's own id, made once: the key of its credentials (kept outside
    /// the store), and it travels with its backups, so a restore stays connected.
    StoreId,
    /// This device's name, recorded on its events.
    Device,
    /// This device's short code from the server (`D2`), used in numbers given offline.
    DeviceCode,
    /// The version of the read models' shape; a change rebuilds them.
    ProjectionVersion,
    /// The sync server's URL.
    SyncServer,
    /// This device's token on the sync server, as earlier builds kept it (tokens now
    /// live in the OS keychain or a private file, never in the store: read once to
    /// move it, then cleared).
    SyncToken,
    /// The last server sequence applied here.
    SyncCursor,
    /// The last per-device push sequence handed out.
    DeviceSeq,
    /// The last number handed out in the order series.
    OrderCounter,
    /// The last number handed out in the customer series.
    CustomerCounter,
    /// When demo data was loaded into the store (it never goes to a server).
    DemoData,
    /// The person signed in on this store (login, name, role, as JSON), kept so they
    /// keep working offline; absent on a store nobody signs in on.
    SignedIn,
    /// The account's people by login, with the names people read (JSON), as the
    /// server last listed them: histories name people, not logins.
    People,
    /// When a person first signed in on this store: from then on it is an account's
    /// store, and nobody works in it without signing in (no local owner any more).
    SignInRequired,
    /// When the store was connected to a server while it held work of its own (never
    /// synced): its first sync joins only an empty account.
    BringsWork,
}

impl Key {
    /// Every key.
    pub const ALL: [Key; 16] = [
        Key::AccountId,
        Key::StoreId,
        Key::Device,
        Key::DeviceCode,
        Key::ProjectionVersion,
        Key::SyncServer,
        Key::SyncToken,
        Key::SyncCursor,
        Key::DeviceSeq,
        Key::OrderCounter,
        Key::CustomerCounter,
        Key::DemoData,
        Key::SignedIn,
        Key::People,
        Key::SignInRequired,
        Key::BringsWork,
    ];

    /// The key as stored (stable: stores written by every earlier build use it).
    pub fn as_str(self) -> &'static str {
        match self {
            Key::AccountId => "account_id",
            Key::StoreId => "store_id",
            Key::Device => "device",
            Key::DeviceCode => "device_code",
            Key::ProjectionVersion => "projection_version",
            Key::SyncServer => "sync.server",
            Key::SyncToken => "sync.token",
            Key::SyncCursor => "sync.cursor",
            Key::DeviceSeq => "sync.device_seq",
            Key::OrderCounter => "counter.order",
            Key::CustomerCounter => "counter.customer",
            Key::DemoData => "demo_data",
            Key::SignedIn => "people.signed_in",
            Key::People => "people.directory",
            Key::SignInRequired => "people.sign_in_required",
            Key::BringsWork => "sync.brings_work",
        }
    }

    /// The key for its stored text.
    pub fn parse(text: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the setting belongs to this device's connection to a server (device
    /// name and code, server, token), rather than to the data.
    pub fn is_connection(self) -> bool {
        matches!(
            self,
            Key::Device | Key::DeviceCode | Key::SyncServer | Key::SyncToken | Key::SignedIn
        )
    }
}

/// How a setting's value is stored as text.
pub trait Value: Sized {
    /// The stored text.
    fn encode(&self) -> String;
    /// The value, or why the stored text is not one.
    fn decode(text: &str) -> Result<Self, String>;
}

impl Value for String {
    fn encode(&self) -> String {
        self.clone()
    }
    fn decode(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
}

impl Value for i64 {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Result<Self, String> {
        text.parse().map_err(|e| format!("not a number: {e}"))
    }
}

impl Value for Uuid {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Result<Self, String> {
        Uuid::parse_str(text).map_err(|e| e.to_string())
    }
}

/// A key with the type of its value.
pub struct Setting<T> {
    key: Key,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Setting<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Setting<T> {}

impl<T: Value> Setting<T> {
    const fn new(key: Key) -> Self {
        Setting {
            key,
            value: PhantomData,
        }
    }

    /// The key.
    pub fn key(self) -> Key {
        self.key
    }

    /// The value, if set. A stored value of the wrong form is a corrupt store.
    pub fn get(self, conn: &Connection) -> Result<Option<T>, StoreError> {
        let text: Option<String> = conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([self.key.as_str()], |r| r.get(0))
            .optional()?;
        text.map(|t| {
            T::decode(&t)
                .map_err(|e| StoreError::Corrupt(format!("setting {}: {e}", self.key.as_str())))
        })
        .transpose()
    }

    /// Sets the value (inside the caller's transaction, if any).
    pub fn set(self, conn: &Connection, value: &T) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute([self.key.as_str(), value.encode().as_str()])?;
        Ok(())
    }

    /// Removes the value.
    pub fn clear(self, conn: &Connection) -> Result<(), StoreError> {
        conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([self.key.as_str()])?;
        Ok(())
    }
}

/// The tenant the store belongs to.
pub const ACCOUNT_ID: Setting<Uuid> = Setting::new(Key::AccountId);
/// This store file's own id.
pub const STORE_ID: Setting<Uuid> = Setting::new(Key::StoreId);
/// This device's name.
pub const DEVICE: Setting<String> = Setting::new(Key::Device);
/// This device's code from the server.
pub const DEVICE_CODE: Setting<String> = Setting::new(Key::DeviceCode);
/// The read models' shape version.
pub const PROJECTION_VERSION: Setting<String> = Setting::new(Key::ProjectionVersion);
/// The sync server's URL.
pub const SYNC_SERVER: Setting<String> = Setting::new(Key::SyncServer);
/// This device's token on the sync server.
pub const SYNC_TOKEN: Setting<String> = Setting::new(Key::SyncToken);
/// The last server sequence applied here.
pub const SYNC_CURSOR: Setting<i64> = Setting::new(Key::SyncCursor);
/// The last push sequence handed out.
pub const DEVICE_SEQ: Setting<i64> = Setting::new(Key::DeviceSeq);
/// The last order number handed out.
pub const ORDER_COUNTER: Setting<i64> = Setting::new(Key::OrderCounter);
/// The last customer number handed out.
pub const CUSTOMER_COUNTER: Setting<i64> = Setting::new(Key::CustomerCounter);
/// When demo data was loaded (milliseconds since the epoch); set, the store is a demo
/// store for good: it travels with its backups, and nothing in it is ever pushed.
pub const DEMO_DATA: Setting<i64> = Setting::new(Key::DemoData);

/// The person signed in on this store, as JSON (`daybook_app` reads and writes it).
pub const SIGNED_IN: Setting<String> = Setting::new(Key::SignedIn);

/// The account's people (login -> name, as JSON; `daybook_app` reads and writes it).
pub const PEOPLE: Setting<String> = Setting::new(Key::People);

/// When a person first signed in here (milliseconds since the epoch); set, nobody
/// works in the store without signing in (`daybook_app` reads and writes it).
pub const SIGN_IN_REQUIRED: Setting<i64> = Setting::new(Key::SignInRequired);

/// When the store was connected while holding work of its own (milliseconds since the
/// epoch); `daybook_app` sets it, the sync engine reads it before its first bind.
pub const BRINGS_WORK: Setting<i64> = Setting::new(Key::BringsWork);

/// Every setting stored, by key; rows with keys this build does not know are skipped
/// (a newer build's settings), as are none of this build's.
pub fn all(conn: &Connection) -> Result<Vec<(Key, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, value) = row?;
        if let Some(k) = Key::parse(&key) {
            out.push((k, value));
        }
    }
    Ok(out)
}

/// Writes a setting from its stored text (copying settings between store files).
pub fn set_raw(conn: &Connection, key: Key, value: &str) -> Result<(), StoreError> {
    Setting::<String>::new(key).set(conn, &value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().expect("open");
        c.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .expect("schema");
        c
    }

    #[test]
    fn settings_round_trip_with_their_types() {
        let c = conn();
        assert_eq!(SYNC_CURSOR.get(&c).expect("get"), None);
        SYNC_CURSOR.set(&c, &42).expect("set");
        assert_eq!(SYNC_CURSOR.get(&c).expect("get"), Some(42));
        let id = Uuid::now_v7();
        ACCOUNT_ID.set(&c, &id).expect("set");
        assert_eq!(ACCOUNT_ID.get(&c).expect("get"), Some(id));
        SYNC_SERVER.set(&c, &"http://x".to_string()).expect("set");
        SYNC_SERVER.clear(&c).expect("clear");
        assert_eq!(SYNC_SERVER.get(&c).expect("get"), None);
    }

    #[test]
    fn a_malformed_value_is_a_corrupt_store_not_a_default() {
        let c = conn();
        c.execute("INSERT INTO meta VALUES ('sync.cursor', 'abc')", [])
            .expect("insert");
        assert!(matches!(
            SYNC_CURSOR.get(&c),
            Err(StoreError::Corrupt(m)) if m.contains("sync.cursor")
        ));
    }

    #[test]
    fn keys_keep_their_stored_names() {
        for k in Key::ALL {
            assert_eq!(Key::parse(k.as_str()), Some(k));
        }
        // Stores written by earlier builds use exactly these.
        assert_eq!(Key::SyncToken.as_str(), "sync.token");
        assert_eq!(Key::DeviceSeq.as_str(), "sync.device_seq");
        assert_eq!(Key::OrderCounter.as_str(), "counter.order");
    }
}
