//! The app tests' Daybook and records in it (commands from `daybook_testkit`).

use daybook_app::Daybook;
use daybook_domain::*;
use daybook_testkit::sample;

pub fn db() -> Daybook {
    daybook_testkit::open_in_memory("alice", "laptop")
}

pub fn customer(db: &mut Daybook, number: &str, limit: Option<i64>) -> CustomerId {
    let (id, command) = sample::customer(number, limit);
    db.execute(command.into()).unwrap();
    id
}

pub fn product(db: &mut Daybook, code: &str, price: i64, vat: VatClass) -> ProductId {
    let (id, command) = sample::product(code, price);
    db.execute(
        RegisterProduct {
            vat_class: vat,
            ..command
        }
        .into(),
    )
    .unwrap();
    id
}

pub fn order(db: &mut Daybook, customer: CustomerId, lines: &[(ProductId, i64)]) -> OrderId {
    let id = OrderId::new();
    let number = format!("SO-{}", &id.0.simple().to_string()[24..]);
    db.execute(daybook_testkit::create_order(id, &number, customer).into())
        .unwrap();
    for (p, q) in lines {
        db.execute(sample::line(id, *p, *q).into()).unwrap();
    }
    id
}
