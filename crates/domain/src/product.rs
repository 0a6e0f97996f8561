//! The Product aggregate: the catalogue entry an order line copies from.

use serde::{Deserialize, Serialize};

use crate::command::{self, ProductCommand};
use crate::error::DomainError;
use crate::event::*;
use crate::facts::{FactNeeds, Facts};
use crate::money::{Money, VatClass};
use crate::validate::{price, required};
use crate::values::RecordKind;

/// A product's state, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Unique code; immutable once registered.
    pub code: String,
    /// Description.
    pub description: String,
    /// Catalogue price per unit, excluding VAT.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: VatClass,
    /// Discontinued products cannot be added to orders.
    pub discontinued: bool,
}

/// Folds one event into the state. Total and logic-free.
pub fn apply(state: &mut Option<Product>, event: &Event) {
    if let Event::ProductRegistered(e) = event {
        *state = Some(Product {
            code: e.code.clone(),
            description: e.description.clone(),
            unit_price: e.unit_price,
            vat_class: e.vat_class,
            discontinued: false,
        });
        return;
    }
    let Some(p) = state.as_mut() else { return };
    match event {
        Event::ProductDescriptionChanged(e) => p.description = e.description.clone(),
        Event::ProductPriceChanged(e) => p.unit_price = e.unit_price,
        Event::ProductVatClassChanged(e) => p.vat_class = e.vat_class,
        Event::ProductDiscontinued(_) => p.discontinued = true,
        Event::ProductReinstated(_) => p.discontinued = false,
        _ => {}
    }
}

/// The facts a product command needs.
pub fn needs(cmd: ProductCommand<'_>) -> FactNeeds {
    match cmd {
        ProductCommand::RegisterProduct(c) => FactNeeds {
            product_code: Some(c.code.trim().to_string()),
            ..FactNeeds::default()
        },
        ProductCommand::UpdateProduct(_)
        | ProductCommand::DiscontinueProduct(_)
        | ProductCommand::ReinstateProduct(_) => FactNeeds::default(),
    }
}

/// All product rules.
pub fn decide(
    state: Option<&Product>,
    cmd: ProductCommand<'_>,
    facts: &Facts,
) -> Result<Vec<Event>, DomainError> {
    let existing = |id: uuid::Uuid| {
        state.ok_or(DomainError::NotFound {
            kind: RecordKind::Product,
            id,
        })
    };
    match cmd {
        ProductCommand::RegisterProduct(command::RegisterProduct {
            product_id,
            code,
            description,
            unit_price,
            vat_class,
        }) => {
            if state.is_some() {
                return Err(DomainError::AlreadyExists {
                    kind: RecordKind::Product,
                    id: product_id.0,
                });
            }
            let code = required("code", code, 32)?;
            let description = required("description", description, 500)?;
            let unit_price = price(*unit_price)?;
            if matches!(facts.code_owner, Some(owner) if owner != *product_id) {
                return Err(DomainError::DuplicateProductCode { code });
            }
            Ok(vec![
                ProductRegistered {
                    code,
                    description,
                    unit_price,
                    vat_class: *vat_class,
                }
                .into(),
            ])
        }
        ProductCommand::UpdateProduct(command::UpdateProduct {
            product_id,
            description,
            unit_price,
            vat_class,
        }) => {
            let p = existing(product_id.0)?;
            let description = required("description", description, 500)?;
            let unit_price = price(*unit_price)?;
            let mut out = Vec::new();
            if description != p.description {
                out.push(ProductDescriptionChanged { description }.into());
            }
            if unit_price != p.unit_price {
                out.push(ProductPriceChanged { unit_price }.into());
            }
            if *vat_class != p.vat_class {
                out.push(
                    ProductVatClassChanged {
                        vat_class: *vat_class,
                    }
                    .into(),
                );
            }
            // A discontinued product can be reinstated, not changed (its old orders
            // keep what they copied; a change would be for nobody).
            if p.discontinued && !out.is_empty() {
                return Err(DomainError::ProductDiscontinued {
                    code: p.code.clone(),
                });
            }
            Ok(out)
        }
        ProductCommand::DiscontinueProduct(command::DiscontinueProduct { product_id }) => {
            let p = existing(product_id.0)?;
            Ok(if p.discontinued {
                vec![]
            } else {
                vec![ProductDiscontinued {}.into()]
            })
        }
        ProductCommand::ReinstateProduct(command::ReinstateProduct { product_id }) => {
            let p = existing(product_id.0)?;
            Ok(if p.discontinued {
                vec![ProductReinstated {}.into()]
            } else {
                vec![]
            })
        }
    }
}
