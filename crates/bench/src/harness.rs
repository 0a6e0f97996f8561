//! A small timing harness: warm-up, several timed iterations, medians; and the figures
//! and rows of the printed table.

use std::time::{Duration, Instant};

/// Times `f` once.
pub fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(Duration, T)> {
    let start = Instant::now();
    let out = f()?;
    Ok((start.elapsed(), out))
}

/// The median of `v` (the mean of the two middle values for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Collects the per-iteration rates (operations per second) of a throughput benchmark.
#[derive(Debug, Default)]
pub struct Rates(Vec<f64>);

impl Rates {
    /// Records one iteration of `ops` operations that took `d`.
    pub fn push(&mut self, ops: u64, d: Duration) {
        self.0.push(ops as f64 / d.as_secs_f64().max(1e-12));
    }

    /// The median rate.
    pub fn median(&self) -> f64 {
        median(self.0.clone())
    }
}

/// Collects individually timed samples of a latency benchmark.
#[derive(Debug, Default)]
pub struct Latencies(Vec<f64>);

impl Latencies {
    /// Records a duration measured elsewhere.
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }

    /// The median, in seconds.
    pub fn median(&self) -> f64 {
        median(self.0.clone())
    }

    /// The `q` quantile (0..=1), nearest rank, in seconds.
    pub fn percentile(&self, q: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return 0.0;
        }
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1]
    }
}

/// One measured figure.
#[derive(Debug, Clone, Copy)]
pub enum Figure {
    /// Operations per second, with the operation's unit ("cmd", "event", "load").
    Rate(f64, &'static str),
    /// Seconds per operation.
    Latency(f64),
}

impl Figure {
    /// How many times faster `self` is than `other` (> 1: faster). Both must be of the
    /// same kind.
    pub fn speed_ratio(self, other: Figure) -> Option<f64> {
        match (self, other) {
            (Figure::Rate(a, _), Figure::Rate(b, _)) => Some(a / b),
            (Figure::Latency(a), Figure::Latency(b)) => Some(b / a),
            _ => None,
        }
    }

    fn render(self) -> String {
        match self {
            Figure::Rate(r, unit) => format!("{} {unit}/s", thousands(r)),
            Figure::Latency(s) => duration(s),
        }
    }
}

/// What a row must achieve.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Daybook at least this fraction of bare rusqlite's speed.
    RatioAtLeast(f64),
    /// Daybook's median latency below this many seconds.
    LatencyBelow(f64),
    /// For comparison only.
    None,
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row label ("1", "5b", ...).
    pub id: String,
    /// What was measured.
    pub operation: String,
    /// Daybook's figure.
    pub daybook: Figure,
    /// The same operation on bare rusqlite, if there is one.
    pub bare: Option<Figure>,
    /// The target.
    pub target: Target,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.bare.and_then(|b| self.daybook.speed_ratio(b))
    }

    /// PASS, MISS or nothing (no target).
    pub fn verdict(&self) -> Option<bool> {
        match self.target {
            Target::RatioAtLeast(t) => Some(self.ratio().is_some_and(|r| r >= t)),
            Target::LatencyBelow(t) => match self.daybook {
                Figure::Latency(s) => Some(s < t),
                Figure::Rate(..) => Some(false),
            },
            Target::None => None,
        }
    }
}

/// The table in Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| # | Operation | Daybook | bare rusqlite | Daybook ÷ bare | Target | Result |\n\
         |---|---|--:|--:|--:|---|---|\n",
    );
    for r in rows {
        let bare = r.bare.map_or_else(|| "—".to_string(), Figure::render);
        let ratio = r
            .ratio()
            .map_or_else(|| "—".to_string(), |x| format!("{x:.2}x"));
        let target = match r.target {
            Target::RatioAtLeast(t) => format!("≥ {t:.1}x bare"),
            Target::LatencyBelow(t) => format!("< {}", duration(t)),
            Target::None => "(comparison)".to_string(),
        };
        let verdict = match r.verdict() {
            Some(true) => "PASS",
            Some(false) => "**MISS**",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.id,
            r.operation,
            r.daybook.render(),
            bare,
            ratio,
            target,
            verdict
        ));
    }
    out
}

/// `1234567.8` -> `1,234,568`; small values keep a decimal.
pub fn thousands(x: f64) -> String {
    if x < 100.0 {
        return format!("{x:.1}");
    }
    let s = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds as µs, ms or s with three significant digits.
pub fn duration(s: f64) -> String {
    let (v, unit) = if s < 1e-3 {
        (s * 1e6, "µs")
    } else if s < 1.0 {
        (s * 1e3, "ms")
    } else {
        (s, "s")
    };
    if v >= 100.0 {
        format!("{v:.0} {unit}")
    } else if v >= 10.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.2} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_formats() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(123.0), "123");
        assert_eq!(duration(0.000_25), "250 µs");
        assert_eq!(duration(0.004_2), "4.20 ms");
        assert_eq!(duration(2.5), "2.50 s");
    }

    #[test]
    fn verdicts() {
        let row = |d, b, t| Row {
            id: "x".into(),
            operation: "op".into(),
            daybook: d,
            bare: b,
            target: t,
        };
        let r = row(
            Figure::Rate(80.0, "cmd"),
            Some(Figure::Rate(100.0, "event")),
            Target::RatioAtLeast(0.8),
        );
        assert_eq!(r.verdict(), Some(true));
        let r = row(
            Figure::Latency(0.002),
            Some(Figure::Latency(0.001)),
            Target::RatioAtLeast(0.7),
        );
        assert_eq!(r.verdict(), Some(false));
        let r = row(Figure::Latency(0.0009), None, Target::LatencyBelow(0.001));
        assert_eq!(r.verdict(), Some(true));
        assert!(markdown(&[r]).contains("PASS"));
    }
}
