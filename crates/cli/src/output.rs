//! Text output: aligned tables (money right-aligned), amounts with thousands
//! separators, times, and JSON for `--json`.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use daybook_domain::Money;
use serde::Serialize;

/// Collected output; printed once the command has succeeded.
#[derive(Default)]
pub struct Out {
    text: String,
}

impl Out {
    /// One line.
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.text.push_str(s.as_ref());
        self.text.push('\n');
    }

    /// Pretty JSON of `value`.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> anyhow::Result<()> {
        self.text.push_str(&serde_json::to_string_pretty(value)?);
        self.text.push('\n');
        Ok(())
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

/// `1234567` cents -> `12,345.67`.
pub fn money(m: Money) -> String {
    let plain = m.to_string();
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain.as_str()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// Basis points -> `12.5%`.
pub fn percent(bp: i64) -> String {
    let (int, frac) = (bp / 100, (bp % 100).abs());
    if frac == 0 {
        format!("{int}%")
    } else if frac % 10 == 0 {
        format!("{int}.{}%", frac / 10)
    } else {
        format!("{int}.{frac:02}%")
    }
}

/// `2025-03-01 14:05`.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// `2025-03-01 14:05:09 UTC`.
pub fn time_long(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Column alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A text table with a header row.
pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table, each line without trailing spaces.
    pub fn render(&self, out: &mut Out) {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.columns.iter().map(|(h, _)| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let mut emit = |cells: &mut dyn Iterator<Item = &str>| {
            let mut line = String::new();
            for (i, cell) in cells.enumerate() {
                let (w, align) = (widths[i], self.columns[i].1);
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = w.saturating_sub(width(cell));
                match align {
                    Align::Left => {
                        let _ = write!(line, "{cell}{}", " ".repeat(pad));
                    }
                    Align::Right => {
                        let _ = write!(line, "{}{cell}", " ".repeat(pad));
                    }
                }
            }
            out.line(line.trim_end());
        };
        emit(&mut self.columns.iter().map(|(h, _)| h.as_str()));
        for row in &self.rows {
            emit(&mut row.iter().map(String::as_str));
        }
    }
}

/// Collapses newlines so a value fits on one table line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shortens text to `max` characters with an ellipsis.
pub fn clip(s: &str, max: usize) -> String {
    let s = one_line(s);
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_exact() {
        assert_eq!(money(Money(0)), "0.00");
        assert_eq!(money(Money(5)), "0.05");
        assert_eq!(money(Money(123_456)), "1,234.56");
        assert_eq!(money(Money(100_000_000)), "1,000,000.00");
        assert_eq!(money(Money(-123_456)), "-1,234.56");
        assert_eq!(percent(1000), "10%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(725), "7.25%");
    }

    #[test]
    fn tables_align_money_right() {
        let mut t = Table::new(&[("Number", Align::Left), ("Gross", Align::Right)]);
        t.row(vec!["SO-1".into(), "5.00".into()]);
        t.row(vec!["SO-10000".into(), "1,234.50".into()]);
        let mut out = Out::default();
        t.render(&mut out);
        assert_eq!(
            out.into_string(),
            "Number       Gross\nSO-1          5.00\nSO-10000  1,234.50\n"
        );
    }
}
