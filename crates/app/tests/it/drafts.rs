//! A draft's customer changed and a draft discarded, through the command path: the
//! lists, search, counts and the order screen follow; a discarded order leaves every
//! list but keeps its screen and its history; later commands on it are refused.

use daybook_app::query::{self, OrderQuery};
use daybook_app::{AppError, Daybook};
use daybook_domain::*;
use daybook_testkit::{address, dump};

use crate::fixtures::*;

fn add_address(db: &mut Daybook, c: CustomerId, label: &str) -> AddressId {
    let id = AddressId::new();
    db.execute(Command::AddCustomerAddress(AddCustomerAddress {
        customer_id: c,
        address_id: id,
        address: address(label),
    }))
    .unwrap();
    id
}

fn order_count(db: &Daybook, c: CustomerId) -> i64 {
    query::customer(db.conn(), c.0)
        .unwrap()
        .customer
        .order_count
}

fn listed(db: &Daybook, q: &OrderQuery) -> Vec<OrderId> {
    let page = query::orders(db.conn(), q).unwrap();
    let summary = query::order_summary(db.conn(), q).unwrap();
    assert_eq!(page.total, summary.count, "page total and summary agree");
    assert_eq!(page.total, page.rows.len() as u64);
    page.rows.iter().map(|r| OrderId(r.id)).collect()
}

#[test]
fn a_drafts_customer_changes_with_the_new_customers_first_address() {
    let mut db = db();
    let (a, b) = (
        customer(&mut db, "C-1", None),
        customer(&mut db, "C-2", None),
    );
    let p = product(&mut db, "BOLT", 1250, VatClass::Standard);
    let a_home = add_address(&mut db, a, "Home");
    let b_first = add_address(&mut db, b, "Warehouse");
    add_address(&mut db, b, "Office");
    let o = order(&mut db, a, &[(p, 2)]);
    db.execute(Command::SetDeliveryAddress(SetDeliveryAddress {
        order_id: o,
        address_id: a_home,
    }))
    .unwrap();
    let outcome = db
        .execute(Command::ChangeOrderCustomer(ChangeOrderCustomer {
            order_id: o,
            customer_id: b,
        }))
        .unwrap();
    assert_eq!(outcome.events, ["OrderCustomerChanged"]);
    let detail = query::order(db.conn(), o.0).unwrap();
    assert_eq!(detail.order.customer_id, b.0);
    assert_eq!(detail.delivery_address.map(|a| a.id), Some(b_first.0));
    assert_eq!(detail.lines.len(), 1);
    assert_eq!((order_count(&db, a), order_count(&db, b)), (0, 1));
    let of_b = OrderQuery {
        customer_id: Some(b),
        ..OrderQuery::default()
    };
    assert_eq!(listed(&db, &of_b), [o]);
    let history = db.read().readable_history(o.0).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.title, "Customer changed");
    assert!(
        last.rows
            .iter()
            .any(|r| r.contains("→") && r.contains("C-2")),
        "{last:?}"
    );
    let incremental = dump::exact(db.conn());
    db.rebuild().unwrap();
    assert_eq!(incremental, dump::exact(db.conn()));
}

#[test]
fn a_discarded_draft_leaves_the_lists_and_counts_but_keeps_its_screen_and_history() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "BOLT", 1250, VatClass::Standard);
    let kept = order(&mut db, c, &[(p, 1)]);
    let gone = order(&mut db, c, &[(p, 3)]);
    let number = query::order(db.conn(), gone.0).unwrap().order.number;
    let drafts = |db: &Daybook| {
        let today = chrono::Utc::now().date_naive();
        db.read().dashboard(today, today).unwrap().drafts
    };
    assert_eq!(drafts(&db), 2);
    db.execute(Command::DiscardOrder(DiscardOrder { order_id: gone }))
        .unwrap();

    assert_eq!(listed(&db, &OrderQuery::default()), [kept]);
    let search = |s: &str| OrderQuery {
        search: Some(s.into()),
        ..OrderQuery::default()
    };
    assert_eq!(listed(&db, &search(&number)), Vec::<OrderId>::new());
    assert_eq!(listed(&db, &search("BOLT")), [kept]);
    assert_eq!(order_count(&db, c), 1);
    assert_eq!(drafts(&db), 1);
    // Asked for by its status, it is there.
    let discarded = OrderQuery {
        status: vec![OrderStatus::Discarded],
        ..OrderQuery::default()
    };
    assert_eq!(listed(&db, &discarded), [gone]);

    // Its screen and history stay.
    let detail = query::order(db.conn(), gone.0).unwrap();
    assert_eq!(detail.order.status, OrderStatus::Discarded);
    let history = db.read().readable_history(gone.0).unwrap();
    assert_eq!(history.last().unwrap().title, "Discarded");

    // Nothing more can be done to it.
    let err = db
        .execute(Command::PlaceOrder(PlaceOrder { order_id: gone }))
        .unwrap_err();
    assert!(
        matches!(err, AppError::Domain(DomainError::OrderDiscarded)),
        "{err:?}"
    );

    let incremental = dump::exact(db.conn());
    db.rebuild().unwrap();
    assert_eq!(incremental, dump::exact(db.conn()));
}
