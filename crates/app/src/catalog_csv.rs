//! Customers and products as CSV: the export, and the import that reads the same
//! columns, so importing an export changes nothing and exporting an import gives the
//! same file.
//!
//! **Invariant:** an import writes only through domain commands, and only when the
//! whole file is good: every row is checked first (the file's own problems, then each
//! command decided and rolled back), and a file with any problem writes nothing. A
//! row matches an existing record by its number (customers) or code (products), and
//! a row equal to its record gives no command, so importing a file twice changes
//! nothing the second time.
//!
//! Read as Excel writes in the Netherlands: UTF-8 with or without a byte-order mark,
//! `,` or `;` between fields (the header line tells which), amounts with a decimal
//! point or comma (`1234.50`, `1.234,50`).

use std::collections::HashMap;
use std::io::{Read, Write};

use daybook_domain::{
    Command, CommandEnvelope, Currency, CustomerId, CustomerKind, Money, ProductId,
    RegisterCustomer, RegisterProduct, SetSpendingLimit, UpdateCustomer, UpdateProduct, VatClass,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::export::ExportReport;
use crate::service::Daybook;

/// Which records a catalogue CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CatalogKind {
    /// Customers, by number.
    Customers,
    /// Products, by code.
    Products,
}

/// The columns of each kind, in the export's order.
pub const CUSTOMER_COLUMNS: [&str; 7] = [
    "number",
    "kind",
    "name",
    "vat_number",
    "email",
    "currency",
    "spending_limit",
];
/// See [`CUSTOMER_COLUMNS`].
pub const PRODUCT_COLUMNS: [&str; 4] = ["code", "description", "price", "vat_class"];

/// Commands per transaction of a real import.
const BATCH: usize = 1000;

/// One problem of an import file: where, and what, in the person's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportProblem {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// The column, when the problem is one field's.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What an import did (or, for a dry run or a file with problems, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows that add a record.
    pub created: u64,
    /// Rows that change a record.
    pub updated: u64,
    /// Rows equal to their record (nothing to do).
    pub unchanged: u64,
    /// Every problem found; when there is any, nothing was written.
    pub problems: Vec<ImportProblem>,
    /// True when the changes were written (not a dry run, no problems).
    pub written: bool,
}

fn csv_err(e: csv::Error) -> AppError {
    AppError::io(
        "cannot write the export",
        std::io::Error::other(e.to_string()),
    )
}

/// Writes every customer (by number) or product (by code) as CSV.
pub fn export(
    conn: &Connection,
    kind: CatalogKind,
    out: impl Write,
) -> Result<ExportReport, AppError> {
    let mut w = csv::Writer::from_writer(out);
    let mut rows = 0;
    match kind {
        CatalogKind::Customers => {
            w.write_record(CUSTOMER_COLUMNS).map_err(csv_err)?;
            let mut stmt = conn.prepare_cached(
                "SELECT number, kind, name, vat_number, email, currency, spending_limit
                 FROM p_customers ORDER BY number",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let text = |i| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default);
                let limit = r.get::<_, Option<i64>>(6)?.map(|c| Money(c).to_string());
                w.write_record([
                    text(0)?,
                    text(1)?,
                    text(2)?,
                    text(3)?,
                    text(4)?,
                    text(5)?,
                    limit.unwrap_or_default(),
                ])
                .map_err(csv_err)?;
                rows += 1;
            }
        }
        CatalogKind::Products => {
            w.write_record(PRODUCT_COLUMNS).map_err(csv_err)?;
            let mut stmt = conn.prepare_cached(
                "SELECT code, description, unit_price, vat_class FROM p_products ORDER BY code",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                w.write_record([
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    Money(r.get(2)?).to_string(),
                    r.get::<_, String>(3)?,
                ])
                .map_err(csv_err)?;
                rows += 1;
            }
        }
    }
    w.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    Ok(ExportReport { rows })
}

/// An amount as people type it: `1234.50`, `1234,50`, `1.234,50`, `1,234.50`; at most
/// two decimals, thousands grouped by threes. `None` when it is not one.
pub fn parse_amount(text: &str) -> Option<Money> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // The last `.` or `,` with at most two digits after it is the decimal separator.
    let decimal = t.rfind(['.', ',']).filter(|&i| t.len() - i - 1 <= 2);
    let (whole, cents) = match decimal {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    // Any other separator groups thousands: one kind, not the decimal one, by threes.
    let decimal_char = decimal.map(|i| &t[i..=i]);
    let mut parts = whole.split(['.', ',']);
    let head = parts.next().unwrap_or("");
    let groups: Vec<&str> = parts.collect();
    if !groups.is_empty() {
        let seps: Vec<char> = whole.chars().filter(|c| *c == '.' || *c == ',').collect();
        let one_kind = seps.windows(2).all(|w| w[0] == w[1]);
        let not_decimal = decimal_char.is_none_or(|d| !d.starts_with(seps[0]));
        if !one_kind
            || !not_decimal
            || head.is_empty()
            || head.len() > 3
            || groups.iter().any(|g| g.len() != 3)
        {
            return None;
        }
    }
    let digits: String = std::iter::once(head).chain(groups).collect();
    let units: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let hundredths: i64 = format!("{cents:0<2}").parse().ok()?;
    let value = units.checked_mul(100)?.checked_add(hundredths)?;
    Some(Money(if negative { -value } else { value }))
}

/// A data row: its line in the file and its fields by column name.
struct Row {
    line: u64,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", |v| v.trim())
    }

    fn optional(&self, column: &str) -> Option<String> {
        Some(self.get(column).to_string()).filter(|v| !v.is_empty())
    }

    fn problem(&self, column: &str, message: impl Into<String>) -> ImportProblem {
        ImportProblem {
            line: self.line,
            column: Some(column.to_string()),
            message: message.into(),
        }
    }
}

/// Reads the file's rows, or the problems that stop it being read at all.
fn read_rows(bytes: &[u8], kind: CatalogKind) -> Result<Vec<Row>, Vec<ImportProblem>> {
    let whole = |message: String| {
        vec![ImportProblem {
            line: 1,
            column: None,
            message,
        }]
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "the file is not UTF-8 text (at byte {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| whole(format!("the header line cannot be read: {e}")))?
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    let (known, required): (&[&str], &[&str]) = match kind {
        CatalogKind::Customers => (&CUSTOMER_COLUMNS, &["number", "name"]),
        CatalogKind::Products => (&PRODUCT_COLUMNS, &["code", "description", "price"]),
    };
    let mut problems = Vec::new();
    for c in &columns {
        if !known.contains(&c.as_str()) {
            problems.push(ImportProblem {
                line: 1,
                column: Some(c.clone()),
                message: format!("unknown column; the columns are {}", known.join(", ")),
            });
        }
    }
    for r in required {
        if !columns.iter().any(|c| c == r) {
            problems.push(ImportProblem {
                line: 1,
                column: Some(r.to_string()),
                message: "this column is missing".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            vec![ImportProblem {
                line,
                column: None,
                message: format!("the line cannot be read: {e}"),
            }]
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let fields = columns
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        rows.push(Row { line, fields });
    }
    Ok(rows)
}

/// What one row asks for: nothing, or the commands that make its record so.
enum Plan {
    Unchanged,
    Create(Vec<Command>),
    Update(Vec<Command>),
}

fn plan_customer(conn: &Connection, row: &Row) -> Result<Plan, ImportProblem> {
    let number = row.get("number").to_string();
    if number.is_empty() {
        return Err(row.problem("number", "give the customer's number"));
    }
    let kind = match row.get("kind").to_lowercase().as_str() {
        "" | "organisation" | "organization" => CustomerKind::Organisation,
        "person" => CustomerKind::Person,
        _ => return Err(row.problem("kind", "write organisation or person")),
    };
    let currency = match row.get("currency") {
        "" => Currency::default(),
        code => Currency::parse(&code.to_uppercase())
            .map_err(|_| row.problem("currency", format!("{code} is not a currency code")))?,
    };
    let limit = match row.get("spending_limit") {
        "" => None,
        text => Some(
            parse_amount(text)
                .ok_or_else(|| row.problem("spending_limit", format!("{text} is not an amount")))?,
        ),
    };
    let (name, vat_number, email) = (
        row.get("name").to_string(),
        row.optional("vat_number"),
        row.optional("email"),
    );
    type Existing = (
        Uuid,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<i64>,
    );
    let existing: Option<Existing> = conn
        .prepare_cached(
            "SELECT id, kind, name, vat_number, email, currency, spending_limit
             FROM p_customers WHERE number = ?1",
        )
        .and_then(|mut s| {
            s.query_row([&number], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .optional()
        })
        .map_err(|e| row.problem("number", e.to_string()))?;
    let Some((id, old_kind, old_name, old_vat, old_email, old_currency, old_limit)) = existing
    else {
        return Ok(Plan::Create(vec![Command::RegisterCustomer(
            RegisterCustomer {
                customer_id: CustomerId::new(),
                number,
                kind,
                name,
                vat_number,
                email,
                currency,
                spending_limit: limit,
            },
        )]));
    };
    if old_currency != currency.as_str() {
        return Err(row.problem(
            "currency",
            format!("the customer pays in {old_currency}; an import does not change that"),
        ));
    }
    let customer_id = CustomerId(id);
    let mut commands = Vec::new();
    if (old_kind.as_str(), old_name.as_str(), &old_vat, &old_email)
        != (kind.as_str(), name.as_str(), &vat_number, &email)
    {
        commands.push(Command::UpdateCustomer(UpdateCustomer {
            customer_id,
            kind,
            name,
            vat_number,
            email,
        }));
    }
    if old_limit != limit.map(Money::cents) {
        commands.push(Command::SetSpendingLimit(SetSpendingLimit {
            customer_id,
            limit,
        }));
    }
    Ok(if commands.is_empty() {
        Plan::Unchanged
    } else {
        Plan::Update(commands)
    })
}

fn plan_product(conn: &Connection, row: &Row) -> Result<Plan, ImportProblem> {
    let code = row.get("code").to_string();
    if code.is_empty() {
        return Err(row.problem("code", "give the product's code"));
    }
    let price_text = row.get("price");
    let unit_price = parse_amount(price_text)
        .ok_or_else(|| row.problem("price", format!("{price_text:?} is not an amount")))?;
    let vat_class = match row.get("vat_class").to_lowercase().as_str() {
        "" => VatClass::Standard,
        text => VatClass::parse(text)
            .ok_or_else(|| row.problem("vat_class", "write standard, reduced or zero"))?,
    };
    let description = row.get("description").to_string();
    let existing: Option<(Uuid, String, i64, String)> = conn
        .prepare_cached(
            "SELECT id, description, unit_price, vat_class FROM p_products WHERE code = ?1",
        )
        .and_then(|mut s| {
            s.query_row([&code], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .map_err(|e| row.problem("code", e.to_string()))?;
    Ok(match existing {
        None => Plan::Create(vec![Command::RegisterProduct(RegisterProduct {
            product_id: ProductId::new(),
            code,
            description,
            unit_price,
            vat_class,
        })]),
        Some((_, d, p, v))
            if (d.as_str(), p, v.as_str())
                == (description.as_str(), unit_price.cents(), vat_class.as_str()) =>
        {
            Plan::Unchanged
        }
        Some((id, ..)) => Plan::Update(vec![Command::UpdateProduct(UpdateProduct {
            product_id: ProductId(id),
            description,
            unit_price,
            vat_class,
        })]),
    })
}

impl Daybook {
    /// Imports customers or products from CSV bytes (see the module docs). A dry run,
    /// or a file with any problem, writes nothing and says so (`written: false`).
    /// `progress` hears (rows done, rows) as batches are written.
    pub fn import_catalog(
        &mut self,
        kind: CatalogKind,
        mut input: impl Read,
        dry_run: bool,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ImportReport, AppError> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| AppError::io("cannot read the import file", e))?;
        let mut report = ImportReport::default();
        let rows = match read_rows(&bytes, kind) {
            Ok(rows) => rows,
            Err(problems) => {
                report.problems = problems;
                return Ok(report);
            }
        };
        report.rows = rows.len() as u64;
        // Each row's commands, with the row's line, for the domain's answers.
        let mut planned: Vec<(u64, CommandEnvelope)> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let key = match kind {
            CatalogKind::Customers => "number",
            CatalogKind::Products => "code",
        };
        for row in &rows {
            if let Some(first) = seen.insert(row.get(key).to_lowercase(), row.line) {
                report
                    .problems
                    .push(row.problem(key, format!("the same {key} as on line {first}")));
                continue;
            }
            let plan = match kind {
                CatalogKind::Customers => plan_customer(self.conn(), row),
                CatalogKind::Products => plan_product(self.conn(), row),
            };
            let commands = match plan {
                Err(problem) => {
                    report.problems.push(problem);
                    continue;
                }
                Ok(Plan::Unchanged) => {
                    report.unchanged += 1;
                    continue;
                }
                Ok(Plan::Create(c)) => {
                    report.created += 1;
                    c
                }
                Ok(Plan::Update(c)) => {
                    report.updated += 1;
                    c
                }
            };
            planned.extend(
                commands
                    .into_iter()
                    .map(|c| (row.line, CommandEnvelope::new(c))),
            );
        }
        // The domain's word on every command, rolled back.
        let answers = self.try_batch(planned.iter().map(|(_, env)| env.clone()))?;
        for ((line, _), answer) in planned.iter().zip(&answers) {
            if let Err(e) = answer {
                let body = e.body();
                report.problems.push(ImportProblem {
                    line: *line,
                    column: body.field.clone(),
                    message: body.message,
                });
            }
        }
        report.problems.sort_by_key(|p| p.line);
        if dry_run || !report.problems.is_empty() || planned.is_empty() {
            return Ok(report);
        }
        let total = planned.len() as u64;
        let mut done = 0;
        for chunk in planned.chunks(BATCH) {
            let answers = self.execute_batch(chunk.iter().map(|(_, env)| env.clone()))?;
            if let Some(Err(e)) = answers.into_iter().find(Result::is_err) {
                // Checked a moment ago: only a change made meanwhile gets here.
                return Err(e);
            }
            done += chunk.len() as u64;
            progress(done, total);
        }
        report.written = true;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_with_a_decimal_point_or_comma_and_grouping() {
        for (text, cents) in [
            ("1234.50", 123_450),
            ("1234,50", 123_450),
            ("1.234,50", 123_450),
            ("1,234.50", 123_450),
            ("1.234", 123_400),
            ("12,5", 1250),
            ("0", 0),
            (" 7 ", 700),
            ("-3,10", -310),
        ] {
            assert_eq!(parse_amount(text), Some(Money(cents)), "{text}");
        }
        for text in [
            "",
            "abc",
            "1.2.3,45",
            "12,345x",
            "-",
            "12.3456",
            "1.234.5",
            "1,234,5",
            "1,234,56.7",
        ] {
            assert_eq!(parse_amount(text), None, "{text}");
        }
    }
}
