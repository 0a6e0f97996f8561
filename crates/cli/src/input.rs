//! Parsing what a person types on the command line into domain values: amounts as
//! exact cents (never through a float), percentages as basis points, dates, statuses.
//! Each parser returns a one-line message that says what is expected.

use chrono::{DateTime, NaiveDate, Utc};
use daybook_app::history::AsOf;
use daybook_domain::{Currency, Event, Money, OrderStatus, StreamType, VatClass};

/// A number with at most two decimals, as `(negative, units, hundredths)`. Either `.`
/// or `,` separates the decimals; anything else (thousands separators, a second
/// separator, letters) is refused rather than guessed.
fn decimal(text: &str) -> Option<(bool, u64, u64)> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if t.ends_with(['.', ',']) {
        return None;
    }
    let units: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let hundredths: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some((negative, units, hundredths))
}

fn signed(negative: bool, units: u64, hundredths: u64) -> Option<i64> {
    let v = i64::try_from(units)
        .ok()?
        .checked_mul(100)?
        .checked_add(i64::try_from(hundredths).ok()?)?;
    Some(if negative { -v } else { v })
}

/// `12.50`, `12,5`, `12` or `-3.20` -> cents.
pub fn money(text: &str) -> Result<Money, String> {
    let (neg, units, hundredths) = decimal(text).ok_or_else(|| {
        format!("'{text}' is not an amount: use digits with at most two decimals, e.g. 12.50")
    })?;
    signed(neg, units, hundredths)
        .map(Money)
        .ok_or_else(|| format!("'{text}' is too large an amount"))
}

/// An amount, or `none`/`unlimited` for no amount (spending limits).
pub fn limit(text: &str) -> Result<Option<Money>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "none" | "unlimited" | "-" => Ok(None),
        _ => money(text).map(Some),
    }
}

/// A percentage (`10`, `12.5`, `7,25%`) -> basis points (1000, 1250, 725).
pub fn percent(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let t = t.strip_suffix('%').unwrap_or(t);
    let (neg, units, hundredths) = decimal(t).ok_or_else(|| {
        format!("'{text}' is not a percentage: use e.g. 10 or 12.5 (at most two decimals)")
    })?;
    signed(neg, units, hundredths).ok_or_else(|| format!("'{text}' is too large a percentage"))
}

/// `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date: use YYYY-MM-DD, e.g. 2025-03-31"))
}

/// A revision number, an RFC 3339 time, or a date (meaning the end of that day, UTC).
pub fn as_of(text: &str) -> Result<AsOf, String> {
    let t = text.trim();
    if let Ok(r) = t.parse::<u64>() {
        return Ok(AsOf::Revision(r));
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(t) {
        return Ok(AsOf::Time(time.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(end) = d.and_hms_milli_opt(23, 59, 59, 999)
    {
        return Ok(AsOf::Time(end.and_utc()));
    }
    Err(format!(
        "'{text}' is neither a revision (e.g. 3), a time (e.g. 2025-03-31T14:00:00Z) nor a date"
    ))
}

/// An order status by name.
pub fn status(text: &str) -> Result<OrderStatus, String> {
    OrderStatus::parse(&text.trim().to_ascii_lowercase()).ok_or_else(|| {
        let all: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("'{text}' is not an order status ({})", all.join(", "))
    })
}

/// A record type: `Customer`, `Product` or `SalesOrder` (any case; `order` too).
pub fn stream_type(text: &str) -> Result<StreamType, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match t.as_str() {
        "customer" | "customers" => Ok(StreamType::Customer),
        "product" | "products" => Ok(StreamType::Product),
        "salesorder" | "salesorders" | "order" | "orders" => Ok(StreamType::SalesOrder),
        "company" => Ok(StreamType::Company),
        _ => Err(format!(
            "'{text}' is not a record type (Customer, Product, SalesOrder, Company)"
        )),
    }
}

/// An event type name, as stored (`OrderPlaced`); matched without regard to case.
pub fn event_type(text: &str) -> Result<String, String> {
    let t = text.trim();
    Event::TYPES
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(t))
        .map(|(name, _, _)| (*name).to_string())
        .ok_or_else(|| {
            format!("'{text}' is not an event type (e.g. OrderPlaced, CustomerRegistered)")
        })
}

/// A VAT class: `standard` (21%), `reduced` (9%) or `zero`; the rates work too.
pub fn vat_class(text: &str) -> Result<VatClass, String> {
    let t = text.trim().trim_end_matches('%').to_ascii_lowercase();
    VatClass::parse(&t)
        .or_else(|| {
            VatClass::ALL
                .into_iter()
                .find(|c| (c.rate_bp() / 100).to_string() == t)
        })
        .ok_or_else(|| format!("'{text}' is not a VAT class (standard, reduced, zero)"))
}

/// A currency code such as `EUR`.
pub fn currency(text: &str) -> Result<Currency, String> {
    Currency::parse(text).map_err(|e| e.to_string())
}

/// A `--limit` page size: 1..=1000.
pub fn page_size(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=daybook_app::query::MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a page size: use a number from 1 to {}",
            daybook_app::query::MAX_PAGE
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_into_cents() {
        assert_eq!(money("12.50"), Ok(Money(1250)));
        assert_eq!(money("12.5"), Ok(Money(1250)));
        assert_eq!(money("12,05"), Ok(Money(1205)));
        assert_eq!(money("12"), Ok(Money(1200)));
        assert_eq!(money(".5"), Ok(Money(50)));
        assert_eq!(money(" 0.01 "), Ok(Money(1)));
        assert_eq!(money("-3.20"), Ok(Money(-320)));
        // The float trap: 0.29 * 100 = 28.999999999999996.
        assert_eq!(money("0.29"), Ok(Money(29)));
        assert_eq!(money("92233720368547758.07"), Ok(Money(i64::MAX)));
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        for bad in [
            "12.3.4", "12.345", "1,234.50", "abc", "", "12.", ".", "-", "1e3", "€5", "5 EUR",
        ] {
            let e = money(bad).unwrap_err();
            assert!(e.contains("not an amount"), "{bad}: {e}");
        }
        assert!(
            money("92233720368547758.08")
                .unwrap_err()
                .contains("too large")
        );
        assert!(money("99999999999999999999999").is_err());
    }

    #[test]
    fn percentages_become_basis_points() {
        assert_eq!(percent("10"), Ok(1000));
        assert_eq!(percent("12.5"), Ok(1250));
        assert_eq!(percent("7,25%"), Ok(725));
        assert_eq!(percent("0"), Ok(0));
        assert_eq!(percent("150"), Ok(15000)); // the domain refuses it, with its message
        assert!(percent("10.125").is_err());
        assert!(percent("ten").is_err());
    }

    #[test]
    fn limits_dates_and_as_of() {
        assert_eq!(limit("none"), Ok(None));
        assert_eq!(limit("5000"), Ok(Some(Money(500_000))));
        assert!(date("2025-02-30").is_err());
        assert_eq!(as_of("3"), Ok(AsOf::Revision(3)));
        assert_eq!(
            as_of("2025-03-31T14:00:00+02:00"),
            Ok(AsOf::Time("2025-03-31T12:00:00Z".parse().unwrap()))
        );
        assert_eq!(
            as_of("2025-03-31"),
            Ok(AsOf::Time("2025-03-31T23:59:59.999Z".parse().unwrap()))
        );
        assert!(as_of("yesterday").is_err());
    }

    #[test]
    fn names_are_matched_leniently() {
        assert_eq!(status("Placed"), Ok(OrderStatus::Placed));
        assert!(
            status("shipped")
                .unwrap_err()
                .contains("draft, held, placed")
        );
        assert_eq!(stream_type("salesorder"), Ok(StreamType::SalesOrder));
        assert_eq!(stream_type("Sales-Order"), Ok(StreamType::SalesOrder));
        assert_eq!(stream_type("Customer"), Ok(StreamType::Customer));
        assert!(stream_type("invoice").is_err());
        assert_eq!(event_type("orderplaced"), Ok("OrderPlaced".to_string()));
        assert!(event_type("OrderShipped").is_err());
        assert_eq!(vat_class("Reduced"), Ok(VatClass::Reduced));
        assert_eq!(vat_class("21%"), Ok(VatClass::Standard));
        assert_eq!(vat_class("0"), Ok(VatClass::Zero));
        assert!(vat_class("high").is_err());
        assert_eq!(page_size("50"), Ok(50));
        assert!(page_size("0").is_err());
        assert!(page_size("5000").is_err());
    }
}
