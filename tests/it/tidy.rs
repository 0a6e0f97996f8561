//! Tidy: the layering of ARCHITECTURE.md, checked from the files themselves.
//! - the dependency direction, from the Cargo.toml files: domain <- store <- app <- the
//!   edges; protocol <- (app, sync, server); nothing below the edges knows Tauri, axum
//!   or tokio;
//! - the domain does no IO;
//! - SQL and rusqlite stay in the storage crates: the CLI, the desktop shell, the sync
//!   engine, the protocol and the server's HTTP edge neither depend on rusqlite nor
//!   hold SQL, nor reach for a raw connection; the bench keeps its SQL in its bare
//!   baseline (`crates/bench/src/bare.rs`);
//! - no hand-written source file grows past `MAX_LINES`.
//!
//! The checks are functions over a directory, so they are also run against a small
//! fake workspace that breaks each rule (see the last tests): a check that cannot
//! fail would prove nothing.

use std::path::{Path, PathBuf};

/// A source file this long is worth splitting by concern.
const MAX_LINES: usize = 650;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where a crate of the workspace lives, by its folder name under `crates/` (or the
/// top-level folders `src-tauri` and `tests`).
fn crate_dir(root: &Path, name: &str) -> PathBuf {
    match name {
        "src-tauri" | "tests" => root.join(name),
        other => root.join("crates").join(other),
    }
}

/// Names under `[dependencies]` (not dev- or build-dependencies).
fn deps(root: &Path, krate: &str) -> Vec<String> {
    let path = crate_dir(root, krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        if section == "[dependencies]"
            && let Some((name, _)) = line.split_once(['=', '.'])
        {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                out.push(name.to_string());
            }
        }
    }
    out
}

fn internal(root: &Path, krate: &str) -> Vec<String> {
    let mut d: Vec<String> = deps(root, krate)
        .into_iter()
        .filter(|d| d.starts_with("daybook-"))
        .collect();
    d.sort();
    d
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Lines of `text` that hold SQL: a string literal that starts a statement.
fn sql_lines(text: &str) -> Vec<(usize, String)> {
    const STARTS: [&str; 8] = [
        "SELECT ",
        "INSERT INTO",
        "INSERT OR",
        "UPDATE ",
        "DELETE FROM",
        "CREATE ",
        "PRAGMA ",
        "DROP ",
    ];
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find('"') {
            let lit = rest[i + 1..].trim_start();
            if STARTS.iter().any(|k| lit.starts_with(k)) {
                out.push((n + 1, line.trim().to_string()));
                break;
            }
            rest = &rest[i + 1..];
        }
    }
    out
}

/// How a crate may touch SQLite.
struct Policy {
    krate: &'static str,
    /// May depend on rusqlite.
    rusqlite: bool,
    /// Files (relative to the crate) that may hold SQL; `None`: any file.
    sql_in: Option<&'static [&'static str]>,
    /// Reaching for the raw connection (`.conn()`) is refused.
    no_raw_connection: bool,
}

const POLICIES: &[Policy] = &[
    Policy {
        krate: "domain",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "protocol",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "store",
        rusqlite: true,
        sql_in: None,
        no_raw_connection: false,
    },
    Policy {
        krate: "app",
        rusqlite: true,
        sql_in: None,
        no_raw_connection: false,
    },
    Policy {
        krate: "sync",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "cli",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "src-tauri",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "demo",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "documents",
        rusqlite: false,
        sql_in: Some(&[]),
        no_raw_connection: true,
    },
    Policy {
        krate: "testkit",
        rusqlite: true,
        sql_in: None,
        no_raw_connection: false,
    },
    Policy {
        krate: "bench",
        rusqlite: true,
        sql_in: Some(&["src/bare.rs"]),
        no_raw_connection: false,
    },
];

/// The server: SQL lives in its storage adapters, never at the HTTP edge.
const SERVER_EDGE: &[&str] = &["src/routes.rs", "src/main.rs", "src/rate.rs"];

/// Every violation of the layering under `root`, as readable lines.
fn violations(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for p in POLICIES {
        let dir = crate_dir(root, p.krate);
        if !dir.exists() {
            continue;
        }
        if !p.rusqlite && deps(root, p.krate).iter().any(|d| d == "rusqlite") {
            out.push(format!("{}: depends on rusqlite", p.krate));
        }
        for file in rust_files(&dir.join("src")) {
            let rel = file
                .strip_prefix(&dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let allowed = p.sql_in.is_none_or(|files| files.contains(&rel.as_str()));
            if !allowed {
                for (n, line) in sql_lines(&text) {
                    out.push(format!(
                        "{}/{rel}:{n}: SQL outside storage: {line}",
                        p.krate
                    ));
                }
                if !p.rusqlite && text.contains("rusqlite::") {
                    out.push(format!("{}/{rel}: uses rusqlite", p.krate));
                }
            }
            if p.no_raw_connection && text.contains(".conn()") {
                out.push(format!("{}/{rel}: reaches for a raw connection", p.krate));
            }
        }
    }
    let server = crate_dir(root, "server");
    for rel in SERVER_EDGE {
        let text = std::fs::read_to_string(server.join(rel)).unwrap_or_default();
        for (n, line) in sql_lines(&text) {
            out.push(format!("server/{rel}:{n}: SQL at the HTTP edge: {line}"));
        }
        if text.contains("rusqlite::") || text.contains(".conn()") {
            out.push(format!("server/{rel}: touches the database directly"));
        }
    }
    out
}

/// Hand-written source files longer than `MAX_LINES` (generated bindings, test
/// modules and data such as word lists aside).
fn long_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "ui/src"] {
        let mut dirs = vec![root.join(dir)];
        while let Some(d) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if path.is_dir() {
                    if !["tests", "target", "node_modules", "fixtures"].contains(&name) {
                        dirs.push(path);
                    }
                    continue;
                }
                let source = [".rs", ".ts", ".tsx"].iter().any(|e| name.ends_with(e));
                let exempt = name == "bindings.ts"
                    || name.contains(".test.")
                    || name == "tests.rs"
                    || path.to_string_lossy().contains("/words");
                if source && !exempt {
                    files.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let n = std::fs::read_to_string(&f).map_or(0, |t| t.lines().count());
        if n > MAX_LINES {
            out.push(format!("{} has {n} lines", f.display()));
        }
    }
    out.sort();
    out
}

#[test]
fn layers_depend_only_inwards() {
    let root = root();
    assert!(internal(&root, "domain").is_empty());
    assert_eq!(internal(&root, "store"), ["daybook-domain"]);
    assert_eq!(internal(&root, "protocol"), ["daybook-domain"]);
    assert_eq!(
        internal(&root, "app"),
        ["daybook-domain", "daybook-protocol", "daybook-store"]
    );
    for (edge, allowed) in [
        (
            "sync",
            &[
                "daybook-app",
                "daybook-domain",
                "daybook-protocol",
                "daybook-store",
            ][..],
        ),
        (
            "server",
            &[
                "daybook-app",
                "daybook-domain",
                "daybook-protocol",
                "daybook-store",
            ][..],
        ),
    ] {
        for d in internal(&root, edge) {
            assert!(
                allowed.contains(&d.as_str()),
                "crates/{edge} depends on {d}"
            );
        }
    }
    for k in ["domain", "store", "app", "protocol"] {
        for d in deps(&root, k) {
            assert!(
                !["tauri", "tokio", "axum", "anyhow", "reqwest", "hyper"].contains(&d.as_str()),
                "crates/{k} must not depend on {d}"
            );
        }
    }
}

#[test]
fn the_kits_stay_out_of_the_core() {
    let root = root();
    assert_eq!(internal(&root, "demo"), ["daybook-app", "daybook-domain"]);
    // Documents read the records through the app's reader and hold no SQL.
    assert_eq!(
        internal(&root, "documents"),
        ["daybook-app", "daybook-domain"]
    );
    for k in ["domain", "store", "app", "protocol", "sync", "server"] {
        assert!(
            !deps(&root, k).iter().any(|d| d == "daybook-documents"),
            "{k} must not depend on daybook-documents"
        );
    }
    assert_eq!(
        internal(&root, "testkit"),
        ["daybook-app", "daybook-demo", "daybook-domain"]
    );
    // Demo data reaches the CLI and the desktop app, never the server or the core.
    for k in ["domain", "store", "app", "protocol", "sync", "server"] {
        assert!(
            !deps(&root, k).iter().any(|d| d == "daybook-demo"),
            "{k} must not depend on daybook-demo"
        );
    }
    // The test kit is dev-only: a normal dependency of the benchmark alone.
    for k in [
        "domain",
        "store",
        "app",
        "protocol",
        "sync",
        "server",
        "demo",
        "documents",
        "cli",
        "src-tauri",
        "tests",
    ] {
        assert!(
            !deps(&root, k).iter().any(|d| d == "daybook-testkit"),
            "{k} must have daybook-testkit as a dev-dependency only"
        );
    }
}

#[test]
fn the_domain_does_no_io() {
    let files = rust_files(&root().join("crates/domain/src"));
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        for banned in [
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
            "rusqlite",
            "async fn",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: the domain crate does no IO",
                path.display()
            );
        }
    }
}

#[test]
fn sql_and_rusqlite_stay_in_the_storage_crates() {
    let v = violations(&root());
    assert!(v.is_empty(), "layering violations:\n{}", v.join("\n"));
}

#[test]
fn no_source_file_outgrows_a_module() {
    let v = long_files(&root());
    assert!(
        v.is_empty(),
        "files over {MAX_LINES} lines (split them by concern):\n{}",
        v.join("\n")
    );
}

/// A fake workspace with one crate per policy, each clean.
fn fake_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for p in POLICIES {
        let c = crate_dir(dir.path(), p.krate);
        std::fs::create_dir_all(c.join("src")).expect("mkdir");
        std::fs::write(
            c.join("Cargo.toml"),
            "[package]\nname = \"x\"\n\n[dependencies]\nserde.workspace = true\n",
        )
        .expect("write");
        std::fs::write(c.join("src/lib.rs"), "//! A crate.\npub fn f() {}\n").expect("write");
    }
    dir
}

#[test]
fn the_checks_catch_a_rusqlite_dependency_sql_and_a_raw_connection_at_an_edge() {
    let ws = fake_workspace();
    assert_eq!(violations(ws.path()), Vec::<String>::new());

    // The CLI takes rusqlite as a dependency: refused.
    let cli = crate_dir(ws.path(), "cli");
    std::fs::write(
        cli.join("Cargo.toml"),
        "[package]\nname = \"x\"\n\n[dependencies]\nrusqlite.workspace = true\n",
    )
    .expect("write");
    assert_eq!(violations(ws.path()), ["cli: depends on rusqlite"]);

    // The desktop shell runs its own query through the writer's connection: refused.
    let shell = crate_dir(ws.path(), "src-tauri");
    std::fs::write(
        shell.join("src/lib.rs"),
        "fn f(db: &Daybook) { db.conn().execute(\"DELETE FROM outbox\", []); }\n",
    )
    .expect("write");
    let v = violations(ws.path());
    assert!(
        v.iter().any(|l| l.contains("src-tauri/src/lib.rs:1: SQL")),
        "{v:?}"
    );
    assert!(v.iter().any(|l| l.contains("raw connection")), "{v:?}");

    // The bench keeps SQL in its bare baseline only.
    let bench = crate_dir(ws.path(), "bench");
    std::fs::write(
        bench.join("src/bare.rs"),
        "const Q: &str = \"SELECT count(*) FROM events\";\n",
    )
    .expect("write");
    let before = violations(ws.path()).len();
    std::fs::write(
        bench.join("src/main.rs"),
        "const Q: &str = \"SELECT count(*) FROM events\";\n// vs SELECT by hand\n",
    )
    .expect("write");
    let v = violations(ws.path());
    assert_eq!(v.len(), before + 1, "{v:?}");
    assert!(
        v.iter().any(|l| l.starts_with("bench/src/main.rs:1")),
        "{v:?}"
    );
}

#[test]
fn prose_about_sql_is_not_sql() {
    assert!(sql_lines("// SELECT in a comment\nlet label = \"bare SELECT by hand\";").is_empty());
    assert_eq!(sql_lines("x.prepare(\"SELECT id FROM p_orders\")").len(), 1);
    assert_eq!(sql_lines("format!(\"UPDATE p_orders SET a = 1\")").len(), 1);
}
