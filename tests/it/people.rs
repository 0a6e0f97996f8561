//! People through the real binaries: an admin adds people with `daybook-server user
//! add`, a person signs in on a store with `daybook login` (a wrong password says so
//! and changes nothing), works as themselves with their role, and signs out; their
//! unsynced work waits for their own next sign-in, never another person's session.

use std::io::Write as _;
use std::process::{Command as Process, Stdio};

use crate::support::{Book, sibling_bin, text};
use crate::sync::{Server, admin};

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A product, which only a manager may add.
const ADD_KEG: [&str; 10] = [
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
];

/// `daybook-server user add ... --password-stdin` on the server's data.
pub(crate) fn add_user(server: &Server, login: &str, name: &str, role: &str) {
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

pub(crate) fn login(b: &Book, server: &Server, login: &str, password: &str) -> crate::support::Run {
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
    let refused = anna.fails(&ADD_KEG, 1);
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
    bob.ok(&ADD_KEG);
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
    // Anna's change is stranded here until she signs in again: the admin sees it.
    assert!(
        devices.contains("\tAnna de Vries: 1 waiting (not signed in)"),
        "{devices}"
    );
    bob.ok(&["logout"]);

    // Nobody signed in: the store is read, never written, whatever --user says.
    let nobody = store.as_user("ci");
    let refused = nobody.fails(&["customer", "add", "--name", "Stowaway"], 2);
    assert!(refused.contains("nobody is signed in"), "{refused}");
    let listed = nobody.json(&["customer", "list"]).to_string();
    assert!(
        listed.contains("Brouwerij Noord") && !listed.contains("Stowaway"),
        "{listed}"
    );

    // Anna back: her change goes, under her name.
    let r = login(&anna, &server, "anna@example.com", PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    anna.ok(&["sync"]);
    assert_eq!(anna.json(&["sync", "--status"])["pending"], 0);
    let devices = admin(
        server.data_dir(),
        &["device", "list", "--account", &server.account],
    );
    assert!(
        devices.ends_with("\tactive\t-"),
        "nothing waits now: {devices}"
    );
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

/// The three devices, with the real binaries: a clerk on device A places an
/// order over the customer's limit (held, by the store's own decision, and again by the
/// server's when it arrives); a manager on device B releases it (placed everywhere); a
/// third person's device C names both in the order's history.
#[test]
fn a_clerks_held_order_is_released_by_a_manager_elsewhere_and_a_third_device_names_both() {
    let server = Server::start();
    add_user(&server, "anna@example.com", "Anna de Vries", "clerk");
    add_user(&server, "bob@example.com", "Bob Bakker", "manager");
    add_user(&server, "cees@example.com", "Cees Smit", "clerk");
    let a = Book::new().as_user("anna@example.com");
    let b = Book::new().as_user("bob@example.com");
    let c = Book::new().as_user("cees@example.com");
    for (book, who) in [
        (&b, "bob@example.com"),
        (&a, "anna@example.com"),
        (&c, "cees@example.com"),
    ] {
        let r = login(book, &server, who, PASSWORD);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // The manager sets up the customer's limit and the product.
    b.ok(&["customer", "add", "--name", "Brouwerij Noord"]);
    b.ok(&["customer", "limit", "C-00001", "100.00"]);
    b.ok(&ADD_KEG);
    b.ok(&["sync"]);
    // The clerk: 2 x 80.00 + 21 % = 193.60, over 100.00: held, not refused.
    a.ok(&["sync"]);
    let created = a.ok(&["order", "create", "--customer", "C-00001"]);
    let number = created
        .split_whitespace()
        .nth(2)
        .expect("created order SO-… (id …)")
        .to_string();
    a.ok(&[
        "order",
        "add-line",
        &number,
        "--product",
        "KEG",
        "--quantity",
        "2",
    ]);
    let placed = a.ok(&["order", "place", &number]);
    assert!(placed.contains("is held"), "{placed}");
    let refused = a.fails(&["order", "release", &number], 1);
    assert!(
        refused.contains("clerk") && refused.contains("manager"),
        "{refused}"
    );
    a.ok(&["sync"]);
    assert_eq!(
        a.ok(&["attention"]).trim(),
        "nothing needs attention",
        "held, not refused"
    );

    // The manager's device: waiting in the queue, placed by Anna; released.
    b.ok(&["sync"]);
    let queue = b.json(&["approvals"]);
    assert_eq!(text(&queue, "/0/number"), number);
    assert_eq!(text(&queue, "/0/held_by"), "anna@example.com");
    assert!(
        b.ok(&["order", "release", &number])
            .contains("released order")
    );
    b.ok(&["sync"]);

    // Placed on every device; the third one names both people.
    for book in [&a, &c] {
        book.ok(&["sync"]);
        assert_eq!(
            text(&book.json(&["show", &number]), "/order/status"),
            "placed"
        );
    }
    let history = c.ok(&["history", &number]);
    for want in ["Anna de Vries on ci  Held", "Bob Bakker on ci  Released"] {
        assert!(history.contains(want), "{want} in:\n{history}");
    }
}
