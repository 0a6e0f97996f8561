//! Money, VAT and the rounding rule. Amounts are integer cents; floats never appear.
//!
//! Rounding rule (documented for accountants and tested):
//! 1. each line's net = quantity x unit price x (1 - discount), rounded half up to the cent;
//! 2. line nets are summed per VAT rate;
//! 3. VAT per rate = that sum x rate, rounded half up to the cent;
//! 4. gross = total net + total VAT.
//!
//! All inputs are validated non-negative before they get here, so "half up" and
//! "half away from zero" coincide.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount, or a sum of amounts, does not fit in [`Money`] (i64 cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the amount is too large")]
pub struct AmountOverflow;

/// Text that is not an ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a currency code (three letters, e.g. EUR)")]
pub struct InvalidCurrency(pub String);

/// An amount in minor units (cents) of the currency of the document it sits on.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// Zero cents.
    pub const ZERO: Money = Money(0);

    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Adds without wrapping; `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The amount for a person: thousands grouped, two decimals (`1,234.50`).
    /// [`Display`](fmt::Display) gives the plain machine form (`1234.50`).
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, rest) = plain
            .strip_prefix('-')
            .map_or(("", plain.as_str()), |r| ("-", r));
        let (units, cents) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::with_capacity(units.len() + units.len() / 3);
        for (i, c) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{cents}")
    }

    /// The amount with its currency, for a person (`EUR 1,234.50`).
    pub fn with_currency(self, currency: Currency) -> String {
        format!("{currency} {}", self.grouped())
    }
}

/// A rate or discount in basis points as a person reads it: `12.5%`, `21%`.
pub fn percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    match frac {
        0 => format!("{sign}{whole}%"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}%", f / 10),
        f => format!("{sign}{whole}.{f:02}%"),
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// An ISO 4217 currency code (three upper-case ASCII letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The account's default currency.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a code such as `EUR`; lower case is accepted and normalised.
    pub fn parse(code: &str) -> Result<Currency, InvalidCurrency> {
        let b = code.trim().as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Currency([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            Err(InvalidCurrency(code.to_string()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ever constructed from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::EUR
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Crosses IPC as its code, a string (as its serde form).
#[cfg(feature = "specta")]
impl specta::Type for Currency {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

/// Crosses HTTP as its code: three ASCII letters, any case, with the white space
/// [`Currency::parse`] trims around them (Unicode `White_Space`, as `str::trim`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        const SPACE: &str =
            r"[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(format!("^{SPACE}*[A-Za-z]{{3}}{SPACE}*$")))
            .description(Some("An ISO 4217 currency code (EUR)"))
            .examples(["EUR"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Currency {}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// VAT classes of the catalogue. The rate is copied onto each order line when it is
/// added, so a later change of the legal rate never changes an existing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VatClass {
    /// 21%.
    Standard,
    /// 9%.
    Reduced,
    /// 0%.
    Zero,
}

impl VatClass {
    /// Every class, for pickers and tests.
    pub const ALL: [VatClass; 3] = [VatClass::Standard, VatClass::Reduced, VatClass::Zero];

    /// The current rate in basis points (1/100 of a percent).
    pub fn rate_bp(self) -> i64 {
        match self {
            VatClass::Standard => 2100,
            VatClass::Reduced => 900,
            VatClass::Zero => 0,
        }
    }

    /// Stable text form (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            VatClass::Standard => "standard",
            VatClass::Reduced => "reduced",
            VatClass::Zero => "zero",
        }
    }

    /// Inverse of [`VatClass::as_str`].
    pub fn parse(s: &str) -> Option<VatClass> {
        VatClass::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Largest quantity on one line; keeps every product below far from i64 overflow.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// Largest unit price: ten billion currency units.
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000_000;
/// 100% in basis points.
pub const FULL_DISCOUNT_BP: i64 = 10_000;
/// Largest gross total of one order: a hundred billion currency units.
pub const MAX_ORDER_TOTAL: Money = Money(10_000_000_000_000);
/// Largest total of one customer's open orders, and of the orders placed in one day:
/// ten trillion units. With the order cap, no running sum of the read models (per
/// customer, per day) can leave i64, and every amount shown stays below 2^53 cents,
/// which a JavaScript number holds exactly.
pub const MAX_RUNNING_TOTAL: Money = Money(1_000_000_000_000_000);

/// `numerator / 10_000` rounded half up, for non-negative numerators.
fn div_bp_round(numerator: i128) -> i128 {
    (numerator + 5_000).div_euclid(10_000)
}

/// Net amount of one line (step 1 of the rounding rule).
pub fn line_net(
    quantity: i64,
    unit_price: Money,
    discount_bp: i64,
) -> Result<Money, AmountOverflow> {
    let gross = i128::from(quantity) * i128::from(unit_price.0);
    let net = div_bp_round(gross * i128::from(FULL_DISCOUNT_BP - discount_bp));
    i64::try_from(net).map(Money).map_err(|_| AmountOverflow)
}

/// Net, VAT and gross of a document, with the per-rate breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Totals {
    /// Sum of line nets.
    pub net: Money,
    /// Sum of VAT per rate.
    pub vat: Money,
    /// `net + vat`.
    pub gross: Money,
    /// Net and VAT per rate (basis points), ascending by rate.
    pub per_rate: Vec<RateTotal>,
}

/// One VAT rate's share of a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RateTotal {
    /// Rate in basis points.
    pub rate_bp: i64,
    /// Sum of line nets at this rate.
    pub net: Money,
    /// VAT at this rate, rounded once.
    pub vat: Money,
}

impl Totals {
    /// Applies steps 2-4 of the rounding rule to `(rate_bp, line_net)` pairs. Amounts
    /// out of range saturate; see [`Totals::try_from_line_nets`].
    pub fn from_line_nets(lines: impl IntoIterator<Item = (i64, Money)>) -> Totals {
        Totals::compute(lines).0
    }

    /// As [`Totals::from_line_nets`], but refuses totals that do not fit in an amount:
    /// lines that each fit can still overflow together, or once VAT is added.
    pub fn try_from_line_nets(
        lines: impl IntoIterator<Item = (i64, Money)>,
    ) -> Result<Totals, AmountOverflow> {
        match Totals::compute(lines) {
            (t, true) => Ok(t),
            (_, false) => Err(AmountOverflow),
        }
    }

    /// The totals, and whether every amount fitted without saturating.
    /// As [`Totals::from_line_nets`], from the nets already summed per rate.
    pub fn from_rate_sums(sums: &RateSums) -> Totals {
        Totals::from_sums(sums.0.iter().map(|&(r, sum, _)| (r, sum)).collect()).0
    }

    /// As [`Totals::try_from_line_nets`], from the nets already summed per rate
    /// ([`RateSums`]): what an order keeps as its lines change.
    pub fn try_from_rate_sums(sums: &RateSums) -> Result<Totals, AmountOverflow> {
        match Totals::from_sums(sums.0.iter().map(|&(r, sum, _)| (r, sum)).collect()) {
            (t, true) => Ok(t),
            (_, false) => Err(AmountOverflow),
        }
    }

    fn compute(lines: impl IntoIterator<Item = (i64, Money)>) -> (Totals, bool) {
        let mut sums = RateSums::default();
        for (rate, net) in lines {
            sums.add(rate, net);
        }
        Totals::from_sums(sums.0.into_iter().map(|(r, sum, _)| (r, sum)).collect())
    }

    fn from_sums(mut by_rate: Vec<(i64, i128)>) -> (Totals, bool) {
        let mut exact = true;
        let mut fit = |v: i128| {
            let m = saturate(v);
            exact &= i128::from(m) == v;
            Money(m)
        };
        by_rate.sort_unstable_by_key(|(r, _)| *r);
        let mut t = Totals::default();
        let (mut net, mut vat) = (0i128, 0i128);
        for (rate_bp, sum) in by_rate {
            let v = div_bp_round(sum * i128::from(rate_bp));
            net += sum;
            vat += v;
            t.per_rate.push(RateTotal {
                rate_bp,
                net: fit(sum),
                vat: fit(v),
            });
        }
        t.net = fit(net);
        t.vat = fit(vat);
        t.gross = fit(net + vat);
        (t, exact)
    }
}

/// Line nets summed per VAT rate (basis points), exactly, with how many lines each
/// sum holds: the rounding rule rounds VAT once per rate, so these sums are all an
/// order's totals need, and a rate no line has any more drops out of the breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateSums(Vec<(i64, i128, usize)>);

impl RateSums {
    /// Adds a line's net at `rate_bp`.
    pub fn add(&mut self, rate_bp: i64, net: Money) {
        // A handful of rates: a short list scanned per line is cheaper than a map.
        match self.0.iter_mut().find(|(r, ..)| *r == rate_bp) {
            Some((_, sum, lines)) => {
                *sum += i128::from(net.0);
                *lines += 1;
            }
            None => self.0.push((rate_bp, i128::from(net.0), 1)),
        }
    }

    /// Takes away a line's net at `rate_bp` (a line removed, or changed: taken away,
    /// then added anew).
    pub fn remove(&mut self, rate_bp: i64, net: Money) {
        if let Some(i) = self.0.iter().position(|(r, ..)| *r == rate_bp) {
            let (_, sum, lines) = &mut self.0[i];
            *sum -= i128::from(net.0);
            *lines = lines.saturating_sub(1);
            if *lines == 0 {
                self.0.swap_remove(i);
            }
        }
    }
}

/// Orders are checked with [`Totals::try_from_line_nets`] as lines change, so this never
/// saturates in practice; it only keeps a corrupt log from panicking a reader.
fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_net_rounds_half_up_per_line() {
        // 3 x 3.33 with 10% off = 8.991 -> 8.99
        assert_eq!(line_net(3, Money(333), 1000), Ok(Money(899)));
        // 1 x 0.05 with 50% off = 0.025 -> 0.03 (half up)
        assert_eq!(line_net(1, Money(5), 5000), Ok(Money(3)));
        // 100% discount is free
        assert_eq!(line_net(7, Money(1999), 10_000), Ok(Money(0)));
    }

    #[test]
    fn vat_is_rounded_once_per_rate_not_per_line() {
        // Three lines of 0.10 at 21%: per line 0.021 -> 0.02 each = 0.06,
        // per rate 0.30 x 21% = 0.063 -> 0.06. Two lines of 0.05 at 9%: 0.009 per rate -> 0.01.
        let t = Totals::from_line_nets([
            (2100, Money(10)),
            (2100, Money(10)),
            (2100, Money(10)),
            (900, Money(5)),
            (900, Money(5)),
        ]);
        assert_eq!(t.net, Money(40));
        assert_eq!(t.vat, Money(7));
        assert_eq!(t.gross, Money(47));
        assert_eq!(
            t.per_rate,
            vec![
                RateTotal {
                    rate_bp: 900,
                    net: Money(10),
                    vat: Money(1)
                },
                RateTotal {
                    rate_bp: 2100,
                    net: Money(30),
                    vat: Money(6)
                },
            ]
        );
    }

    #[test]
    fn per_rate_rounding_differs_from_per_line_rounding() {
        // 0.50 x 9% = 0.045 -> 0.05 per rate when summed from two 0.25 lines,
        // whereas per-line rounding would give 0.02 + 0.02 = 0.04.
        let t = Totals::from_line_nets([(900, Money(25)), (900, Money(25))]);
        assert_eq!(t.vat, Money(5));
    }

    #[test]
    fn checked_totals_refuse_what_saturating_totals_would_clip() {
        let fits = [(2100, Money(1000)), (0, Money(i64::MAX - 1210))];
        assert_eq!(
            Totals::try_from_line_nets(fits),
            Ok(Totals::from_line_nets(fits))
        );
        // The net fits, the gross does not.
        let vat = [(2100, Money(i64::MAX / 10 * 9))];
        assert_eq!(Totals::try_from_line_nets(vat), Err(AmountOverflow));
        assert_eq!(Totals::from_line_nets(vat).gross, Money(i64::MAX));
        // Each line fits, their sum does not.
        let sum = [(0, Money(i64::MAX)), (0, Money(1))];
        assert_eq!(Totals::try_from_line_nets(sum), Err(AmountOverflow));
    }

    #[test]
    fn currency_parses_and_rejects() {
        assert_eq!(Currency::parse("eur").unwrap(), Currency::EUR);
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("E1R").is_err());
        let json = serde_json::to_string(&Currency::EUR).unwrap();
        assert_eq!(json, "\"EUR\"");
        assert!(serde_json::from_str::<Currency>("\"12\"").is_err());
    }

    #[test]
    fn money_displays_with_two_decimals() {
        assert_eq!(Money(123456).to_string(), "1234.56");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }

    #[test]
    fn money_for_a_person_groups_thousands() {
        assert_eq!(Money(0).grouped(), "0.00");
        assert_eq!(Money(99_999).grouped(), "999.99");
        assert_eq!(Money(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money(-100_000).grouped(), "-1,000.00");
        assert_eq!(Money(i64::MIN).grouped(), "-92,233,720,368,547,758.08");
        assert_eq!(Money(150_000).with_currency(Currency::EUR), "EUR 1,500.00");
    }

    #[test]
    fn percentages_never_show_basis_points() {
        assert_eq!(percent(2100), "21%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(percent(15_000), "150%");
        assert_eq!(percent(-100), "-1%");
    }
}
