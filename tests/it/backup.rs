//! `daybook backup`, `restore`, `check`, `recover` and `export` as a user runs them:
//! exit codes, one error line, nothing changed by a refusal, and CSV parsed back.

use std::path::Path;

use serde_json::Value;

use daybook_testkit::{damage, dump};

use crate::support::{Book, int, shop, stock, text};

fn events(b: &Book) -> i64 {
    int(&b.json(&["stats"]), "/events")
}

fn read_models(b: &Book) -> dump::Tables {
    let conn = rusqlite::Connection::open(b.dir().join("daybook.sqlite3")).unwrap();
    dump::content(&conn)
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    v.sort();
    v
}

#[test]
fn backup_then_restore_brings_the_data_back_and_keeps_the_replaced_store() {
    let b = shop();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("shop.sqlite3");
    let file = file.to_str().unwrap();
    let report = b.json(&["backup", file]);
    let at_backup = events(&b);
    assert_eq!(int(&report, "/summary/events"), at_backup);
    assert_eq!(int(&report, "/summary/orders"), 1);
    let before = read_models(&b);

    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "PEN",
        "-q",
        "2",
    ]);
    assert_eq!(events(&b), at_backup + 1);

    // A store with data is only replaced when the user says so.
    let msg = b.fails(&["restore", file], 2);
    assert!(msg.contains("--yes"), "{msg}");
    assert_eq!(events(&b), at_backup + 1);

    let r = b.json(&["restore", file, "--yes"]);
    assert_eq!(events(&b), at_backup);
    assert_eq!(read_models(&b), before);
    b.ok(&["rebuild"]);
    assert_eq!(
        read_models(&b),
        before,
        "restored read models equal a rebuild"
    );
    let kept = text(&r, "/kept_aside");
    assert!(kept.contains("daybook.sqlite3.before-restore-"), "{kept}");
    assert!(Path::new(kept).exists());
    // The store goes on working.
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "-q",
        "1",
    ]);
    assert_eq!(events(&b), at_backup + 1);
}

#[test]
fn backups_default_to_the_data_directory_and_are_listed() {
    let b = shop();
    let text_out = b.ok(&["backup"]);
    assert!(text_out.contains("integrity checked"), "{text_out}");
    let list = b.json(&["backup", "--list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let name = text(&list[0], "/name");
    assert!(
        name.starts_with("daybook-") && name.ends_with(".sqlite3"),
        "{name}"
    );
    assert!(int(&list[0], "/bytes") > 0);
    // The same name twice is refused, the first backup untouched.
    let path = text(&list[0], "/path").to_string();
    let bytes = std::fs::read(&path).unwrap();
    let msg = b.fails(&["backup", &path], 2);
    assert!(msg.contains("already exists"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_bad_backup_is_refused_with_nothing_changed() {
    let b = shop();
    let out = tempfile::tempdir().unwrap();
    let junk = out.path().join("junk.sqlite3");
    std::fs::write(&junk, "not a database at all\n".repeat(500)).unwrap();
    let good = out.path().join("good.sqlite3");
    b.ok(&["backup", good.to_str().unwrap()]);
    let truncated = out.path().join("truncated.sqlite3");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();

    let (before, n, listing) = (read_models(&b), events(&b), files(b.dir()));
    for (file, says) in [
        (junk.as_path(), "not a database"),
        (truncated.as_path(), "damaged"),
        (
            out.path().join("missing.sqlite3").as_path(),
            "does not exist",
        ),
    ] {
        let msg = b.fails(&["restore", file.to_str().unwrap(), "--yes"], 2);
        assert!(msg.contains(says), "{file:?}: {msg}");
        assert_eq!(events(&b), n);
        assert_eq!(read_models(&b), before);
        assert_eq!(files(b.dir()), listing, "nothing left behind");
    }
}

fn garble_header(b: &Book) {
    let file = b.dir().join("daybook.sqlite3");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[..16].copy_from_slice(b"no longer sqlite");
    std::fs::write(&file, bytes).unwrap();
}

#[test]
fn a_damaged_store_is_reported_and_recovered_from_a_backup() {
    let b = shop();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("b.sqlite3");
    b.ok(&["backup", file.to_str().unwrap()]);
    let n = events(&b);
    garble_header(&b);

    let msg = b.fails(&["stats"], 3);
    assert!(
        msg.contains("damaged") && msg.contains("daybook restore"),
        "{msg}"
    );
    let r = b.run(&["check"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("damaged"), "{r:?}");
    let msg = b.fails(&["restore", file.to_str().unwrap()], 2);
    assert!(msg.contains("cannot be read"), "{msg}");

    b.ok(&["restore", file.to_str().unwrap(), "--yes"]);
    assert_eq!(events(&b), n);
    assert!(b.ok(&["check"]).starts_with("ok"));
    let quick = b.json(&["check", "--quick"]);
    assert_eq!(quick["ok"], Value::Bool(true));
    assert_eq!(quick["full"], Value::Bool(false));
}

#[test]
fn a_damaged_store_can_start_again_empty_keeping_the_sync_settings() {
    let b = shop();
    b.ok(&[
        "--server",
        "http://127.0.0.1:9",
        "--token",
        "dbk_x",
        "stats",
    ]);
    let pending = int(&b.json(&["sync", "--status"]), "/pending");
    assert!(pending > 0, "the shop's commands wait for the server");
    // The file's structure damaged past the header: open may still work, the check
    // must not.
    damage::corrupt_events_page(&b.dir().join("daybook.sqlite3"));
    let r = b.run(&["check", "--json"]);
    assert_eq!(r.code, 3, "{r:?}");
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["ok"], Value::Bool(false));

    let msg = b.fails(&["recover"], 2);
    assert!(msg.contains("--yes"), "{msg}");
    let rec = b.json(&["recover", "--yes"]);
    assert_eq!(text(&rec, "/server"), "http://127.0.0.1:9");
    assert!(Path::new(text(&rec, "/kept_aside")).exists());
    // Finding 10: it says how many changes never reached the server (kept aside).
    assert_eq!(int(&rec, "/unsynced"), pending, "{rec}");
    assert_eq!(events(&b), 0);
    let status = b.json(&["sync", "--status"]);
    assert_eq!(int(&status, "/pending"), 0, "{status}");
}

fn csv_rows(csv_text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rd.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rd
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

fn col(headers: &[String], name: &str) -> usize {
    headers.iter().position(|h| h == name).unwrap()
}

#[test]
fn orders_lines_and_history_export_as_csv() {
    let b = shop();
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "CHAIR",
        "-q",
        "3",
        "--discount",
        "12.5",
    ]);
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "-q",
        "1",
    ]);

    let (h, rows) = csv_rows(&b.ok(&["export", "orders"]));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][col(&h, "number")], "SO-00001");
    assert_eq!(rows[0][col(&h, "customer")], "Acme Kantoorartikelen B.V.");
    assert_eq!(rows[0][col(&h, "status")], "draft");
    assert_eq!(rows[0][col(&h, "lines")], "2");
    // 3 x 149.95 less 12.5% = 393.62 (half up), plus 4.50.
    assert_eq!(rows[0][col(&h, "net")], "398.12");
    let created = &rows[0][col(&h, "created_at")];
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("lines.csv");
    let r = b.json(&["export", "lines", "--out", path.to_str().unwrap()]);
    assert_eq!(int(&r, "/rows"), 2);
    let (h, rows) = csv_rows(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(rows[0][col(&h, "product_code")], "CHAIR");
    assert_eq!(rows[0][col(&h, "discount_percent")], "12.50");
    assert_eq!(rows[0][col(&h, "unit_price")], "149.95");
    assert_eq!(rows[1][col(&h, "vat_rate_percent")], "9.00");

    let (h, rows) = csv_rows(&b.ok(&["export", "history", "--record", "SO-00001"]));
    assert!(
        rows.iter()
            .all(|r| r[col(&h, "record_type")] == "SalesOrder")
    );
    assert!(
        rows.iter()
            .any(|r| r[col(&h, "field")].ends_with(".quantity")),
        "{rows:?}"
    );
    let (h, rows) = csv_rows(&b.ok(&["export", "history"]));
    assert_eq!(rows.len() as i64, events(&b));
    assert!(rows.iter().any(|r| r[col(&h, "record")] == "SO-00001"));

    // Filters narrow the orders.
    let (_, rows) = csv_rows(&b.ok(&["export", "orders", "--status", "placed"]));
    assert!(rows.is_empty());

    b.fails(&["export", "history", "--record", "SO-99999"], 2);
    b.fails(&["export", "orders", "--record", "SO-00001"], 2);
    b.fails(&["export", "invoices"], 2);
}

/// A small file system of its own (tmpfs) that can be made read-only: what a store on
/// read-only media or a mounted backup disk looks like. Unmounted when dropped. `None`
/// where this process may not mount (not root): said on stderr.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn new() -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "SKIPPED: cannot mount a tmpfs here ({}); this test needs root",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Mount { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn read_only(&self) {
        let st = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(st.success(), "remount read-only");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// Hardening finding 10: a healthy store on read-only storage is not "damaged": it is
/// checked, read, printed and backed up from there; a change is refused with what can
/// be done instead, and nothing is written beside it.
#[test]
fn a_store_on_read_only_storage_is_checked_read_and_backed_up() {
    let Some(mount) = Mount::new() else { return };
    let b = stock(Book::new_in(mount.path()));
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "PEN",
        "-q",
        "4",
    ]);
    b.ok(&["order", "place", "SO-00001"]);
    let before = files(b.dir());
    mount.read_only();

    let check = b.ok(&["check"]);
    assert!(
        check.starts_with("ok: the store passed the full integrity check"),
        "{check}"
    );
    assert!(b.ok(&["orders"]).contains("SO-00001"));
    assert!(b.ok(&["show", "C-00001"]).contains("Acme Kantoorartikelen"));
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("copy.daybook");
    b.ok(&["backup", backup.to_str().unwrap()]);
    let pdf = out.path().join("SO-00001.pdf");
    b.ok(&["print", "SO-00001", "--out", pdf.to_str().unwrap()]);
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);

    let err = b.fails(&["customer", "add", "--name", "Other"], 2);
    assert!(err.contains("on storage that cannot be written"), "{err}");
    assert!(err.contains("backup"), "{err}");
    assert!(!err.contains("database"), "no SQLite words: {err}");
    assert_eq!(files(b.dir()), before, "nothing written beside the store");

    // The backup holds the store's data.
    let restored = Book::new();
    restored.ok(&["restore", backup.to_str().unwrap(), "--yes"]);
    assert!(restored.ok(&["orders"]).contains("SO-00001"));
}

/// A store whose last changes are still in its WAL journal cannot be read from
/// read-only storage without them: refused as such, not called damaged.
#[test]
fn a_read_only_store_with_an_unfinished_journal_is_refused_not_called_damaged() {
    let Some(mount) = Mount::new() else { return };
    let b = Book::new();
    b.ok(&["customer", "add", "--name", "Acme Trading"]);
    // A copy taken while a writer held the store open: the file and its journal.
    let mut writer = daybook_app::Daybook::open_dir(b.dir(), Default::default()).unwrap();
    writer
        .execute(daybook_testkit::sample::customer("C-2", None).1.into())
        .unwrap();
    let copy = mount.path().join("data");
    std::fs::create_dir(&copy).unwrap();
    for name in ["daybook.sqlite3", "daybook.sqlite3-wal"] {
        std::fs::copy(b.dir().join(name), copy.join(name)).unwrap();
    }
    drop(writer);
    assert!(
        std::fs::metadata(copy.join("daybook.sqlite3-wal"))
            .unwrap()
            .len()
            > 0
    );
    mount.read_only();
    let run = |args: &[&str]| {
        std::process::Command::new(crate::support::bin())
            .arg("--data")
            .arg(&copy)
            .args(args)
            .output()
            .unwrap()
    };
    for args in [&["check"][..], &["orders"][..]] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("still in its journal"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("damaged"), "{args:?}: {stderr}");
    }
}
