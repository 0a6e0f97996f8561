//! Bad input: one clear error line, a non-zero exit code, and nothing changed.

use crate::support::{Book, shop};

#[test]
fn bad_input_changes_nothing() {
    let b = shop();
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "PEN",
        "-q",
        "2",
    ]);
    let stats = b.json(&["stats"]);
    let orders = b.json(&["orders"]);
    let order = b.json(&["show", "SO-00001"]);

    // (arguments, exit code, text the message must contain)
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "order",
                "add-line",
                "SO-00001",
                "--product",
                "PEN",
                "-q",
                "0",
            ],
            1,
            "error: quantity: quantity must be greater than 0 (got 0)",
        ),
        (
            &[
                "order",
                "add-line",
                "SO-00001",
                "--product",
                "PEN",
                "-q",
                "-4",
            ],
            1,
            "quantity: quantity must be greater than 0 (got -4)",
        ),
        (&["order", "place", "SO-99999"], 2, "SO-99999"),
        (&["show", "SO-99999"], 2, "SO-99999"),
        (&["history", "nobody"], 2, "nobody"),
        (&["exec", "{\"type\":\"PlaceOrder\","], 2, "malformed JSON"),
        (&["exec", "{\"type\":\"ShipOrder\"}"], 2, "not a command"),
        (&["exec", "[1, 2]"], 2, "not a command"),
        (
            &[
                "order",
                "add-line",
                "SO-00001",
                "--product",
                "PEN",
                "--price",
                "12.3.4",
            ],
            2,
            "'12.3.4' is not an amount",
        ),
        (
            &[
                "product",
                "add",
                "--code",
                "X",
                "--description",
                "X",
                "--price",
                "1.999",
            ],
            2,
            "1.999",
        ),
        (
            &["order", "add-line", "SO-00001", "--product", "NOPE"],
            2,
            "NOPE",
        ),
        (
            &[
                "order",
                "add-line",
                "SO-00001",
                "--product",
                "PEN",
                "--discount",
                "ten",
            ],
            2,
            "ten",
        ),
        (
            &[
                "order",
                "add-line",
                "SO-00001",
                "--product",
                "PEN",
                "--discount",
                "120",
            ],
            1,
            "discount",
        ),
        (
            &["order", "change-line", "SO-00001", "7", "-q", "2"],
            2,
            "no line 7",
        ),
        (
            &["order", "address", "SO-00001", "Warehouse"],
            2,
            "Warehouse",
        ),
        (&["customer", "limit", "C-00001", "lots"], 2, "lots"),
        (
            &["customer", "add", "--name", "X", "--email", "not-an-email"],
            1,
            "email",
        ),
        (
            &["customer", "add", "--name", "X", "--number", "C-00001"],
            1,
            "already used",
        ),
        (
            &[
                "product",
                "add",
                "--code",
                "PEN",
                "--description",
                "X",
                "--price",
                "1",
            ],
            1,
            "PEN",
        ),
        (&["orders", "--status", "shipped"], 2, "shipped"),
        (&["orders", "--from", "2025-13-01"], 2, "2025-13-01"),
        (&["orders", "--limit", "0"], 2, "page size"),
        (&["timeline", "--type", "Invoice"], 2, "Invoice"),
        (
            &["history", "SO-00001", "--as-of", "last tuesday"],
            2,
            "last tuesday",
        ),
        (&["frobnicate"], 2, "frobnicate"),
        (&["order", "add-line", "SO-00001"], 2, "--product"),
    ];
    for (args, code, needle) in cases {
        let line = b.fails(args, *code);
        assert!(
            line.contains(needle),
            "daybook {args:?}: {line:?} lacks {needle:?}"
        );
    }

    assert_eq!(b.json(&["stats"]), stats, "bad input changed the store");
    assert_eq!(b.json(&["orders"]), orders);
    assert_eq!(b.json(&["show", "SO-00001"]), order);
}

#[test]
fn help_documents_the_exit_codes_and_the_data_dir_comes_from_the_environment() {
    let b = Book::new();
    let help = b.ok(&["--help"]);
    assert!(help.contains("Exit codes"), "{help}");
    assert!(help.contains("1  the domain refused"), "{help}");

    // DAYBOOK_DATA instead of --data.
    let out = std::process::Command::new(crate::support::bin())
        .args(["customer", "add", "--name", "Env B.V."])
        .env("DAYBOOK_DATA", b.dir())
        .output()
        .expect("daybook runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(b.dir().join("daybook.sqlite3").exists());
    let stats = b.json(&["stats"]);
    assert_eq!(crate::support::int(&stats, "/customers"), 1);
}
