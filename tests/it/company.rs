//! `daybook company`: the company's own details, set in parts, refused whole.

use crate::support::Book;

#[test]
fn the_company_is_set_in_parts_and_bad_input_changes_nothing() {
    let b = Book::new();
    assert!(b.ok(&["company", "show"]).contains("not set yet"));
    let e = b.fails(&["company", "set", "--name", "Daybook Trading BV"], 2);
    assert!(e.contains("--street"), "{e}");
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
    ]);
    let before = b.ok(&["company", "show"]);
    let e = b.fails(&["company", "set", "--iban", "NL91-ABNA!"], 1);
    assert!(e.contains("bank_account"), "{e}");
    let e = b.fails(&["company", "set", "--name", " "], 1);
    assert!(e.contains("name"), "{e}");
    assert_eq!(
        b.ok(&["company", "show"]),
        before,
        "a refused change changes nothing"
    );
    b.ok(&[
        "company",
        "set",
        "--iban",
        "NL91 ABNA 0417 1643 00",
        "--vat",
        "NL859999999B01",
    ]);
    let now = b.ok(&["company", "show"]);
    assert!(
        now.contains("NL91 ABNA 0417 1643 00") && now.contains("Herengracht 100"),
        "{now}"
    );
    assert!(
        b.ok(&["company", "set", "--vat", "NL859999999B01"])
            .contains("nothing changed")
    );
    let h = b.ok(&["history", "company"]);
    assert!(
        h.contains("Bank account: – → NL91 ABNA 0417 1643 00"),
        "{h}"
    );
    assert_eq!(b.json(&["company", "show"])["name"], "Daybook Trading BV");
}
