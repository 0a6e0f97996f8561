//! The dependency direction of ARCHITECTURE.md, checked from the Cargo.toml files:
//! domain <- store <- app <- (cli, bench, src-tauri, server); the kits (demo data,
//! the dev-only test kit) stay out of the server and of every shipped crate. The
//! domain does no IO.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Names under `[dependencies]` (not dev- or build-dependencies) of `crates/<krate>`,
/// or of `src-tauri` and `tests` at the top.
fn deps(krate: &str) -> Vec<String> {
    let dir = match krate {
        "src-tauri" | "tests" => root().join(krate),
        _ => root().join("crates").join(krate),
    };
    let text = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{krate}/Cargo.toml: {e}"));
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once(['=', '.']) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                out.push(name.to_string());
            }
        }
    }
    out
}

fn internal(krate: &str) -> Vec<String> {
    let mut d: Vec<String> = deps(krate)
        .into_iter()
        .filter(|d| d.starts_with("daybook-"))
        .collect();
    d.sort();
    d
}

#[test]
fn layers_depend_only_inwards() {
    assert!(internal("domain").is_empty());
    assert_eq!(internal("store"), ["daybook-domain"]);
    assert_eq!(
        internal("app"),
        ["daybook-domain", "daybook-protocol", "daybook-store"]
    );
    assert_eq!(internal("protocol"), ["daybook-domain"]);
    assert_eq!(
        internal("sync"),
        [
            "daybook-app",
            "daybook-domain",
            "daybook-protocol",
            "daybook-store"
        ]
    );
    assert_eq!(
        internal("server"),
        [
            "daybook-app",
            "daybook-domain",
            "daybook-protocol",
            "daybook-store"
        ]
    );
    for k in ["domain", "store", "app", "protocol"] {
        for d in deps(k) {
            assert!(
                !["tauri", "tokio", "axum", "anyhow", "reqwest", "hyper"].contains(&d.as_str()),
                "crates/{k} must not depend on {d}"
            );
        }
    }
}

#[test]
fn the_kits_stay_out_of_the_core() {
    assert_eq!(internal("demo"), ["daybook-app", "daybook-domain"]);
    assert_eq!(
        internal("testkit"),
        ["daybook-app", "daybook-demo", "daybook-domain"]
    );
    // Demo data reaches the CLI and the desktop app, never the server or the core.
    for k in ["domain", "store", "app", "protocol", "sync", "server"] {
        assert!(
            !deps(k).iter().any(|d| d == "daybook-demo"),
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
        "cli",
        "src-tauri",
        "tests",
    ] {
        assert!(
            !deps(k).iter().any(|d| d == "daybook-testkit"),
            "{k} must have daybook-testkit as a dev-dependency only"
        );
    }
}

#[test]
fn the_domain_does_no_io() {
    assert!(!deps("domain").iter().any(|d| d == "rusqlite"));
    let mut dirs = vec![root().join("crates/domain/src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
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
