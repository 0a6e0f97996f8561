//! Running `daybook` on a temporary data directory.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::OnceLock;

use serde_json::Value;

/// The `daybook` binary of this build.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("DAYBOOK_BIN") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("the test executable's path");
        // target/<profile>/deps/it-<hash> -> target/<profile>/daybook
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable lives in target/<profile>/deps");
        let bin = profile_dir.join(format!("daybook{}", std::env::consts::EXE_SUFFIX));
        assert!(
            bin.exists(),
            "the daybook binary is missing ({}): run `cargo build -p daybook-cli` \
             before these tests (`make test` does)",
            bin.display()
        );
        warn_if_stale(&bin);
        bin
    })
}

/// Another binary of this workspace next to the test executable
/// (`target/<profile>/NAME`), e.g. `daybook-server`.
pub fn sibling_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --bins` before these tests \
         (`make test` does)",
        bin.display()
    );
    bin
}

/// A binary older than the sources would test old code: say so (not fail: sources
/// may be touched while the tests run).
fn warn_if_stale(bin: &Path) {
    let built = std::fs::metadata(bin).and_then(|m| m.modified()).ok();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let newest = [
        "crates/cli/src",
        "crates/app/src",
        "crates/domain/src",
        "crates/store/src",
    ]
    .iter()
    .filter_map(|d| std::fs::read_dir(root.join(d)).ok())
    .flatten()
    .filter_map(|e| e.ok()?.metadata().ok()?.modified().ok())
    .max();
    if let (Some(built), Some(newest)) = (built, newest)
        && newest > built
        && newest.duration_since(built).is_ok_and(|d| d.as_secs() > 1)
    {
        eprintln!(
            "warning: {} is older than the sources; run `cargo build -p daybook-cli` to test \
             the current code",
            bin.display()
        );
    }
}

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A Daybook in a temporary data directory.
pub struct Book {
    dir: Rc<tempfile::TempDir>,
    user: String,
}

impl Book {
    pub fn new() -> Book {
        Book {
            dir: Rc::new(tempfile::tempdir().expect("a temporary directory")),
            user: "tester".into(),
        }
    }

    /// A Daybook in a new temporary directory inside `parent`.
    pub fn new_in(parent: &Path) -> Book {
        Book {
            dir: Rc::new(tempfile::tempdir_in(parent).expect("a temporary directory")),
            user: "tester".into(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The same Daybook, with commands given by `user`.
    pub fn as_user(&self, user: &str) -> Book {
        Book {
            dir: Rc::clone(&self.dir),
            user: user.into(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data")
            .arg(self.dir())
            .args(["--user", &self.user, "--device", "ci"])
            .args(args)
            .env_remove("DAYBOOK_DATA")
            .env_remove("DAYBOOK_USER")
            .env_remove("DAYBOOK_DEVICE")
            // Tokens in the data folder's file, never in the machine's keychain.
            .env("DAYBOOK_CREDENTIALS", "file");
        c
    }

    /// Runs `daybook --data DIR --user U --device ci ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("daybook runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// As [`Book::run`], with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("daybook starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("stdin is written");
        let out = child.wait_with_output().expect("daybook runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and requires success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "daybook {args:?} failed with {}: {}{}",
            r.code, r.stderr, r.stdout
        );
        r.stdout
    }

    /// Runs with `--json`, requires success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("daybook {all:?} printed no JSON ({e}): {out}"))
    }

    /// Runs with `--json`, requires exit code `code` (a command that succeeded but
    /// says more with its code, as `daybook sync` does with the sync state), parses
    /// stdout.
    pub fn json_exiting(&self, args: &[&str], code: i32) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let r = self.run(&all);
        assert_eq!(r.code, code, "daybook {all:?}: {}{}", r.stderr, r.stdout);
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("daybook {all:?} printed no JSON ({e}): {}", r.stdout))
    }

    /// Runs, requires failure with `code`, exactly one `error: ` line on stderr and
    /// nothing on stdout; returns that line.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let r = self.run(args);
        check_failure(args, &r, code)
    }
}

/// A failed run: the exit code, one `error: ` line, no output.
pub fn check_failure(args: &[&str], r: &Run, code: i32) -> String {
    assert_eq!(
        r.code, code,
        "daybook {args:?}: exit code; stderr: {}",
        r.stderr
    );
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "daybook {args:?}: one error line expected, got {:?}",
        r.stderr
    );
    assert!(
        lines[0].starts_with("error: "),
        "daybook {args:?}: {:?}",
        lines[0]
    );
    assert!(
        r.stdout.is_empty(),
        "daybook {args:?}: nothing on stdout expected, got {:?}",
        r.stdout
    );
    lines[0].to_string()
}

/// A small shop: customer C-00001 (with an address), products CHAIR (149.95, 21%), PEN
/// (1.25, 21%) and TEA (4.50, 9%), and draft order SO-00001 with no lines.
pub fn shop() -> Book {
    stock(Book::new())
}

/// [`shop`]'s customer, products and draft order, in `b`.
pub fn stock(b: Book) -> Book {
    b.ok(&[
        "customer",
        "add",
        "--name",
        "Acme Kantoorartikelen B.V.",
        "--email",
        "inkoop@acme.example",
        "--vat-number",
        "NL123456789B01",
    ]);
    b.ok(&[
        "customer",
        "address-add",
        "C-00001",
        "--label",
        "Head office",
        "--street",
        "Damrak 1",
        "--postal-code",
        "1012 LG",
        "--city",
        "Amsterdam",
        "--country",
        "NL",
    ]);
    for (code, description, price, vat) in [
        ("CHAIR", "Ergonomic office chair", "149.95", "standard"),
        ("PEN", "Ballpoint pen, blue", "1.25", "standard"),
        ("TEA", "Tea assortment", "4.50", "reduced"),
    ] {
        b.ok(&[
            "product",
            "add",
            "--code",
            code,
            "--description",
            description,
            "--price",
            price,
            "--vat",
            vat,
        ]);
    }
    b.ok(&["order", "create", "--customer", "C-00001"]);
    b
}

/// `value[key]` as i64, with a clear failure.
pub fn int(value: &Value, pointer: &str) -> i64 {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no integer at {pointer} in {value}"))
}

/// `value[key]` as a string, with a clear failure.
pub fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}
