//! Commands on the company's own record.

use serde::{Deserialize, Serialize};

use crate::ids::CompanyId;
use crate::values::Address;

/// Set the company's own details, as documents show them (full new values; only a
/// change is recorded). The id is always [`CompanyId::ACCOUNT`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCompanyDetails {
    /// Always [`CompanyId::ACCOUNT`].
    pub company_id: CompanyId,
    /// The company's name as documents print it.
    pub name: String,
    /// Its address (the label is not printed).
    pub address: Address,
    /// VAT number, if any.
    pub vat_number: Option<String>,
    /// Bank account (IBAN) for payments, if any.
    pub bank_account: Option<String>,
    /// E-mail for customers, if any.
    pub email: Option<String>,
    /// Telephone, if any.
    pub phone: Option<String>,
}

/// Set or remove the logo documents print at the top of every page (a PNG or JPEG
/// file, base64; `None` removes it). Needs the company's details set first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCompanyLogo {
    /// Always [`CompanyId::ACCOUNT`].
    pub company_id: CompanyId,
    /// The image file, base64 (standard alphabet, padded); `None` removes the logo.
    pub logo: Option<String>,
}
