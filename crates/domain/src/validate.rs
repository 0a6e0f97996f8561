//! Small input checks shared by the aggregates.

use crate::error::DomainError;
use crate::money::{FULL_DISCOUNT_BP, MAX_QUANTITY, MAX_UNIT_PRICE, Money};
use crate::values::Address;

/// Trims and requires a non-empty text of at most `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::Required { field });
    }
    if v.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    Ok(v.to_string())
}

/// Trims an optional text; blank becomes `None`.
pub fn optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(DomainError::TooLong { field, max }),
        Some(v) => Ok(Some(v.to_string())),
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
