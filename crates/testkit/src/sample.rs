//! Sample records with fresh ids and the conventional names the tests share:
//! customer `C-1` is "Customer C-1", product `BOLT` is "Product BOLT". Each returns
//! the new record's id with its command, for a harness to give its own way (a
//! `Daybook`, a push, the CLI's `exec`).

use daybook_domain::{AddOrderLine, CreateOrder, RegisterCustomer, RegisterProduct};
use daybook_domain::{CustomerId, LineId, Money, OrderId, ProductId};

use crate::commands::{add_order_line, create_order, register_customer, register_product};

/// Customer `number`, named "Customer {number}", with spending limit `limit` (cents;
/// unlimited when `None`).
pub fn customer(number: &str, limit: Option<i64>) -> (CustomerId, RegisterCustomer) {
    let id = CustomerId::new();
    let command = RegisterCustomer {
        spending_limit: limit.map(Money),
        ..register_customer(id, number, &format!("Customer {number}"))
    };
    (id, command)
}

/// Product `code`, described "Product {code}", at `price` cents, standard VAT.
pub fn product(code: &str, price: i64) -> (ProductId, RegisterProduct) {
    let id = ProductId::new();
    let command = register_product(id, code, &format!("Product {code}"), Money(price));
    (id, command)
}

/// Draft order `number` for `customer`.
pub fn order(number: &str, customer: CustomerId) -> (OrderId, CreateOrder) {
    let id = OrderId::new();
    (id, create_order(id, number, customer))
}

/// A new line of `quantity` of `product` on `order`, at the catalogue's price.
pub fn line(order: OrderId, product: ProductId, quantity: i64) -> AddOrderLine {
    add_order_line(order, LineId::new(), product, quantity)
}
