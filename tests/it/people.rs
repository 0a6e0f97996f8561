//! People through the real binaries: an admin adds people with `daybook-server user
//! add`, a person signs in on a store with `daybook login` (a wrong password says so
//! and changes nothing), works as themselves with their role, and signs out; their
//! unsynced work waits for their own next sign-in, never another person's session.

use std::io::Write as _;
use std::process::{Command as Process, Stdio};

use crate::support::{Book, sibling_bin};
use crate::sync::{Server, admin};

const PASSWORD: &str = "correct horse battery";

/// `daybook-server user add ... --password-stdin` on the server's data.
fn add_user(server: &Server, login: &str, name: &str, role: &str) {
    let mut child = Process::new(sibling_bin("daybook-server"))
        .arg("--data")
        .arg(server.data_dir())
        .args([
            "user",
            "add",
            "--account",
            &server.account,
            "--login",
            login,
        ])
        .args(["--name", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("daybook-server runs");
    writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("password written");
    let out = child.wait_with_output().expect("daybook-server ends");
    assert!(
        out.status.success(),
        "user add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn login(b: &Book, server: &Server, login: &str, password: &str) -> crate::support::Run {
    b.run_with_stdin(
        &[
            "--server",
            &server.url(),
            "login",
            "--login",
            login,
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
}

#[test]
fn people_sign_in_work_as_themselves_and_their_unsynced_work_waits_for_them() {
    let mut server = Server::start();
    add_user(&server, "anna@example.com", "Anna de Vries", "clerk");
    add_user(&server, "bob@example.com", "Bob Bakker", "manager");
    let users = admin(
        server.data_dir(),
        &["user", "list", "--account", &server.account],
    );
    assert_eq!(
        users,
        "anna@example.com\tAnna de Vries\tclerk\tenabled\nbob@example.com\tBob Bakker\tmanager\tenabled"
    );

    let store = Book::new();
    let anna = store.as_user("anna@example.com");
    // A wrong password: said so, nothing kept.
    let r = login(&anna, &server, "anna@example.com", "not her password");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not right"), "{}", r.stderr);
    let r = login(&anna, &server, "Anna@Example.com", PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Signed in as Anna de Vries (clerk) on device D1 of Acme.\n"
    );

    // She works as herself: a customer is hers; a product is a manager's.
    anna.ok(&["customer", "add", "--name", "Brouwerij Noord"]);
    let refused = anna.fails(
        &[
            "product",
            "add",
            "--code",
            "KEG",
            "--description",
            "Keg",
            "--price",
            "80.00",
            "--vat",
            "standard",
        ],
        1,
    );
    assert!(
        refused.contains("clerk") && refused.contains("manager"),
        "{refused}"
    );
    // The history names her (her login stays in --json).
    let history = anna.ok(&["history", "C-00001"]);
    assert!(history.contains("  Anna de Vries on "), "{history}");
    // Nobody else's name can be given while she is signed in.
    let other = store
        .as_user("bob@example.com")
        .fails(&["customer", "add", "--name", "X"], 2);
    assert!(other.contains("Anna de Vries is signed in"), "{other}");

    // Offline, she adds one more, then signs out: it waits for her.
    server.kill();
    anna.ok(&["customer", "add", "--name", "Café Zuid"]);
    let out = anna.ok(&["logout"]);
    assert!(
        out.starts_with("Signed out Anna de Vries.\n1 of their changes are not synced yet"),
        "{out}"
    );
    server.restart();

    // Bob signs in on the same store: the same device; Anna's change is not his to push.
    let bob = store.as_user("bob@example.com");
    let r = login(&bob, &server, "bob@example.com", PASSWORD);
    assert_eq!(
        r.stdout, "Signed in as Bob Bakker (manager) on device D1 of Acme.\n",
        "{}",
        r.stderr
    );
    bob.ok(&[
        "product",
        "add",
        "--code",
        "KEG",
        "--description",
        "Keg",
        "--price",
        "80.00",
        "--vat",
        "standard",
    ]);
    bob.ok(&["sync"]);
    let pending = bob.json(&["sync", "--status"]);
    assert_eq!(pending["pending"], 1, "{pending}");
    let devices = admin(
        server.data_dir(),
        &["device", "list", "--account", &server.account],
    );
    assert!(
        devices.contains("\tD1\t") && devices.contains("\tBob Bakker\t"),
        "{devices}"
    );
    assert!(
        devices.contains("daybook/"),
        "the app version is listed: {devices}"
    );
    bob.ok(&["logout"]);

    // Anna back: her change goes, under her name.
    let r = login(&anna, &server, "anna@example.com", PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    anna.ok(&["sync"]);
    assert_eq!(anna.json(&["sync", "--status"])["pending"], 0);
    let customers = anna.json(&["customer", "list"]);
    let text = customers.to_string();
    assert!(
        text.contains("Café Zuid") && text.contains("Brouwerij Noord"),
        "{text}"
    );

    // Disabled, her session stops at once: the next sync says signed out (exit 7).
    admin(server.data_dir(), &["user", "disable", "anna@example.com"]);
    let r = anna.run(&["sync"]);
    assert_eq!(r.code, 7, "{} {}", r.stdout, r.stderr);
}

#[test]
fn work_entered_offline_says_when_it_reached_the_server() {
    let server = Server::start();
    let token = server.token("laptop");
    let b = Book::new();
    // Given 20 minutes ago on a device that was offline; it reaches the server now.
    let issued = chrono::Utc::now() - chrono::Duration::minutes(20);
    let envelope = serde_json::json!({
        "command_id": uuid::Uuid::now_v7(),
        "issued_at": issued,
        "command": {
            "type": "RegisterCustomer",
            "customer_id": uuid::Uuid::now_v7(),
            "number": "K-7",
            "kind": "organisation",
            "name": "Late Lunch B.V."
        }
    });
    b.ok(&["exec", &envelope.to_string()]);
    let local = b.ok(&["history", "K-7"]);
    assert!(
        !local.contains("entered offline"),
        "not synced yet: {local}"
    );
    b.ok(&["--server", &server.url(), "--token", &token, "sync"]);
    let synced = b.ok(&["history", "K-7"]);
    assert!(synced.contains("(entered offline; synced "), "{synced}");
    // Work synced as it was given says nothing more.
    let now = serde_json::json!({
        "type": "RegisterCustomer",
        "customer_id": uuid::Uuid::now_v7(),
        "number": "K-8",
        "kind": "organisation",
        "name": "On Time B.V."
    });
    b.ok(&["exec", &now.to_string()]);
    b.ok(&["sync"]);
    let on_time = b.ok(&["history", "K-8"]);
    assert!(!on_time.contains("entered offline"), "{on_time}");
}

/// Another person's work, synced to a store they never signed in on, is named there by
/// the account's people list (the server's): the history and the timeline say "Anna de
/// Vries", not her login.
#[test]
fn a_colleagues_work_is_named_on_another_store_by_the_accounts_people() {
    let server = Server::start();
    add_user(&server, "anna@example.com", "Anna de Vries", "clerk");
    add_user(&server, "bob@example.com", "Bob Bakker", "manager");
    let annas = Book::new().as_user("anna@example.com");
    let bobs = Book::new().as_user("bob@example.com");
    for (b, who) in [(&annas, "anna@example.com"), (&bobs, "bob@example.com")] {
        let r = login(b, &server, who, PASSWORD);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    annas.ok(&["customer", "add", "--name", "Brouwerij Noord"]);
    annas.ok(&["sync"]);
    bobs.ok(&["sync"]);
    let history = bobs.ok(&["history", "C-00001"]);
    assert!(history.contains("  Anna de Vries on "), "{history}");
    assert!(!history.contains("anna@example.com"), "{history}");
    let timeline = bobs.ok(&["timeline"]);
    assert!(timeline.contains("Anna de Vries"), "{timeline}");
    let json = bobs.json(&["history", "C-00001"]);
    assert!(
        json.to_string().contains("anna@example.com"),
        "the login stays in --json: {json}"
    );
}
