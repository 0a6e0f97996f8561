//! The command path end to end: decide, append, project, query.

use daybook_app::AppError;
use daybook_app::query::{self, OrderQuery};
use daybook_domain::*;
use daybook_domain::{PlaceOrder, SetOrderDetails};
use daybook_testkit::{add_order_line, update_customer};

use crate::fixtures::*;

#[test]
fn order_flow_updates_read_models() {
    let mut db = db();
    let c = customer(&mut db, "C-1", Some(100_000));
    let p1 = product(&mut db, "BOLT", 250, VatClass::Standard);
    let p2 = product(&mut db, "BOOK", 1000, VatClass::Reduced);
    let o = order(&mut db, c, &[(p1, 4), (p2, 1)]);
    let detail = query::order(db.conn(), o.0).unwrap();
    assert_eq!(detail.lines.len(), 2);
    assert_eq!(detail.order.net, Money(2000));
    assert_eq!(detail.order.vat, Money(210 + 90));
    assert_eq!(detail.order.gross, Money(2300));
    assert_eq!(detail.order.customer_name, "Customer C-1");

    db.execute(Command::PlaceOrder(PlaceOrder { order_id: o }))
        .unwrap();
    let cust = query::customer(db.conn(), c.0).unwrap();
    assert_eq!(cust.customer.open_total, Money(2300));

    let page = query::orders(db.conn(), &OrderQuery::default()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].status, OrderStatus::Placed);
}

#[test]
fn refused_command_changes_nothing() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 1)]);
    let before = query::stats(db.conn()).unwrap();
    let err = db
        .execute(add_order_line(o, LineId::new(), p, 0).into())
        .unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::InvalidQuantity { quantity: 0 })
    ));
    assert_eq!(err.body().field.as_deref(), Some("quantity"));
    assert_eq!(query::stats(db.conn()).unwrap(), before);
}

#[test]
fn products_search_with_fts() {
    let mut db = db();
    product(&mut db, "BOLT-M8", 25, VatClass::Standard);
    product(&mut db, "NUT-M8", 10, VatClass::Standard);
    let page = query::products(
        db.conn(),
        &query::ProductQuery {
            search: Some("bol".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].code, "BOLT-M8");
}

#[test]
fn order_search_by_number_prefix_customer_words_or_reference() {
    let mut db = db();
    let c1 = customer(&mut db, "C-1", None);
    let c2 = customer(&mut db, "C-2", None);
    db.execute(update_customer(c2, "Brouwerij de Molen").into())
        .unwrap();
    let p = product(&mut db, "P", 100, VatClass::Standard);
    let a = order(&mut db, c1, &[(p, 1)]);
    let b = order(&mut db, c2, &[(p, 1)]);
    db.execute(Command::SetOrderDetails(SetOrderDetails {
        order_id: a,
        customer_reference: Some("PO-7781".into()),
        notes: None,
        seen: None,
    }))
    .unwrap();
    let find = |db: &daybook_app::Daybook, s: &str| -> Vec<uuid::Uuid> {
        query::orders(
            db.conn(),
            &OrderQuery {
                search: Some(s.into()),
                ..Default::default()
            },
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
    };
    let number = query::order(db.conn(), b.0).unwrap().order.number;
    assert_eq!(find(&db, &number.to_lowercase()), [b.0]);
    assert_eq!(find(&db, "mol"), [b.0], "customer name word prefix");
    assert_eq!(find(&db, "PO-77"), [a.0], "customer reference prefix");
    assert!(find(&db, "zzz").is_empty());
    assert_eq!(find(&db, "SO-").len(), 2);
}

/// The order search a clerk uses: the digits of a number (any device's), the
/// customer's name or city (as the addresses change), the reference, and a product's
/// code or description word (the orders holding it), with the count and sums of
/// exactly what matches.
#[test]
fn order_search_by_digits_city_and_product() {
    use daybook_testkit::{address, create_order, register_product, update_product};

    let mut db = db();
    let c1 = customer(&mut db, "C-1", None);
    let c2 = customer(&mut db, "C-2", None);
    db.execute(update_customer(c2, "Brouwerij de Molen").into())
        .unwrap();
    let home = AddressId::new();
    db.execute(
        AddCustomerAddress {
            customer_id: c2,
            address_id: home,
            address: Address {
                city: "Bodegraven".into(),
                ..address("Brewery")
            },
        }
        .into(),
    )
    .unwrap();
    let bolt = ProductId::new();
    db.execute(register_product(bolt, "BOLT-M8", "Hex bolt zinc", Money(25)).into())
        .unwrap();
    let nut = product(&mut db, "NUT-M8", 10, VatClass::Standard);
    for (number, customer, lines) in [
        ("SO-04321", c1, vec![(bolt, 2)]),
        ("SO-D2-04321", c2, vec![(nut, 1)]),
        ("SO-43210", c1, vec![(nut, 3), (bolt, 1)]),
        ("SO-14321", c2, vec![(nut, 1)]),
        ("SO-00007", c2, vec![]),
    ] {
        let id = OrderId::new();
        db.execute(create_order(id, number, customer).into())
            .unwrap();
        for (p, q) in lines {
            db.execute(daybook_testkit::sample::line(id, p, q).into())
                .unwrap();
        }
    }
    let numbers = |db: &daybook_app::Daybook, s: &str| -> Vec<String> {
        let q = OrderQuery {
            search: Some(s.into()),
            sort: query::OrderSort::Number,
            ..Default::default()
        };
        let page = query::orders(db.conn(), &q).unwrap();
        let summary = query::order_summary(db.conn(), &q).unwrap();
        assert_eq!(page.total, page.rows.len() as u64, "count of {s:?}");
        assert_eq!(summary.count, page.total, "summary count of {s:?}");
        let gross: i64 = page.rows.iter().map(|r| r.gross.cents()).sum();
        let summed: i64 = summary.totals.iter().map(|t| t.gross.cents()).sum();
        assert_eq!(Money(summed), Money(gross), "summary gross of {s:?}");
        page.rows.into_iter().map(|r| r.number).collect()
    };

    // Digits: the serial without its zeros, as a prefix, on every device's numbers.
    assert_eq!(
        numbers(&db, "4321"),
        ["SO-04321", "SO-43210", "SO-D2-04321"]
    );
    assert_eq!(
        numbers(&db, "04321"),
        ["SO-04321", "SO-43210", "SO-D2-04321"]
    );
    assert_eq!(numbers(&db, "43210"), ["SO-43210"]);
    assert_eq!(numbers(&db, "7"), ["SO-00007"]);
    assert!(
        numbers(&db, "000").is_empty(),
        "zeros alone match no serial"
    );
    assert_eq!(numbers(&db, "so-d2"), ["SO-D2-04321"], "number prefix");

    // Customer name and city; the city follows the address.
    assert_eq!(
        numbers(&db, "molen"),
        ["SO-00007", "SO-14321", "SO-D2-04321"]
    );
    assert_eq!(
        numbers(&db, "bodegr"),
        ["SO-00007", "SO-14321", "SO-D2-04321"]
    );
    db.execute(
        ChangeCustomerAddress {
            customer_id: c2,
            address_id: home,
            address: Address {
                city: "Woerden".into(),
                ..address("Brewery")
            },
        }
        .into(),
    )
    .unwrap();
    assert!(numbers(&db, "bodegraven").is_empty());
    assert_eq!(numbers(&db, "woerden").len(), 3);
    db.execute(
        RemoveCustomerAddress {
            customer_id: c2,
            address_id: home,
        }
        .into(),
    )
    .unwrap();
    assert!(numbers(&db, "woerden").is_empty());

    // A product's code or description word: the orders holding it.
    assert_eq!(numbers(&db, "BOLT-M8"), ["SO-04321", "SO-43210"]);
    assert_eq!(numbers(&db, "hex"), ["SO-04321", "SO-43210"]);
    assert_eq!(numbers(&db, "nut"), ["SO-14321", "SO-43210", "SO-D2-04321"]);
    db.execute(update_product(bolt, "Carriage bolt", Money(25)).into())
        .unwrap();
    assert_eq!(numbers(&db, "carriage"), ["SO-04321", "SO-43210"]);
    assert!(numbers(&db, "hex").is_empty());

    // What the user types is never FTS syntax (the query would fail).
    assert_eq!(numbers(&db, "\"carriage\" OR"), Vec::<String>::new());
    assert_eq!(numbers(&db, "carriage*"), ["SO-04321", "SO-43210"]);
    assert!(numbers(&db, "zzz").is_empty());
}

/// Pages picked over the indexes first and joined after are the same rows, in the
/// same order, as one long page, for every sort and direction.
#[test]
fn order_pages_concatenate_to_the_whole_list_in_every_sort() {
    let mut db = db();
    let customers = [
        customer(&mut db, "C-1", None),
        customer(&mut db, "C-2", None),
        customer(&mut db, "C-3", None),
    ];
    db.execute(update_customer(customers[1], "Aardappel BV").into())
        .unwrap();
    let p = product(&mut db, "P", 100, VatClass::Standard);
    for i in 0..23 {
        order(&mut db, customers[i % 3], &[(p, (i % 4 + 1) as i64)]);
    }
    for sort in [
        query::OrderSort::Created,
        query::OrderSort::Number,
        query::OrderSort::Customer,
        query::OrderSort::Status,
        query::OrderSort::Gross,
    ] {
        for descending in [false, true] {
            let base = OrderQuery {
                sort,
                descending,
                ..Default::default()
            };
            let whole: Vec<_> = query::orders(
                db.conn(),
                &OrderQuery {
                    limit: Some(100),
                    ..base.clone()
                },
            )
            .unwrap()
            .rows;
            assert_eq!(whole.len(), 23);
            let mut paged = Vec::new();
            for offset in (0..23).step_by(5) {
                let page = query::orders(
                    db.conn(),
                    &OrderQuery {
                        offset,
                        limit: Some(5),
                        ..base.clone()
                    },
                )
                .unwrap();
                assert_eq!(page.total, 23);
                paged.extend(page.rows);
            }
            assert_eq!(paged, whole, "{sort:?} descending={descending}");
        }
    }
}

/// A store never connected to a server is its own authority: it numbers its own
/// invoices, gap-free; once it is connected, new invoices are pro forma until the
/// server numbers them.
#[test]
fn a_store_of_its_own_numbers_its_invoices_and_a_connected_one_waits_for_the_server() {
    use daybook_domain::{DeliverOrder, DeliveryId, InvoiceId, InvoiceOrder, PlaceOrder, VatClass};
    let mut db = crate::fixtures::db();
    let c = crate::fixtures::customer(&mut db, "C-1", None);
    let p = crate::fixtures::product(&mut db, "P", 100, VatClass::Standard);
    let invoice = |db: &mut daybook_app::Daybook| {
        let o = crate::fixtures::order(db, c, &[(p, 1)]);
        db.execute(PlaceOrder { order_id: o }.into()).unwrap();
        db.execute(
            DeliverOrder {
                order_id: o,
                delivery_id: DeliveryId::new(),
            }
            .into(),
        )
        .unwrap();
        db.execute(
            InvoiceOrder {
                order_id: o,
                invoice_id: InvoiceId::new(),
            }
            .into(),
        )
        .unwrap();
        query::order(db.conn(), o.0).unwrap().invoice_number
    };
    assert_eq!(invoice(&mut db), Some(1));
    assert_eq!(invoice(&mut db), Some(2));
    db.remember_server("https://sync.example").unwrap();
    assert_eq!(
        invoice(&mut db),
        None,
        "pro forma until the server numbers it"
    );
}
