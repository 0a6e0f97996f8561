//! Row 12: a products CSV of 10,000 rows imported into a store on disk (every row
//! checked, each command decided and rolled back, then written in batches with
//! synchronous=FULL): `Daybook::import_catalog`, the work behind `daybook import`.

use std::fmt::Write as _;

use anyhow::{Result, ensure};
use daybook_app::catalog_csv::CatalogKind;
use daybook_app::{Daybook, OpenOptions};

use crate::harness::{Figure, Latencies, Row, Target, timed};

pub(crate) fn row(rows: usize, samples: usize) -> Result<Row> {
    progress!("import: {rows} products from CSV");
    let mut csv = String::from("code;description;price;vat_class\n");
    for i in 0..rows {
        let _ = writeln!(
            csv,
            "P-{i:06};Product number {i};{},{:02};standard",
            i % 500,
            i % 100
        );
    }
    let mut lat = Latencies::default();
    for _ in 0..samples {
        let dir = tempfile::tempdir()?;
        let mut db = Daybook::open_dir(dir.path(), OpenOptions::default())?;
        let (d, report) = timed(|| {
            Ok(db.import_catalog(CatalogKind::Products, csv.as_bytes(), false, |_, _| {})?)
        })?;
        ensure!(
            report.written && report.created == rows as u64,
            "the import wrote {} of {rows} products: {:?}",
            report.created,
            report.problems.first()
        );
        lat.push(d);
    }
    Ok(Row {
        id: "12".into(),
        operation: format!(
            "Import {rows} products from CSV (`daybook import`: every row checked, then \
             written in batches)"
        ),
        daybook: Figure::Latency(lat.median()),
        bare: None,
        target: Target::LatencyBelow(5.0),
    })
}
