//! Customers and products from and to CSV: an export imports as nothing to do, a
//! Dutch spreadsheet (`;`, decimal comma, byte-order mark) reads, every problem is
//! listed by line and column, and a file with any problem writes nothing.

use daybook_app::catalog_csv::{CatalogKind, ImportReport};
use daybook_app::{Daybook, Export};
use daybook_domain::VatClass;
use daybook_testkit::dump;

use crate::fixtures::{customer, db, product};

fn export(db: &Daybook, kind: CatalogKind) -> String {
    let mut out = Vec::new();
    db.read().export(&Export::Catalog(kind), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn import(db: &mut Daybook, kind: CatalogKind, text: &str, dry_run: bool) -> ImportReport {
    db.import_catalog(kind, text.as_bytes(), dry_run, |_, _| {})
        .unwrap()
}

fn problems(r: &ImportReport) -> Vec<(u64, Option<&str>, &str)> {
    r.problems
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.message.as_str()))
        .collect()
}

#[test]
fn an_export_imports_as_nothing_to_do_and_an_import_exports_as_given() {
    let mut db = db();
    customer(&mut db, "C-1", Some(50_000));
    customer(&mut db, "C-2", None);
    product(&mut db, "BOLT", 125, VatClass::Standard);
    product(&mut db, "TEA", 450, VatClass::Reduced);
    for kind in [CatalogKind::Customers, CatalogKind::Products] {
        let file = export(&db, kind);
        let before = dump::exact(db.conn());
        let r = import(&mut db, kind, &file, false);
        assert_eq!(
            (r.rows, r.created, r.updated, r.unchanged),
            (2, 0, 0, 2),
            "{r:?}"
        );
        assert!(r.problems.is_empty() && !r.written, "{r:?}");
        assert_eq!(dump::exact(db.conn()), before, "nothing written");
    }
    assert_eq!(
        export(&db, CatalogKind::Products),
        "code,description,price,vat_class\nBOLT,Product BOLT,1.25,standard\nTEA,Product TEA,4.50,reduced\n"
    );
    // Imported into an empty store, the export is the same file again.
    let mut other = crate::fixtures::db();
    for kind in [CatalogKind::Customers, CatalogKind::Products] {
        let file = export(&db, kind);
        let r = import(&mut other, kind, &file, false);
        assert!(r.written && r.created == 2, "{r:?}");
        assert_eq!(export(&other, kind), file);
    }
}

#[test]
fn a_dutch_spreadsheet_reads_and_rows_create_or_change_records() {
    let mut db = db();
    product(&mut db, "BOLT", 125, VatClass::Standard);
    let file = "\u{feff}Code;Description;Price;VAT_class\r\n\
                BOLT;Bout M8;1,35;standard\r\n\
                KEG;Vat 50 liter;1.234,50;zero\r\n\
                ;;;\r\n";
    let dry = import(&mut db, CatalogKind::Products, file, true);
    assert_eq!(
        (dry.rows, dry.created, dry.updated, dry.problems.len()),
        (2, 1, 1, 0),
        "{dry:?}"
    );
    assert!(!dry.written);
    assert_eq!(
        db.read().products(&Default::default()).unwrap().total,
        1,
        "a dry run writes nothing"
    );

    let mut steps = Vec::new();
    let r = db
        .import_catalog(
            CatalogKind::Products,
            file.as_bytes(),
            false,
            |done, all| steps.push((done, all)),
        )
        .unwrap();
    assert!(r.written, "{r:?}");
    assert_eq!(steps.last(), Some(&(2, 2)));
    assert_eq!(
        export(&db, CatalogKind::Products),
        "code,description,price,vat_class\nBOLT,Bout M8,1.35,standard\nKEG,Vat 50 liter,1234.50,zero\n"
    );
}

#[test]
fn every_problem_is_listed_by_line_and_column_and_nothing_is_written() {
    let mut db = db();
    customer(&mut db, "C-1", None);
    let before = dump::exact(db.conn());
    let file = "number,name,currency,spending_limit,email\n\
                C-2,Noord BV,EUR,abc,\n\
                C-3,,EUR,,\n\
                C-2,Twice BV,EUR,,\n\
                C-1,Customer C-1,USD,,\n\
                C-4,Zuid BV,EUR,-5,\n\
                C-5,Mail BV,EUR,,not-an-address\n\
                C-6,Good BV,EUR,100,\n";
    for dry_run in [true, false] {
        let r = import(&mut db, CatalogKind::Customers, file, dry_run);
        assert!(!r.written, "{r:?}");
        let found = problems(&r);
        assert_eq!(found.len(), 6, "{found:?}");
        assert_eq!(
            found[0],
            (2, Some("spending_limit"), "abc is not an amount")
        );
        assert_eq!((found[1].0, found[1].1), (3, Some("name")), "{found:?}");
        assert_eq!(
            found[2],
            (4, Some("number"), "the same number as on line 2")
        );
        assert_eq!(
            found[3],
            (
                5,
                Some("currency"),
                "the customer pays in EUR; an import does not change that"
            )
        );
        assert_eq!(
            (found[4].0, found[4].1),
            (6, Some("spending_limit")),
            "{found:?}"
        );
        assert_eq!((found[5].0, found[5].1), (7, Some("email")), "{found:?}");
        assert_eq!(dump::exact(db.conn()), before, "nothing written");
    }
    // Unknown and missing columns are the header's problems.
    let r = import(
        &mut db,
        CatalogKind::Products,
        "code,colour\nBOLT,red\n",
        false,
    );
    assert_eq!(
        problems(&r),
        [
            (
                1,
                Some("colour"),
                "unknown column; the columns are code, description, price, vat_class"
            ),
            (1, Some("description"), "this column is missing"),
            (1, Some("price"), "this column is missing"),
        ]
    );
}
