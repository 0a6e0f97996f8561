//! Commands on a product's stream.

use serde::{Deserialize, Serialize};

use crate::ids::ProductId;
use crate::money::{Money, VatClass};

/// Add a product to the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterProduct {
    /// New id.
    pub product_id: ProductId,
    /// Unique code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Price per unit excluding VAT, in cents.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: VatClass,
}

/// Change description, price or VAT class (full new values; only changes are recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    /// Which product.
    pub product_id: ProductId,
    /// Description.
    pub description: String,
    /// Price per unit excluding VAT, in cents.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: VatClass,
}

/// Stop offering a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DiscontinueProduct {
    /// Which product.
    pub product_id: ProductId,
}

/// Offer a discontinued product again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReinstateProduct {
    /// Which product.
    pub product_id: ProductId,
}
