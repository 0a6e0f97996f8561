//! History for people, every event type: the shop's week and a second week in which
//! every other kind of change happens, told by `daybook history` record by record.

use chrono::Duration;
use daybook_domain::*;
use daybook_testkit::{
    Envelopes, TINY_PNG, address, id, set_company_details, set_company_logo, update_customer,
};
use expect_test::expect;
use serde_json::Value;

use super::*;

/// The changes the shop's week lacks: details, address changes and removals, limits,
/// unblocking, a product's description, price and VAT, reinstating, a removed line,
/// the company's details set and changed, its logo set, changed and removed.
fn second_week() -> Vec<Command> {
    let (acme, cafe) = (id(ACME), id(CAFE));
    let mut company = set_company_details("Daybook Trading BV");
    let first = company.clone();
    company.bank_account = Some("NL02 RABO 0123 4567 89".into());
    vec![
        first.into(),
        company.into(),
        set_company_logo(Some(TINY_PNG)).into(),
        set_company_logo(Some(include_bytes!(
            "../../../crates/domain/tests/fixtures/images/logo.jpg"
        )))
        .into(),
        set_company_logo(None).into(),
        UpdateCustomer {
            vat_number: Some("NL123456789B01".into()),
            email: Some("inkoop@noord.example".into()),
            ..update_customer(acme, "Brouwerij Noord Holding B.V.")
        }
        .into(),
        ChangeCustomerAddress {
            customer_id: acme,
            address_id: id(0xA2),
            address: Address {
                street: "Havenweg 10".into(),
                postal_code: "1041 AB".into(),
                ..address("Warehouse")
            },
        }
        .into(),
        SetSpendingLimit {
            customer_id: acme,
            limit: None,
        }
        .into(),
        UnblockCustomer { customer_id: cafe }.into(),
        AddCustomerAddress {
            customer_id: cafe,
            address_id: id(0xA3),
            address: address("Kiosk"),
        }
        .into(),
        RemoveCustomerAddress {
            customer_id: cafe,
            address_id: id(0xA3),
        }
        .into(),
        UpdateProduct {
            product_id: id(TEA),
            description: "Tea assortment, organic".into(),
            unit_price: Money(495),
            vat_class: VatClass::Standard,
        }
        .into(),
        ReinstateProduct {
            product_id: id(LAMP),
        }
        .into(),
        add_order_line(id(SO3), id(0x32), id(CHAIR), 4).into(),
        RemoveOrderLine {
            order_id: id(SO3),
            line_id: id(0x31),
        }
        .into(),
    ]
}

#[test]
fn snapshots_of_the_history_of_every_event_type() {
    let b = shop_week();
    let mut at = Envelopes::new(0x2000, start() + Duration::days(7), Duration::hours(1));
    let lines: Vec<String> = second_week()
        .into_iter()
        .map(|c| serde_json::to_string(&at.wrap(c)).unwrap())
        .collect();
    for ack in exec_stream(&b, &lines).lines() {
        let ack: Value = serde_json::from_str(ack).unwrap();
        assert_eq!(ack["ok"], Value::Bool(true), "accepted: {ack}");
    }
    // Commit times pinned as in the shop's week, so the text is the same on every run.
    let conn = rusqlite::Connection::open(b.dir().join("daybook.sqlite3")).unwrap();
    conn.execute("UPDATE events SET committed_at = issued_at", [])
        .unwrap();
    let mut all = String::new();
    for record in [
        "C-00001", "C-00003", "TEA", "LAMP", "SO-00001", "SO-00003", "SO-00004", "company",
    ] {
        all.push_str(&b.ok(&["history", record]));
    }
    for word in ["_bp", "_id", "00000000-"] {
        let body: String = all.lines().filter(|l| l.starts_with(' ')).collect();
        assert!(!body.contains(word), "{word} in:\n{all}");
    }
    expect![[r#"
        Customer C-00001 Brouwerij Noord Holding B.V. (00000000-0000-0000-0000-0000000000c1): 6 changes
        #1   2026-03-02 09:00:00 UTC  tester on ci  Customer registered
              Brouwerij Noord B.V. (C-00001), organisation, EUR
              VAT number: NL123456789B01
              E-mail: inkoop@noord.example
              Spending limit: EUR 5,000.00
        #2   2026-03-02 10:00:00 UTC  tester on ci  Address added
              Head office: Damrak 1, 1012 LG Amsterdam, NL
        #3   2026-03-02 11:00:00 UTC  tester on ci  Address added
              Warehouse: Havenweg 8, 1041 AB Amsterdam, NL
        #4   2026-03-09 14:00:00 UTC  tester on ci  Details changed
              Name: Brouwerij Noord B.V. → Brouwerij Noord Holding B.V.
        #5   2026-03-09 15:00:00 UTC  tester on ci  Address changed
              Address Warehouse: street Havenweg 8 → Havenweg 10
        #6   2026-03-09 16:00:00 UTC  tester on ci  Spending limit changed
              Spending limit: EUR 5,000.00 → none
        Customer C-00003 Café Zoë & Co (00000000-0000-0000-0000-0000000000c3): 5 changes
        #1   2026-03-02 13:00:00 UTC  tester on ci  Customer registered
              Café Zoë & Co (C-00003), organisation, EUR
        #2   2026-03-02 14:00:00 UTC  tester on ci  Blocked
              Reason: unpaid invoices
        #3   2026-03-09 17:00:00 UTC  tester on ci  Unblocked
        #4   2026-03-09 18:00:00 UTC  tester on ci  Address added
              Kiosk: Main street 1, 1234 AB Amsterdam, NL
        #5   2026-03-09 19:00:00 UTC  tester on ci  Address removed
              Kiosk: Main street 1, 1234 AB Amsterdam, NL
        Product TEA (00000000-0000-0000-0000-0000000000b3): 4 changes
        #1   2026-03-02 17:00:00 UTC  tester on ci  Product registered
              TEA Tea assortment at 4.50, VAT reduced (9%)
        #2   2026-03-09 20:00:00 UTC  tester on ci  Description changed
              Description: Tea assortment → Tea assortment, organic
        #3   2026-03-09 20:00:00 UTC  tester on ci  Price changed
              Price: 4.50 → 4.95
        #4   2026-03-09 20:00:00 UTC  tester on ci  VAT changed
              VAT: reduced (9%) → standard (21%)
        Product LAMP (00000000-0000-0000-0000-0000000000b4): 3 changes
        #1   2026-03-02 18:00:00 UTC  tester on ci  Product registered
              LAMP Desk lamp at 39.00, VAT standard (21%)
        #2   2026-03-02 19:00:00 UTC  tester on ci  Discontinued
        #3   2026-03-09 21:00:00 UTC  tester on ci  Reinstated
        Order SO-00001 (00000000-0000-0000-0000-000000000001): 10 changes
        #1   2026-03-02 20:00:00 UTC  tester on ci  Order created
              SO-00001 for Brouwerij Noord B.V. (C-00001), in EUR
        #2   2026-03-02 21:00:00 UTC  tester on ci  Line added
              Line 1 · 2 × CHAIR Ergonomic office chair at EUR 149.95, 10% off, VAT 21%
        #3   2026-03-02 22:00:00 UTC  tester on ci  Line added
              Line 2 · 100 × PEN Ballpoint pen, blue at EUR 1.25, VAT 21%
        #4   2026-03-02 23:00:00 UTC  tester on ci  Line added
              Line 3 · 3 × TEA Tea assortment at EUR 4.50, VAT 9%
        #5   2026-03-03 00:00:00 UTC  tester on ci  Line changed
              Line 2 · PEN Ballpoint pen, blue: quantity 100 → 120
        #6   2026-03-03 01:00:00 UTC  tester on ci  Delivery address set
              Warehouse: Havenweg 8, 1041 AB Amsterdam, NL
        #7   2026-03-03 02:00:00 UTC  tester on ci  Details changed
              Reference: – → PO-2026-031
              Notes: – → Deliver before noon
        #8   2026-03-03 03:00:00 UTC  tester on ci  Placed
              3 lines, total EUR 522.81
              Status: draft → placed on 3 Mar 2026 03:00
        #9   2026-03-03 04:00:00 UTC  tester on ci  Delivered
              Status: placed → delivered on 3 Mar 2026 04:00
        #10  2026-03-03 05:00:00 UTC  tester on ci  Invoiced
              Invoice INV-00001
              Status: delivered → invoiced on 3 Mar 2026 05:00
        Order SO-00003 (00000000-0000-0000-0000-000000000003): 4 changes
        #1   2026-03-03 10:00:00 UTC  tester on ci  Order created
              SO-00003 for Brouwerij Noord B.V. (C-00001), in EUR
        #2   2026-03-03 11:00:00 UTC  tester on ci  Line added
              Line 1 · 10 × PEN Ballpoint pen, blue at EUR 1.35, VAT 21%
        #3   2026-03-09 22:00:00 UTC  tester on ci  Line added
              Line 2 · 4 × CHAIR Ergonomic office chair at EUR 149.95, VAT 21%
        #4   2026-03-09 23:00:00 UTC  tester on ci  Line removed
              Line 1 · 10 × PEN Ballpoint pen, blue at EUR 1.35, VAT 21%
        Order SO-00004 (00000000-0000-0000-0000-000000000004): 4 changes
        #1   2026-03-03 12:00:00 UTC  tester on ci  Order created
              SO-00004 for Anna de Vries (C-00002), in EUR
        #2   2026-03-03 13:00:00 UTC  tester on ci  Line added
              Line 1 · 1 × CHAIR Ergonomic office chair at EUR 149.95, VAT 21%
        #3   2026-03-03 14:00:00 UTC  tester on ci  Placed
              1 line, total EUR 181.44
              Status: draft → placed on 3 Mar 2026 14:00
        #4   2026-03-03 15:00:00 UTC  tester on ci  Cancelled
              Reason: customer changed their mind
              Cancelled on 3 Mar 2026 15:00
        Company details (00000000-0000-7000-8000-0000c0a1c0de): 5 changes
        #1   2026-03-09 09:00:00 UTC  tester on ci  Company details changed
              Name: – → Daybook Trading BV
              Address: – → Herengracht 100, 1015 BS Amsterdam, NL
              VAT number: – → NL859999999B01
              Bank account: – → NL91 ABNA 0417 1643 00
        #2   2026-03-09 10:00:00 UTC  tester on ci  Company details changed
              Bank account: NL91 ABNA 0417 1643 00 → NL02 RABO 0123 4567 89
        #3   2026-03-09 11:00:00 UTC  tester on ci  Logo set
              Logo: PNG, 4 × 2 px, 1 KB
        #4   2026-03-09 12:00:00 UTC  tester on ci  Logo changed
              Logo: PNG, 4 × 2 px, 1 KB → JPEG, 120 × 40 px, 1 KB
        #5   2026-03-09 13:00:00 UTC  tester on ci  Logo removed
              Logo: JPEG, 120 × 40 px, 1 KB → –
    "#]].assert_eq(&all);
}
