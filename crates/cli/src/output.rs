//! Text output: aligned tables (money right-aligned), amounts with thousands
//! separators, times, and JSON for `--json`.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use daybook_domain::{Money, text};
use serde::Serialize;

/// Collected output; printed once the command has succeeded.
#[derive(Default)]
pub struct Out {
    text: String,
}

impl Out {
    /// One line (or several, split at line breaks). Stored text is shown with control,
    /// bidirectional and invisible characters escaped, so nothing in the data can steer
    /// the terminal (`\u{1B}[2J` clears no screen here).
    pub fn line(&mut self, s: impl AsRef<str>) {
        for part in s.as_ref().split('\n') {
            self.text.push_str(&text::escaped(part));
            self.text.push('\n');
        }
    }

    /// Pretty JSON of `value`, with the characters that could steer a terminal
    /// written as `\uXXXX` escapes (serde_json leaves C1 controls and bidirectional
    /// formatting raw). Outside strings JSON is ASCII, so escaping the text is exact.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> anyhow::Result<()> {
        let raw = serde_json::to_string_pretty(value)?;
        for c in raw.chars() {
            if text::steers_a_terminal(c) && c != '\n' {
                let _ = write!(self.text, "\\u{:04x}", u32::from(c));
            } else {
                self.text.push(c);
            }
        }
        self.text.push('\n');
        Ok(())
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

/// `1234567` cents -> `12,345.67`.
pub fn money(m: Money) -> String {
    m.grouped()
}

pub use daybook_domain::money::percent;

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
    fn stored_text_cannot_steer_the_terminal() {
        let mut out = Out::default();
        out.line("Acme\u{1b}[2J \u{202E}VB\u{9b}");
        out.json(&serde_json::json!({"name": "Acme\u{1b}[2J \u{202E}VB\u{9b}"}))
            .expect("json");
        let text = out.into_string();
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && text::steers_a_terminal(c)),
            "{text:?}"
        );
        assert!(
            text.starts_with("Acme\\u{001B}[2J \\u{202E}VB\\u{009B}\n"),
            "{text}"
        );
        let json: serde_json::Value =
            serde_json::from_str(text.lines().skip(1).collect::<String>().as_str())
                .expect("still JSON");
        assert_eq!(json["name"], "Acme\u{1b}[2J \u{202E}VB\u{9b}");
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
