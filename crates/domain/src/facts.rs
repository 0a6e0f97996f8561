//! Facts from outside an aggregate that a decision needs: read-model answers such as a
//! customer's open order total or whether a product code is taken. The application
//! fetches exactly what [`FactNeeds`] asks for and passes it in, so `decide` stays pure
//! and the same facts always give the same decision.

use crate::ids::{AddressId, CustomerId, OrderId, ProductId};
use crate::money::{Currency, Money, VatClass};

/// What a command needs to know beyond its own stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactNeeds {
    /// Facts about this customer.
    pub customer: Option<CustomerId>,
    /// Facts about this product.
    pub product: Option<ProductId>,
    /// Who owns this product code, if anyone.
    pub product_code: Option<String>,
    /// Who owns this customer number, if anyone.
    pub customer_number: Option<String>,
    /// Which order has this number, if any.
    pub order_number: Option<String>,
    /// The next invoice number (only the server, the authority, can answer).
    pub invoice_number: bool,
    /// The gross total of the orders placed on the command's (UTC) day.
    pub day_total: bool,
}

/// The answers to [`FactNeeds`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The customer asked for, if it exists.
    pub customer: Option<CustomerFacts>,
    /// The product asked for, if it exists.
    pub product: Option<ProductFacts>,
    /// The product that already has the code asked for.
    pub code_owner: Option<ProductId>,
    /// The customer that already has the number asked for.
    pub number_owner: Option<CustomerId>,
    /// The order that already has the order number asked for.
    pub order_number_owner: Option<OrderId>,
    /// The next gap-free invoice number of the account. Only the server assigns
    /// invoice numbers; on a client this is `None` and the invoice stays unnumbered
    /// until the server's canonical event arrives.
    pub invoice_number: Option<u64>,
    /// The gross total of the orders placed on the command's day, if asked for.
    pub day_total: Money,
}

/// What an order needs to know about its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFacts {
    /// The customer.
    pub id: CustomerId,
    /// Blocked customers cannot place orders.
    pub blocked: bool,
    /// The customer's currency.
    pub currency: Currency,
    /// `None` is unlimited.
    pub spending_limit: Option<Money>,
    /// Gross total of the customer's placed, not yet invoiced (and not cancelled) orders.
    pub open_total: Money,
    /// Current addresses.
    pub address_ids: Vec<AddressId>,
}

/// What an order line needs to know about its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFacts {
    /// The product.
    pub id: ProductId,
    /// Its code.
    pub code: String,
    /// Its description.
    pub description: String,
    /// Catalogue price.
    pub unit_price: Money,
    /// Catalogue VAT class.
    pub vat_class: VatClass,
    /// Discontinued products cannot be added to orders.
    pub discontinued: bool,
}
