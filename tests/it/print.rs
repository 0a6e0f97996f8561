//! `daybook print`: documents as PDF, read back with `pdftotext` (poppler-utils,
//! installed by `scripts/deps.sh`): what they say, that the same order gives the same
//! bytes in another process, time zone and locale and after the records moved on, and
//! that a 1,000-line order prints every line once over pages that say "Page n of N".

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::support::{Book, bin, shop, text};

/// The document's text, laid out as on the page.
fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils; scripts/deps.sh does)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        file.display()
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

fn company(b: &Book) {
    b.ok(&[
        "company",
        "set",
        "--name",
        "Daybook Trading BV",
        "--street",
        "Herengracht 100",
        "--postal-code",
        "1015 BS",
        "--city",
        "Amsterdam",
        "--country",
        "NL",
        "--vat",
        "NL859999999B01",
        "--iban",
        "NL91 ABNA 0417 1643 00",
    ]);
}

/// The shop's SO-00001 with two chairs at 10 % off and three teas, a reference and
/// notes, placed.
fn placed() -> Book {
    let b = shop();
    company(&b);
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "CHAIR",
        "--quantity",
        "2",
        "--discount",
        "10",
    ]);
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "--quantity",
        "3",
    ]);
    b.ok(&[
        "order",
        "details",
        "SO-00001",
        "--reference",
        "PO-2026-031",
        "--notes",
        "Deliver before noon",
    ]);
    b.ok(&["order", "place", "SO-00001"]);
    b
}

/// Prints in a process of its own with the given time zone and locale.
fn print_in(b: &Book, document: &str, out: &Path, tz: &str, lang: &str) {
    let status = Command::new(bin())
        .arg("--data")
        .arg(b.dir())
        .args([
            "--user",
            "tester",
            "--device",
            "ci",
            "print",
            "SO-00001",
            "--document",
            document,
            "--out",
        ])
        .arg(out)
        .env("TZ", tz)
        .env("LANG", lang)
        .env("LC_ALL", lang)
        .output()
        .expect("daybook runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn out(b: &Book, name: &str) -> PathBuf {
    b.dir().join(name)
}

#[test]
fn a_confirmation_says_who_what_vat_per_rate_and_totals() {
    let b = placed();
    let file = out(&b, "c.pdf");
    let said = b.ok(&[
        "print",
        "SO-00001",
        "--document",
        "confirmation",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(
        said.contains("Order confirmation of order SO-00001"),
        "{said}"
    );
    let t = pdf_text(&file);
    for expected in [
        "Daybook Trading BV",
        "Order confirmation",
        "SO-00001",
        "Acme Kantoorartikelen B.V.",
        "Damrak 1",
        "1012 LG Amsterdam",
        "VAT NL123456789B01",
        "IBAN NL91 ABNA 0417 1643 00",
        "PO-2026-031",
        "Deliver before noon",
        "Page 1 of 1",
    ] {
        assert!(t.contains(expected), "{expected:?} missing from:\n{t}");
    }
    // 2 x 149.95 at 10 % off = 269.91 at 21 %; 3 x 4.50 = 13.50 at 9 %.
    let squeezed: Vec<String> = t
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let has = |s: &str| squeezed.iter().any(|l| l.contains(s));
    assert!(
        has("1 CHAIR Ergonomic office chair 2 149.95 10% 21% 269.91"),
        "{t}"
    );
    assert!(has("2 TEA Tea assortment 3 4.50 9% 13.50"), "{t}");
    assert!(has("Total excl. VAT 283.41"), "{t}");
    assert!(has("VAT 9% of 13.50 1.22"), "{t}");
    assert!(has("VAT 21% of 269.91 56.68"), "{t}");
    assert!(has("Total EUR 341.31"), "{t}");
}

#[test]
fn invoices_are_pro_forma_until_numbered_and_delivery_notes_wait_for_delivery() {
    let b = placed();
    let file = out(&b, "d.pdf");
    let f = file.to_str().unwrap();
    let e = b.fails(
        &["print", "SO-00001", "--document", "delivery", "--out", f],
        2,
    );
    assert!(e.contains("not delivered yet"), "{e}");
    assert!(!file.exists(), "a refused print writes nothing");
    b.ok(&["print", "SO-00001", "--document", "invoice", "--out", f]);
    let t = pdf_text(&file);
    assert!(
        t.contains("Pro forma invoice") && t.contains("PRO FORMA"),
        "{t}"
    );
    b.ok(&["order", "deliver", "SO-00001"]);
    b.ok(&["print", "SO-00001", "--document", "delivery", "--out", f]);
    let t = pdf_text(&file);
    assert!(
        t.contains("Delivery note") && t.contains("Delivery date"),
        "{t}"
    );
    b.ok(&["order", "create", "--customer", "C-00001"]);
    let e = b.fails(&["print", "SO-00002", "--out", f], 2);
    assert!(e.contains("not placed yet"), "{e}");
    let e = b.fails(&["print", "SO-09999", "--out", f], 2);
    assert!(e.contains("SO-09999"), "{e}");
    let e = b.fails(&["print", "SO-00001", "--document", "receipt"], 2);
    assert!(e.contains("receipt"), "{e}");
}

#[test]
fn the_file_is_named_from_the_number_by_default() {
    let b = placed();
    let r = Command::new(bin())
        .current_dir(b.dir())
        .arg("--data")
        .arg(b.dir())
        .args([
            "--user", "tester", "--device", "ci", "--json", "print", "SO-00001",
        ])
        .output()
        .expect("daybook runs");
    assert!(r.status.success());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).expect("JSON");
    assert_eq!(text(&v, "/file"), "SO-00001-confirmation.pdf");
    assert_eq!(v["pages"], json!(1));
    assert!(b.dir().join("SO-00001-confirmation.pdf").exists());
}

#[test]
fn the_same_order_gives_the_same_bytes_in_another_process_zone_and_locale_and_later() {
    let b = placed();
    let (one, two, three) = (out(&b, "1.pdf"), out(&b, "2.pdf"), out(&b, "3.pdf"));
    print_in(&b, "confirmation", &one, "UTC", "C");
    print_in(
        &b,
        "confirmation",
        &two,
        "Pacific/Kiritimati",
        "de_DE.UTF-8",
    );
    let first = std::fs::read(&one).expect("printed");
    assert_eq!(
        first,
        std::fs::read(&two).expect("printed"),
        "same order, same bytes"
    );
    // The records move on: the customer is renamed and moves, the chair costs more,
    // the company changes its bank. The confirmation shows the order as placed.
    b.ok(&[
        "customer",
        "update",
        "C-00001",
        "--name",
        "Acme Holding N.V.",
    ]);
    b.ok(&[
        "customer",
        "address-change",
        "C-00001",
        "1",
        "--street",
        "Rokin 9",
    ]);
    b.ok(&["product", "update", "CHAIR", "--price", "199.00"]);
    b.ok(&["company", "set", "--iban", "NL02 RABO 0123 4567 89"]);
    print_in(
        &b,
        "confirmation",
        &three,
        "America/Los_Angeles",
        "fr_FR.UTF-8",
    );
    assert_eq!(
        first,
        std::fs::read(&three).expect("printed"),
        "reprinted as it was"
    );
    let t = pdf_text(&three);
    assert!(
        t.contains("Acme Kantoorartikelen B.V.") && !t.contains("Acme Holding"),
        "{t}"
    );
    assert!(t.contains("149.95") && !t.contains("199.00"), "{t}");
    // A new order shows the customer as it is now.
    b.ok(&["order", "create", "--customer", "C-00001"]);
    b.ok(&[
        "order",
        "add-line",
        "SO-00002",
        "--product",
        "CHAIR",
        "--quantity",
        "1",
    ]);
    b.ok(&["order", "place", "SO-00002"]);
    let four = out(&b, "4.pdf");
    b.ok(&["print", "SO-00002", "--out", four.to_str().unwrap()]);
    let t = pdf_text(&four);
    assert!(
        t.contains("Acme Holding N.V.") && t.contains("Rokin 9") && t.contains("199.00"),
        "{t}"
    );
    assert!(t.contains("NL02 RABO 0123 4567 89"), "{t}");
}

#[test]
fn a_thousand_lines_print_once_each_in_order_over_numbered_pages_with_one_total() {
    let b = shop();
    company(&b);
    let order = b.json(&["order", "show", "SO-00001"]);
    let order_id = text(&order, "/order/id").to_string();
    let product = b.json(&["product", "show", "PEN"]);
    let product_id = text(&product, "/id").to_string();
    let mut input = String::new();
    for i in 1..=1000u32 {
        let line = json!({
            "type": "AddOrderLine",
            "order_id": order_id,
            "line_id": format!("00000000-0000-7000-8000-{i:012}"),
            "product_id": product_id,
            "quantity": i,
            "unit_price": null,
            "discount_bp": 0,
            "description": format!("Pen batch L{i:04}"),
        });
        input.push_str(&line.to_string());
        input.push('\n');
    }
    // From a file, not a pipe written whole first: the acknowledgements would fill
    // the other pipe while nobody reads it.
    let commands = out(&b, "lines.jsonl");
    std::fs::write(&commands, input).expect("written");
    let r = Command::new(bin())
        .arg("--data")
        .arg(b.dir())
        .args(["--user", "tester", "--device", "ci", "exec", "--stream"])
        .stdin(std::fs::File::open(&commands).expect("opened"))
        .output()
        .expect("daybook runs");
    let acks = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(
        acks.matches("\"ok\":true").count(),
        1000,
        "{}",
        &acks[..acks.len().min(2000)]
    );
    b.ok(&["order", "place", "SO-00001"]);
    let file = out(&b, "long.pdf");
    b.ok(&["print", "SO-00001", "--out", file.to_str().unwrap()]);
    let t = pdf_text(&file);
    let pages: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    let n = pages.len();
    assert!(n > 10, "{n} pages");
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {n}", i + 1)),
            "page {}:\n{page}",
            i + 1
        );
    }
    let seen: Vec<u32> = t
        .split("Pen batch L")
        .skip(1)
        .map(|s| s[..4].parse().expect("a line number"))
        .collect();
    assert_eq!(
        seen,
        (1..=1000).collect::<Vec<_>>(),
        "every line once, in order"
    );
    assert_eq!(t.matches("Total excl. VAT").count(), 1);
    assert_eq!(t.matches("Total EUR").count(), 1);
    assert!(
        pages[n - 1].contains("Total EUR"),
        "the totals close the last page"
    );
}

/// `pdfimages -list`: the page of each image drawn.
fn image_pages(file: &Path) -> Vec<u32> {
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(file)
        .output()
        .expect("pdfimages runs (poppler-utils; scripts/deps.sh installs it)");
    assert!(
        out.status.success(),
        "pdfimages failed on {}",
        file.display()
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 text")
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn a_logo_from_a_file_prints_on_documents_of_its_time_and_bad_files_change_nothing() {
    let b = shop();
    let jpeg = out(&b, "logo.jpg");
    std::fs::write(
        &jpeg,
        include_bytes!("../../crates/domain/tests/fixtures/images/logo.jpg"),
    )
    .expect("written");
    let jpeg = jpeg.to_str().unwrap();
    let e = b.fails(&["company", "logo", jpeg], 1);
    assert!(e.contains("name and address before its logo"), "{e}");
    company(&b);
    let before = b.ok(&["company", "show"]);
    let notes = out(&b, "notes.txt");
    std::fs::write(&notes, "not an image").expect("written");
    let e = b.fails(&["company", "logo", notes.to_str().unwrap()], 1);
    assert!(
        e.contains("logo must be a readable PNG or JPEG image"),
        "{e}"
    );
    let e = b.fails(
        &["company", "logo", out(&b, "missing.png").to_str().unwrap()],
        2,
    );
    assert!(e.contains("cannot read"), "{e}");
    assert_eq!(
        b.ok(&["company", "show"]),
        before,
        "a refusal changes nothing"
    );

    let said = b.ok(&["company", "logo", jpeg]);
    assert!(
        said.contains("logo set (JPEG, 120 × 40 px, 1 KB)"),
        "{said}"
    );
    assert!(b.ok(&["company", "show"]).contains("JPEG, 120 × 40 px"));
    let h = b.ok(&["history", "company"]);
    assert!(
        h.contains("Logo set") && h.contains("Logo: JPEG, 120 × 40 px, 1 KB"),
        "{h}"
    );

    for args in [
        [
            "order",
            "add-line",
            "SO-00001",
            "--product",
            "TEA",
            "--quantity",
            "3",
        ]
        .as_slice(),
        &["order", "place", "SO-00001"],
    ] {
        b.ok(args);
    }
    let first = out(&b, "with-logo.pdf");
    b.ok(&["print", "SO-00001", "--out", first.to_str().unwrap()]);
    assert_eq!(image_pages(&first), [1]);
    assert!(pdf_text(&first).contains("Daybook Trading BV"));
    // Removed later: the confirmation keeps the logo of its day.
    assert!(
        b.ok(&["company", "logo", "--remove"])
            .contains("logo removed")
    );
    assert!(b.ok(&["history", "company"]).contains("Logo removed"));
    let again = out(&b, "again.pdf");
    b.ok(&["print", "SO-00001", "--out", again.to_str().unwrap()]);
    assert_eq!(std::fs::read(&first).ok(), std::fs::read(&again).ok());
}
