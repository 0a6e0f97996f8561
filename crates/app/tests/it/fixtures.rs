//! Builders for commands used across the tests.

use daybook_app::{Daybook, OpenOptions};
use daybook_domain::*;
use daybook_domain::{AddOrderLine, CreateOrder, RegisterCustomer, RegisterProduct};

pub fn db() -> Daybook {
    Daybook::open_in_memory(OpenOptions {
        user: Some("alice".into()),
        device: Some("laptop".into()),
        ..OpenOptions::default()
    })
    .unwrap()
}

pub fn customer(db: &mut Daybook, number: &str, limit: Option<i64>) -> CustomerId {
    let id = CustomerId::new();
    db.execute(Command::RegisterCustomer(RegisterCustomer {
        customer_id: id,
        number: number.into(),
        kind: CustomerKind::Organisation,
        name: format!("Customer {number}"),
        vat_number: None,
        email: None,
        currency: Currency::EUR,
        spending_limit: limit.map(Money),
    }))
    .unwrap();
    id
}

pub fn product(db: &mut Daybook, code: &str, price: i64, vat: VatClass) -> ProductId {
    let id = ProductId::new();
    db.execute(Command::RegisterProduct(RegisterProduct {
        product_id: id,
        code: code.into(),
        description: format!("Product {code}"),
        unit_price: Money(price),
        vat_class: vat,
    }))
    .unwrap();
    id
}

pub fn order(db: &mut Daybook, customer: CustomerId, lines: &[(ProductId, i64)]) -> OrderId {
    let id = OrderId::new();
    db.execute(Command::CreateOrder(CreateOrder {
        order_id: id,
        number: format!("SO-{}", &id.0.simple().to_string()[24..]),
        customer_id: customer,
    }))
    .unwrap();
    for (p, q) in lines {
        db.execute(Command::AddOrderLine(AddOrderLine {
            order_id: id,
            line_id: LineId::new(),
            product_id: *p,
            quantity: *q,
            unit_price: None,
            discount_bp: 0,
            description: None,
        }))
        .unwrap();
    }
    id
}
