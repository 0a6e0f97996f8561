//! Where a device keeps its token: never in the store (so no backup carries it), but
//! in the OS keychain when one answers, else in a file readable by its owner only.
//! One entry per store and person (`store <store id> user <name>`); the CLI and the
//! desktop app make the same choice, so either finds what the other kept.
//!
//! The keychain is probed once per process with a bounded wait: the Secret Service on
//! Linux can block on an unlock prompt nobody will see (under SSH, under Xvfb), and a
//! sync must never hang on it. `DAYBOOK_CREDENTIALS=file` chooses the file outright.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use daybook_app::{Daybook, ServerConfig};
use uuid::Uuid;

/// The keychain's service name for every entry.
const SERVICE: &str = "daybook";
/// The file, in the data folder, when no keychain answers.
pub const CREDENTIALS_FILE: &str = "credentials.json";
/// Environment variable: `file` keeps tokens in the file even where a keychain answers.
pub const CREDENTIALS_ENV: &str = "DAYBOOK_CREDENTIALS";
/// How long the keychain may take to answer the probe.
const PROBE: Duration = Duration::from_secs(2);

/// Why a token could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The OS keychain refused.
    #[error("the keychain refused: {0}")]
    Keychain(String),
    /// The credentials file could not be read or written.
    #[error("cannot use the credentials file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The credentials file is not what this build writes.
    #[error("the credentials file {} is damaged: {reason}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Where tokens are kept on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// The OS keychain (the Secret Service on Linux).
    Keychain,
    /// A file readable by its owner only.
    File(PathBuf),
}

/// The device's credentials, for the stores of one data folder.
#[derive(Debug, Clone)]
pub struct Credentials {
    kept: Kept,
}

/// Whether the OS keychain answers, probed once per process.
fn keychain_answers() -> bool {
    static ANSWERS: OnceLock<bool> = OnceLock::new();
    *ANSWERS.get_or_init(|| {
        if std::env::var(CREDENTIALS_ENV).is_ok_and(|v| v == "file") {
            return false;
        }
        let (tx, rx) = mpsc::channel();
        // A blocked probe stays blocked on its own thread; the answer is "no".
        std::thread::spawn(move || {
            let answer = keyring::Entry::new(SERVICE, "probe")
                .and_then(|e| e.get_password().map(|_| ()))
                .or_else(|e| match e {
                    keyring::Error::NoEntry => Ok(()),
                    other => Err(other),
                });
            let _ = tx.send(answer.is_ok());
        });
        rx.recv_timeout(PROBE).unwrap_or(false)
    })
}

/// The "user" under which a store keeps its device's own token (from its first
/// sign-in): logins are trimmed, so none starts with a space.
const DEVICE_ENTRY: &str = " device";

fn entry_name(store: Uuid, user: &str) -> String {
    format!("store {store} user {user}")
}

impl Credentials {
    /// The credentials of the stores in `data_dir`: the keychain if it answers within
    /// a moment, else `data_dir/credentials.json`.
    pub fn open(data_dir: &Path) -> Credentials {
        Credentials {
            kept: if keychain_answers() {
                Kept::Keychain
            } else {
                Kept::File(data_dir.join(CREDENTIALS_FILE))
            },
        }
    }

    /// Credentials kept in `file` whatever the machine offers (tests, tools).
    pub fn in_file(file: PathBuf) -> Credentials {
        Credentials {
            kept: Kept::File(file),
        }
    }

    /// Where tokens are kept.
    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    /// The token of `user` on the store `store`, if one is kept.
    pub fn token(&self, store: Uuid, user: &str) -> Result<Option<String>, CredentialError> {
        let name = entry_name(store, user);
        match &self.kept {
            Kept::Keychain => {
                match keyring::Entry::new(SERVICE, &name).and_then(|e| e.get_password()) {
                    Ok(t) => Ok(Some(t)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(CredentialError::Keychain(e.to_string())),
                }
            }
            Kept::File(path) => Ok(read_file(path)?.remove(&name)),
        }
    }

    /// Keeps `token` for `user` on the store `store`, replacing what was there.
    pub fn set_token(&self, store: Uuid, user: &str, token: &str) -> Result<(), CredentialError> {
        let name = entry_name(store, user);
        match &self.kept {
            Kept::Keychain => keyring::Entry::new(SERVICE, &name)
                .and_then(|e| e.set_password(token))
                .map_err(|e| CredentialError::Keychain(e.to_string())),
            Kept::File(path) => {
                let mut all = read_file(path)?;
                all.insert(name, token.to_string());
                write_file(path, &all)
            }
        }
    }

    /// Forgets the token of `user` on the store `store` (nothing kept is fine).
    pub fn forget(&self, store: Uuid, user: &str) -> Result<(), CredentialError> {
        let name = entry_name(store, user);
        match &self.kept {
            Kept::Keychain => {
                match keyring::Entry::new(SERVICE, &name).and_then(|e| e.delete_credential()) {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(CredentialError::Keychain(e.to_string())),
                }
            }
            Kept::File(path) => {
                let mut all = read_file(path)?;
                if all.remove(&name).is_some() {
                    write_file(path, &all)?;
                }
                Ok(())
            }
        }
    }

    /// The store's device token from its first sign-in (a device people sign in on),
    /// sent with every later sign-in so the store stays one device.
    pub fn device_token(&self, store: Uuid) -> Result<Option<String>, CredentialError> {
        self.token(store, DEVICE_ENTRY)
    }

    /// Keeps the store's device token.
    pub fn set_device_token(&self, store: Uuid, token: &str) -> Result<(), CredentialError> {
        self.set_token(store, DEVICE_ENTRY, token)
    }

    /// The server `db` syncs with: the URL it remembers and the token kept for its
    /// user. A token an earlier build kept in the store itself is moved here first
    /// (and cleared from the store), so backups made from now on never carry it.
    pub fn server(&self, db: &Daybook) -> Result<Option<ServerConfig>, crate::SyncError> {
        let read = db.read();
        let store = read.store_id()?;
        let user = db.identity().user.clone();
        if let Some(legacy) = read.legacy_token()? {
            self.set_token(store, &user, &legacy)?;
            db.clear_legacy_token()?;
        }
        let Some(url) = read.server_url()? else {
            return Ok(None);
        };
        Ok(self
            .token(store, &user)?
            .map(|token| ServerConfig { url, token }))
    }

    /// Connects `db` to a server: remembers its URL in the store and the token here.
    pub fn connect(
        &self,
        db: &Daybook,
        url: Option<&str>,
        token: Option<&str>,
    ) -> Result<(), crate::SyncError> {
        if url.is_none() && token.is_none() {
            return Ok(());
        }
        // A demo store is never connected: refused before its token is kept.
        if db.read().holds_demo()? {
            return Err(daybook_app::AppError::DemoData.into());
        }
        if let Some(token) = token {
            let store = db.read().store_id()?;
            self.set_token(store, &db.identity().user, token)?;
        }
        if let Some(url) = url {
            db.remember_server(url)?;
        }
        Ok(())
    }

    /// Disconnects `db`: forgets the server's URL and this user's token.
    pub fn disconnect(&self, db: &Daybook) -> Result<(), crate::SyncError> {
        let store = db.read().store_id()?;
        self.forget(store, &db.identity().user)?;
        db.forget_server()?;
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, CredentialError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CredentialError::Damaged {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(CredentialError::File {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes the file whole: a private temporary file beside it, then a rename, so a
/// crash leaves the old tokens or the new ones, and no reader ever sees a mode
/// wider than the owner's.
fn write_file(path: &Path, all: &BTreeMap<String, String>) -> Result<(), CredentialError> {
    let err = |source| CredentialError::File {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        daybook_store::private::private_dir(dir).map_err(err)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", Uuid::now_v7().simple()));
    let text = serde_json::to_vec_pretty(all).map_err(|e| err(e.into()))?;
    let result = (|| {
        let mut f = daybook_store::private::create_private_file(&tmp)?;
        std::io::Write::write_all(&mut f, &text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_per_store_and_person_in_a_private_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("data").join(CREDENTIALS_FILE);
        let c = Credentials::in_file(file.clone());
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(c.token(a, "ann").expect("read"), None);
        c.set_token(a, "ann", "dbk_ann").expect("set");
        c.set_token(a, "bob", "dbk_bob").expect("set");
        c.set_token(b, "ann", "dbk_other_store").expect("set");
        assert_eq!(c.token(a, "ann").expect("read").as_deref(), Some("dbk_ann"));
        assert_eq!(
            c.token(b, "ann").expect("read").as_deref(),
            Some("dbk_other_store")
        );
        c.forget(a, "ann").expect("forget");
        assert_eq!(c.token(a, "ann").expect("read"), None);
        assert_eq!(c.token(a, "bob").expect("read").as_deref(), Some("dbk_bob"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(file.parent().expect("dir")), 0o700);
        }
    }
}
