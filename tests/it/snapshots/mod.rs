//! Snapshots of the text `daybook` prints: the tables and `--json` of the read
//! commands, the CSV exports, and the error JSON of refused and unreadable commands.
//! Each is compared whole with the expectation written in these files (expect-test), so
//! any change of the text fails; after a deliberate change, refresh them all with
//!
//! ```sh
//! cargo build -p daybook-cli
//! UPDATE_EXPECT=1 cargo test -p daybook-system-tests --test it snapshots
//! ```
//!
//! and review the diff. The store is made deterministic: every command is a full
//! envelope with a fixed id and time (`daybook exec --stream`), every record has a
//! fixed id, and the commit times, which are the wall clock, are pinned to the
//! commands' times afterwards (as on a device whose clock was right), so the history
//! and timeline print the same times on every run.

mod approvals;
mod drafts;
mod errors;
mod exports;
mod history;
mod lists;
mod readable;
mod records;

use chrono::{DateTime, Duration, Utc};
use daybook_domain::*;
use daybook_testkit::{
    Envelopes, add_order_line, address, change_order_line, create_order, id, register_customer,
    register_product, update_product,
};
use serde_json::Value;

use crate::support::Book;

/// When the first command of the fixture was given; the others follow an hour apart.
pub fn start() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// The records, by fixed id.
pub const ACME: u128 = 0xC1;
pub const ANNA: u128 = 0xC2;
pub const CAFE: u128 = 0xC3;
pub const CHAIR: u128 = 0xB1;
pub const PEN: u128 = 0xB2;
pub const TEA: u128 = 0xB3;
pub const LAMP: u128 = 0xB4;
pub const SO1: u128 = 0x01;
pub const SO2: u128 = 0x02;
pub const SO3: u128 = 0x03;
pub const SO4: u128 = 0x04;

/// The commands of a small shop's week: three customers (one blocked, one with two
/// addresses and a spending limit), four products (one repriced, one discontinued),
/// and four orders: invoiced, placed, draft, cancelled.
fn commands() -> Vec<Command> {
    let (acme, anna, cafe) = (id(ACME), id(ANNA), id(CAFE));
    let (chair, pen, tea, lamp) = (id(CHAIR), id(PEN), id(TEA), id(LAMP));
    let (so1, so2, so3, so4) = (id(SO1), id(SO2), id(SO3), id(SO4));
    let office = Address {
        street: "Damrak 1".into(),
        postal_code: "1012 LG".into(),
        ..address("Head office")
    };
    let warehouse = Address {
        street: "Havenweg 8".into(),
        postal_code: "1041 AB".into(),
        ..address("Warehouse")
    };
    vec![
        RegisterCustomer {
            vat_number: Some("NL123456789B01".into()),
            email: Some("inkoop@noord.example".into()),
            spending_limit: Some(Money(500_000)),
            ..register_customer(acme, "C-00001", "Brouwerij Noord B.V.")
        }
        .into(),
        AddCustomerAddress {
            customer_id: acme,
            address_id: id(0xA1),
            address: office,
        }
        .into(),
        AddCustomerAddress {
            customer_id: acme,
            address_id: id(0xA2),
            address: warehouse,
        }
        .into(),
        RegisterCustomer {
            kind: CustomerKind::Person,
            email: Some("anna@example.com".into()),
            ..register_customer(anna, "C-00002", "Anna de Vries")
        }
        .into(),
        register_customer(cafe, "C-00003", "Café Zoë & Co").into(),
        BlockCustomer {
            customer_id: cafe,
            reason: "unpaid invoices".into(),
        }
        .into(),
        register_product(chair, "CHAIR", "Ergonomic office chair", Money(14_995)).into(),
        register_product(pen, "PEN", "Ballpoint pen, blue", Money(125)).into(),
        RegisterProduct {
            vat_class: VatClass::Reduced,
            ..register_product(tea, "TEA", "Tea assortment", Money(450))
        }
        .into(),
        register_product(lamp, "LAMP", "Desk lamp", Money(3_900)).into(),
        DiscontinueProduct { product_id: lamp }.into(),
        create_order(so1, "SO-00001", acme).into(),
        AddOrderLine {
            discount_bp: 1_000,
            ..add_order_line(so1, id(0x11), chair, 2)
        }
        .into(),
        add_order_line(so1, id(0x12), pen, 100).into(),
        add_order_line(so1, id(0x13), tea, 3).into(),
        change_order_line(so1, id(0x12), 120, Money(125)).into(),
        SetDeliveryAddress {
            order_id: so1,
            address_id: id(0xA2),
        }
        .into(),
        SetOrderDetails {
            order_id: so1,
            customer_reference: Some("PO-2026-031".into()),
            notes: Some("Deliver before noon".into()),
            seen: None,
        }
        .into(),
        PlaceOrder { order_id: so1 }.into(),
        DeliverOrder {
            order_id: so1,
            delivery_id: id(0xD1),
        }
        .into(),
        InvoiceOrder {
            order_id: so1,
            invoice_id: id(0xE1),
        }
        .into(),
        update_product(pen, "Ballpoint pen, blue", Money(135)).into(),
        create_order(so2, "SO-00002", anna).into(),
        add_order_line(so2, id(0x21), tea, 5).into(),
        PlaceOrder { order_id: so2 }.into(),
        create_order(so3, "SO-00003", acme).into(),
        add_order_line(so3, id(0x31), pen, 10).into(),
        create_order(so4, "SO-00004", anna).into(),
        add_order_line(so4, id(0x41), chair, 1).into(),
        PlaceOrder { order_id: so4 }.into(),
        CancelOrder {
            order_id: so4,
            reason: "customer changed their mind".into(),
        }
        .into(),
    ]
}

/// A Daybook holding the shop's week, every command accepted, commit times pinned.
pub fn shop_week() -> Book {
    let b = Book::new();
    // Fixed command ids from 0x1000 on, an hour apart.
    let mut at = Envelopes::new(0x1000, start(), Duration::hours(1));
    let lines: Vec<String> = commands()
        .into_iter()
        .map(|c| serde_json::to_string(&at.wrap(c)).unwrap())
        .collect();
    for ack in exec_stream(&b, &lines).lines() {
        let ack: Value = serde_json::from_str(ack).unwrap();
        assert_eq!(
            ack["ok"],
            Value::Bool(true),
            "the fixture is accepted: {ack}"
        );
    }
    let conn = rusqlite::Connection::open(b.dir().join("daybook.sqlite3")).unwrap();
    conn.execute("UPDATE events SET committed_at = issued_at", [])
        .unwrap();
    b
}

/// `daybook exec --stream` with `lines` on stdin: what it printed, one
/// acknowledgement a line.
pub fn exec_stream(b: &Book, lines: &[String]) -> String {
    let r = b.run_with_stdin(&["exec", "--stream"], &(lines.join("\n") + "\n"));
    assert_eq!(r.code, 0, "exec --stream: {}", r.stderr);
    r.stdout
}

/// `daybook ARGS` as the user sees it: the exit code, then stderr and stdout.
pub fn seen(b: &Book, args: &[&str]) -> String {
    let r = b.run(args);
    format!("exit {}\n{}{}", r.code, r.stderr, r.stdout)
}
