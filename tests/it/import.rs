//! `daybook import` and `daybook export customers|products` through the real binary:
//! a dry run says what would change, a file with a problem is refused whole (exit 1,
//! each problem by line and column), a real run writes, and importing again changes
//! nothing.

use crate::support::Book;

#[test]
fn products_come_from_a_spreadsheet_and_go_back_to_one() {
    let b = Book::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("products.csv");
    std::fs::write(
        &file,
        "\u{feff}code;description;price;vat_class\nBOLT;Bout M8;1,35;standard\nKEG;Vat 50 liter;1.234,50;zero\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let dry = b.ok(&["import", "products", path, "--dry-run"]);
    assert_eq!(
        dry,
        "2 rows: 2 new, 0 changed, 0 unchanged (a dry run: nothing was written)\n"
    );
    assert_eq!(b.json(&["product", "list"])["total"], 0);

    assert_eq!(
        b.ok(&["import", "products", path]),
        "2 rows: 2 new, 0 changed, 0 unchanged\n"
    );
    assert_eq!(
        b.ok(&["import", "products", path]),
        "2 rows: 0 new, 0 changed, 2 unchanged\n"
    );
    let exported = b.ok(&["export", "products"]);
    assert_eq!(
        exported,
        "code,description,price,vat_class\nBOLT,Bout M8,1.35,standard\nKEG,Vat 50 liter,1234.50,zero\n"
    );

    // One bad row: refused whole, each problem named; exit code 1.
    std::fs::write(
        &file,
        "code,description,price\nBOLT,Bout M8,1.40\nNUT,Moer,twee\n",
    )
    .unwrap();
    let r = b.run(&["import", "products", path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "line 3, price: \"twee\" is not an amount\n\
         2 rows: 0 new, 1 changed, 0 unchanged; 1 problem, so nothing was written\n"
    );
    assert_eq!(b.ok(&["export", "products"]), exported);
}
