//! The instance's per-account SQLite caches, in which the PostgreSQL adapter decides
//! (see the module docs of `crate::pg`): a `Daybook` in authority mode per account,
//! in a temporary folder removed with the instance. A cache holds nothing PostgreSQL
//! does not; one found inconsistent is deleted and rebuilt from the log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use daybook_app::{Daybook, Durability, OpenOptions};
use uuid::Uuid;

use crate::error::ServerError;
use crate::sqlite::accounts::SERVER_DEVICE;

/// The instance's account caches, in a temporary folder removed with the instance.
pub(super) struct Caches {
    dir: tempfile::TempDir,
    open: Mutex<HashMap<Uuid, Arc<AccountCache>>>,
}

impl Caches {
    pub(super) fn new(root: &Path) -> Result<Self, ServerError> {
        std::fs::create_dir_all(root).map_err(|source| ServerError::Io {
            what: format!("cannot create {}", root.display()),
            source,
        })?;
        let dir = tempfile::Builder::new()
            .prefix("daybook-server-cache-")
            .tempdir_in(root)
            .map_err(|source| ServerError::Io {
                what: format!("cannot create a cache folder in {}", root.display()),
                source,
            })?;
        Ok(Caches {
            dir,
            open: Mutex::new(HashMap::new()),
        })
    }

    pub(super) fn get(&self, account: Uuid) -> Arc<AccountCache> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.entry(account)
            .or_insert_with(|| {
                Arc::new(AccountCache {
                    account,
                    path: self.dir.path().join(format!("{account}.sqlite3")),
                    db: Mutex::new(None),
                })
            })
            .clone()
    }
}

/// One account's cache: opened on first use; one push at a time uses it (the
/// database's row lock orders pushes across instances, this mutex within one).
pub(super) struct AccountCache {
    account: Uuid,
    path: PathBuf,
    db: Mutex<Option<Daybook>>,
}

impl AccountCache {
    pub(super) fn lock(&self) -> MutexGuard<'_, Option<Daybook>> {
        // A panic mid-push rolled its SQLite transaction back: the cache is as before.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn open<'a>(
        &self,
        slot: &'a mut Option<Daybook>,
    ) -> Result<&'a mut Daybook, ServerError> {
        if slot.is_none() {
            let mut db = Daybook::open(
                &self.path,
                OpenOptions {
                    authority: true,
                    // A cache: PostgreSQL holds the durable copy.
                    durability: Durability::Normal,
                    user: None,
                    device: Some(SERVER_DEVICE.into()),
                    role: daybook_domain::Role::Admin,
                },
            )?;
            if db.account_id() != self.account {
                db.store().set_account_id(self.account)?;
            }
            *slot = Some(db);
        }
        slot.as_mut()
            .ok_or_else(|| ServerError::Task("cache not open".into()))
    }

    /// Forgets the cache (it is rebuilt from PostgreSQL on next use).
    pub(super) fn reset(&self, slot: &mut Option<Daybook>) {
        *slot = None;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            // Missing files are fine: nothing to forget.
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        tracing::warn!(account = %self.account, "account cache reset");
    }
}
