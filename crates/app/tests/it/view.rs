//! The as-of view: a record as it was after any revision, labelled and formatted for
//! its read-only screen, with names as they were then and who made the revision.

use daybook_app::history::{self, AsOf};
use daybook_app::view::record_view;
use daybook_domain::*;
use daybook_testkit::{change_order_line, set_company_details, update_customer};
use uuid::Uuid;

use crate::fixtures::*;

fn value<'a>(v: &'a daybook_app::view::RecordView, key: &str) -> &'a str {
    &v.fields
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key} in {:?}", v.fields))
        .value
}

#[test]
fn an_order_as_it_was_shows_its_lines_totals_and_customer_then() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let bolt = product(&mut db, "BOLT", 250, VatClass::Standard);
    let nut = product(&mut db, "NUT", 100, VatClass::Reduced);
    let o = order(&mut db, c, &[(bolt, 2), (nut, 3)]);
    let line = history::state_at(db.conn(), o.0, AsOf::Revision(2))
        .unwrap()
        .state["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let line_id = LineId(Uuid::parse_str(&line).unwrap());
    db.execute(change_order_line(o, line_id, 5, Money(275)).into())
        .unwrap();
    // Renamed afterwards: the order as it was still names the customer as it was.
    std::thread::sleep(std::time::Duration::from_millis(5));
    db.execute(update_customer(c, "Renamed Ltd").into())
        .unwrap();

    let then = record_view(db.conn(), o.0, Some(2)).unwrap();
    assert_eq!((then.revision, then.head), (2, 4));
    assert_eq!(then.stream_type, StreamType::SalesOrder);
    assert_eq!(then.user.as_deref(), Some("alice"));
    assert_eq!(then.device.as_deref(), Some("laptop"));
    assert_eq!(then.lines.len(), 1, "one line after revision 2");
    let l = &then.lines[0];
    assert_eq!(
        (l.code.as_str(), l.quantity, l.unit_price),
        ("BOLT", 2, Money(250))
    );
    assert_eq!(l.net, Money(500));
    let totals = then.totals.as_ref().unwrap();
    assert_eq!(totals.net, Money(500));
    assert_eq!(totals.gross.0, totals.net.0 + totals.vat.0);
    assert_eq!(value(&then, "status"), "draft");
    assert_eq!(value(&then, "customer_id"), "Customer C-1 (C-1)");

    let now = record_view(db.conn(), o.0, None).unwrap();
    assert_eq!(now.revision, 4);
    assert_eq!(now.lines.len(), 2);
    assert_eq!(now.lines[0].key, then.lines[0].key, "lines compare by key");
    assert_eq!(
        (now.lines[0].quantity, now.lines[0].unit_price),
        (5, Money(275))
    );
    assert_eq!(now.totals.as_ref().unwrap().per_rate.len(), 2);
    // The current order, drawn now, still shows the customer of its last revision.
    assert_eq!(value(&now, "customer_id"), "Customer C-1 (C-1)");
    // A revision past the end is the newest; revision 0 did not exist yet.
    assert_eq!(record_view(db.conn(), o.0, Some(99)).unwrap().revision, 4);
    let before = record_view(db.conn(), o.0, Some(0)).unwrap();
    assert_eq!((before.revision, before.lines.len()), (0, 0));
    assert!(before.fields.is_empty());

    // Nothing a person reads is an id or an internal field name.
    for v in [&then, &now] {
        for f in &v.fields {
            assert!(!f.value.contains(&c.0.to_string()), "{f:?}");
            assert!(!f.label.contains('_'), "{f:?}");
        }
    }
}

#[test]
fn a_customer_product_and_company_as_they_were() {
    let mut db = db();
    let c = customer(&mut db, "C-7", Some(100_000));
    db.execute(update_customer(c, "New name").into()).unwrap();
    let first = record_view(db.conn(), c.0, Some(1)).unwrap();
    assert_eq!(first.title, "Customer C-7");
    assert_eq!(value(&first, "name"), "Customer C-7");
    assert!(
        value(&first, "spending_limit").contains("1,000.00"),
        "{first:?}"
    );
    assert_eq!(record_view(db.conn(), c.0, None).unwrap().title, "New name");

    let p = product(&mut db, "CHAIR", 4_999, VatClass::Standard);
    let card = record_view(db.conn(), p.0, None).unwrap();
    assert_eq!(card.title, "CHAIR Product CHAIR");
    assert_eq!(value(&card, "unit_price"), "49.99");
    assert_eq!(value(&card, "discontinued"), "no");

    db.execute(set_company_details("Daybook Trading BV").into())
        .unwrap();
    let company = record_view(db.conn(), CompanyId::ACCOUNT.0, None).unwrap();
    assert_eq!(value(&company, "name"), "Daybook Trading BV");

    let unknown = record_view(db.conn(), Uuid::now_v7(), None);
    assert!(unknown.is_err());
}

#[test]
fn a_customers_history_can_show_its_orders_major_events() {
    let mut db = db();
    let c = customer(&mut db, "C-3", None);
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    let placed = order(&mut db, c, &[(p, 2)]);
    db.execute(PlaceOrder { order_id: placed }.into()).unwrap();
    db.execute(
        DeliverOrder {
            order_id: placed,
            delivery_id: DeliveryId::new(),
        }
        .into(),
    )
    .unwrap();
    let _draft = order(&mut db, c, &[(p, 1)]);
    db.execute(update_customer(c, "C-3 renamed").into())
        .unwrap();

    let h = daybook_app::readable::customer_history_with_orders(db.conn(), c.0).unwrap();
    let seen: Vec<(Option<&str>, &str)> = h
        .iter()
        .map(|e| (e.order.as_deref(), e.entry.title.as_str()))
        .collect();
    let number = h.iter().find_map(|e| e.order.as_deref()).unwrap();
    assert_eq!(
        seen,
        [
            (None, "Customer registered"),
            (Some(number), "Placed"),
            (Some(number), "Delivered"),
            (None, "Details changed"),
        ]
    );
    assert_eq!(h[1].stream_id, placed.0);
    // Oldest first, by the time each was given.
    assert!(
        h.windows(2)
            .all(|w| w[0].entry.issued_at <= w[1].entry.issued_at)
    );
}

/// Given in one millisecond (a fast import, a batch): the customer's history keeps the
/// order in which they happened, its own changes and its orders' events interleaved.
#[test]
fn a_customers_history_keeps_the_log_order_of_what_was_given_at_one_time() {
    let mut db = db();
    let at = chrono::Utc::now();
    let given = |db: &mut daybook_app::Daybook, command: Command| {
        let mut env = CommandEnvelope::new(command);
        env.issued_at = at;
        db.execute_envelope(env).unwrap();
    };
    let c = CustomerId::new();
    let (_, register) = daybook_testkit::sample::customer("C-9", None);
    given(
        &mut db,
        RegisterCustomer {
            customer_id: c,
            ..register
        }
        .into(),
    );
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 1)]);
    given(&mut db, PlaceOrder { order_id: o }.into());
    given(&mut db, update_customer(c, "C-9 renamed").into());
    let h = daybook_app::readable::customer_history_with_orders(db.conn(), c.0).unwrap();
    let titles: Vec<&str> = h.iter().map(|e| e.entry.title.as_str()).collect();
    assert_eq!(titles, ["Customer registered", "Placed", "Details changed"]);
}

/// No figure adds two currencies: the order list's sums, the dashboard's open work,
/// its days and its top customers are each in one currency, and a rebuild agrees.
#[test]
fn totals_are_per_currency_never_added_across_currencies() {
    use daybook_app::query::{self, CurrencyTotals, OrderQuery};
    use daybook_domain::{Currency, Money, PlaceOrder};

    let mut db = crate::fixtures::db();
    let (eur, register) = daybook_testkit::sample::customer("C-EUR", None);
    db.execute(register.into()).unwrap();
    let (usd, register) = daybook_testkit::sample::customer("C-USD", None);
    db.execute(
        daybook_domain::RegisterCustomer {
            currency: Currency::parse("USD").unwrap(),
            ..register
        }
        .into(),
    )
    .unwrap();
    let bolt = crate::fixtures::product(&mut db, "BOLT", 10_000, daybook_domain::VatClass::Zero);
    for (customer, quantity) in [(eur, 1), (usd, 1), (eur, 2)] {
        let order = crate::fixtures::order(&mut db, customer, &[(bolt, quantity)]);
        db.execute(PlaceOrder { order_id: order }.into()).unwrap();
    }

    let totals = |t: &[CurrencyTotals]| -> Vec<(String, u64, i64)> {
        t.iter()
            .map(|t| (t.currency.clone(), t.count, t.gross.cents()))
            .collect()
    };
    let want = vec![
        ("EUR".to_string(), 2, 30_000),
        ("USD".to_string(), 1, 10_000),
    ];
    let summary = query::order_summary(db.conn(), &OrderQuery::default()).unwrap();
    assert_eq!(summary.count, 3);
    assert_eq!(totals(&summary.totals), want);

    let today = chrono::Utc::now().date_naive();
    let check = |db: &daybook_app::Daybook| {
        let d = query::dashboard(db.conn(), today, today).unwrap();
        assert_eq!(d.open_orders, 3);
        assert_eq!(totals(&d.open), want);
        let days: Vec<(String, i64, Money)> = d
            .days
            .iter()
            .map(|x| (x.currency.clone(), x.orders, x.gross))
            .collect();
        assert_eq!(
            days,
            [
                ("EUR".into(), 2, Money(30_000)),
                ("USD".into(), 1, Money(10_000))
            ]
        );
        let top: Vec<(String, i64)> = d
            .top_customers
            .iter()
            .map(|c| (c.currency.clone(), c.gross.cents()))
            .collect();
        assert_eq!(top, [("EUR".into(), 30_000), ("USD".into(), 10_000)]);
    };
    check(&db);
    db.rebuild().unwrap();
    check(&db);
}
