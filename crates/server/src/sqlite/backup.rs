//! Backups of the SQLite adapter's data directory (`daybook-server backup FILE`,
//! `restore FILE`): one file, itself a SQLite database, holding a copy of the registry
//! and of every account's database with the SHA-256 of each.
//!
//! - A backup is taken online: each database is copied with `VACUUM INTO` (one read
//!   transaction: a consistent copy while the server serves), the copy must pass
//!   `integrity_check`, and the file is written under a temporary name, private (0600),
//!   then renamed, so a failed backup leaves no file that looks whole.
//! - A restore checks the whole file first (format, names, hashes, each copy's
//!   integrity); only then is the current directory moved aside
//!   (`<dir>.before-restore-<time>`, never deleted) and the copies put in its place.
//!   A bad file changes nothing. Stop the server before restoring.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use super::accounts::ACCOUNTS_DIR;
use super::registry::REGISTRY_FILE;
use crate::error::ServerError;

/// The format of a backup file (its `meta` row).
const FORMAT: &str = "daybook-server backup 1";

/// What a backup or a restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Databases (the registry and each account's).
    pub databases: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Where the replaced directory was moved (restore only).
    pub kept_aside: Option<PathBuf>,
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> ServerError {
    move |source| ServerError::Io { what, source }
}

fn bad(file: &Path, why: impl std::fmt::Display) -> ServerError {
    ServerError::Corrupt(format!("{} is not a usable backup: {why}", file.display()))
}

/// The databases of `dir`, as names relative to it.
fn members(dir: &Path) -> Result<Vec<String>, ServerError> {
    if !dir.join(REGISTRY_FILE).is_file() {
        return Err(ServerError::Corrupt(format!(
            "{} holds no server data ({REGISTRY_FILE} is missing)",
            dir.display()
        )));
    }
    let mut out = vec![REGISTRY_FILE.to_string()];
    let accounts = dir.join(ACCOUNTS_DIR);
    if accounts.is_dir() {
        let entries = std::fs::read_dir(&accounts)
            .map_err(io(format!("cannot list {}", accounts.display())))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".sqlite3"))
            .map(|n| format!("{ACCOUNTS_DIR}/{n}"))
            .collect();
        names.sort();
        out.extend(names);
    }
    Ok(out)
}

/// A member name a restore will write: the registry, or an account's database.
fn safe_name(name: &str) -> bool {
    name == REGISTRY_FILE
        || name
            .strip_prefix(&format!("{ACCOUNTS_DIR}/"))
            .and_then(|n| n.strip_suffix(".sqlite3"))
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
}

fn check_integrity(path: &Path) -> Result<(), ServerError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if result == "ok" {
        Ok(())
    } else {
        Err(ServerError::Corrupt(format!(
            "{} fails its integrity check: {result}",
            path.display()
        )))
    }
}

/// A fresh private directory beside `near` (removed when dropped unless kept).
struct Staging(PathBuf, bool);

impl Staging {
    fn new(near: &Path, tag: &str) -> Result<Self, ServerError> {
        let name = format!(
            "{}.{tag}-{}",
            near.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("daybook"),
            uuid::Uuid::now_v7().simple()
        );
        let path = near.with_file_name(name);
        std::fs::create_dir_all(path.join(ACCOUNTS_DIR))
            .map_err(io(format!("cannot create {}", path.display())))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
            .map_err(io(format!("cannot make {} private", path.display())))?;
        Ok(Staging(path, false))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Writes a checked backup of the data directory `dir` to `file` (which must not
/// exist), while the server may be serving.
pub fn backup(dir: &Path, file: &Path) -> Result<BackupReport, ServerError> {
    if file.exists() {
        return Err(ServerError::Corrupt(format!(
            "{} exists already; choose a new file",
            file.display()
        )));
    }
    let names = members(dir)?;
    let staging = Staging::new(file, "partial")?;
    let partial = staging.0.join("backup.sqlite3");
    // Created private before SQLite writes anything into it.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(io(format!("cannot create {}", partial.display())))?;
    let mut out = Connection::open(&partial)?;
    out.execute_batch(
        "CREATE TABLE meta (format TEXT NOT NULL, created_at TEXT NOT NULL);
         CREATE TABLE members (name TEXT PRIMARY KEY, sha256 BLOB NOT NULL, data BLOB NOT NULL);",
    )?;
    let tx = out.transaction()?;
    tx.execute(
        "INSERT INTO meta (format, created_at) VALUES (?1, ?2)",
        (FORMAT, chrono::Utc::now().to_rfc3339()),
    )?;
    let mut bytes = 0u64;
    for (i, name) in names.iter().enumerate() {
        let copy = staging.0.join(format!("copy-{i}.sqlite3"));
        let source = Connection::open(dir.join(name))?;
        source.busy_timeout(Duration::from_secs(30))?;
        source.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
        drop(source);
        check_integrity(&copy)?;
        let data = std::fs::read(&copy).map_err(io(format!("cannot read {}", copy.display())))?;
        bytes += data.len() as u64;
        tx.execute(
            "INSERT INTO members (name, sha256, data) VALUES (?1, ?2, ?3)",
            (name, Sha256::digest(&data).to_vec(), data),
        )?;
        std::fs::remove_file(&copy).map_err(io(format!("cannot remove {}", copy.display())))?;
    }
    tx.commit()?;
    drop(out);
    check_integrity(&partial)?;
    std::fs::rename(&partial, file).map_err(io(format!("cannot write {}", file.display())))?;
    Ok(BackupReport {
        databases: names.len(),
        bytes,
        kept_aside: None,
    })
}

/// Replaces the data directory `dir` with the backup in `file`, after checking all of
/// it; the current directory is kept aside. Run with the server stopped.
pub fn restore(dir: &Path, file: &Path) -> Result<BackupReport, ServerError> {
    if !file.is_file() {
        return Err(bad(file, "no such file"));
    }
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| bad(file, e))?;
    let format: String = conn
        .query_row("SELECT format FROM meta", [], |r| r.get(0))
        .map_err(|e| bad(file, e))?;
    if format != FORMAT {
        return Err(bad(file, format!("format {format:?}")));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(format!("cannot create {}", parent.display())))?;
    let mut staging = Staging::new(
        &parent.join(dir.file_name().unwrap_or_default()),
        "restoring",
    )?;
    let mut stmt = conn
        .prepare("SELECT name, sha256, data FROM members ORDER BY name")
        .map_err(|e| bad(file, e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .map_err(|e| bad(file, e))?;
    let (mut databases, mut bytes, mut registry) = (0, 0u64, false);
    for row in rows {
        let (name, sha, data) = row.map_err(|e| bad(file, e))?;
        if !safe_name(&name) {
            return Err(bad(file, format!("it names a file {name:?}")));
        }
        if Sha256::digest(&data).as_slice() != sha.as_slice() {
            return Err(bad(file, format!("the copy of {name} is damaged")));
        }
        let path = staging.0.join(&name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io(format!("cannot create {}", path.display())))?;
        f.write_all(&data)
            .and_then(|()| f.sync_all())
            .map_err(io(format!("cannot write {}", path.display())))?;
        drop(f);
        check_integrity(&path).map_err(|e| bad(file, e))?;
        registry |= name == REGISTRY_FILE;
        databases += 1;
        bytes += data.len() as u64;
    }
    if !registry {
        return Err(bad(file, "it holds no registry"));
    }
    let kept_aside = if dir.exists() {
        let aside = dir.with_file_name(format!(
            "{}.before-restore-{}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("data"),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        std::fs::rename(dir, &aside).map_err(io(format!("cannot move {} aside", dir.display())))?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staging.0, dir)
        .map_err(io(format!("cannot put {} in place", dir.display())))?;
    staging.1 = true;
    Ok(BackupReport {
        databases,
        bytes,
        kept_aside,
    })
}
