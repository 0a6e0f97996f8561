//! Small input checks shared by the aggregates.

use crate::error::DomainError;
use crate::money::{FULL_DISCOUNT_BP, MAX_QUANTITY, MAX_UNIT_PRICE, Money};
use crate::text::{TextKind, forbidden_char};
use crate::values::Address;

/// A trimmed text of at most `max` characters, holding only what `kind` allows.
fn checked(field: &'static str, v: &str, max: usize, kind: TextKind) -> Result<(), DomainError> {
    if v.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    if let Some(c) = forbidden_char(v, kind) {
        return Err(DomainError::InvalidCharacter {
            field,
            character: c,
        });
    }
    Ok(())
}

/// Trims and requires a non-empty line of at most `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::Required { field });
    }
    checked(field, v, max, TextKind::Line)?;
    Ok(v.to_string())
}

/// Trims an optional line; blank becomes `None`.
pub fn optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    optional_of(field, value, max, TextKind::Line)
}

/// Trims optional free text (notes, reasons: line breaks and tabs allowed; a Windows
/// line break becomes a plain one); blank becomes `None`.
pub fn free_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    let normalised = value.map(|v| v.replace("\r\n", "\n"));
    optional_of(field, normalised.as_deref(), max, TextKind::Free)
}

fn optional_of(
    field: &'static str,
    value: Option<&str>,
    max: usize,
    kind: TextKind,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            checked(field, v, max, kind)?;
            Ok(Some(v.to_string()))
        }
    }
}

/// `0 < quantity <= MAX_QUANTITY`.
pub fn quantity(q: i64) -> Result<i64, DomainError> {
    if q <= 0 {
        Err(DomainError::InvalidQuantity { quantity: q })
    } else if q > MAX_QUANTITY {
        Err(DomainError::QuantityTooLarge { quantity: q })
    } else {
        Ok(q)
    }
}

/// `0 <= price <= MAX_UNIT_PRICE`.
pub fn price(p: Money) -> Result<Money, DomainError> {
    if p.0 < 0 {
        Err(DomainError::NegativePrice { price: p })
    } else if p.0 > MAX_UNIT_PRICE {
        Err(DomainError::PriceTooLarge { price: p })
    } else {
        Ok(p)
    }
}

/// `0 <= discount <= 100%`.
pub fn discount(bp: i64) -> Result<i64, DomainError> {
    if (0..=FULL_DISCOUNT_BP).contains(&bp) {
        Ok(bp)
    } else {
        Err(DomainError::InvalidDiscount { discount_bp: bp })
    }
}

/// Trims every field of an address and checks the required ones.
pub fn address(a: &Address) -> Result<Address, DomainError> {
    Ok(Address {
        label: optional("address.label", Some(&a.label), 100)?.unwrap_or_default(),
        street: required("address.street", &a.street, 200)?,
        postal_code: optional("address.postal_code", Some(&a.postal_code), 20)?.unwrap_or_default(),
        city: required("address.city", &a.city, 100)?,
        country: required("address.country", &a.country, 60)?,
    })
}
