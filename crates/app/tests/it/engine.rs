//! Snapshots, idempotency, batching, catch-up and the error shape.

use chrono::{TimeZone, Utc};
use daybook_app::{AppError, Daybook, ErrorBody, OpenOptions, SNAPSHOT_EVERY, query};
use daybook_domain::*;
use daybook_domain::{DiscontinueProduct, PlaceOrder, RegisterProduct, SetSpendingLimit};
use daybook_testkit::{register_product, update_product};
use uuid::Uuid;

use crate::fixtures::*;

fn limit_cmd(c: CustomerId, cents: i64) -> Command {
    Command::SetSpendingLimit(SetSpendingLimit {
        customer_id: c,
        limit: Some(Money(cents)),
    })
}

#[test]
fn long_streams_load_from_a_snapshot_with_the_same_state() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    for i in 0..(2 * SNAPSHOT_EVERY + 17) {
        db.execute(limit_cmd(c, i as i64 + 1)).unwrap();
    }
    let snap_rev: i64 = db
        .conn()
        .query_row(
            "SELECT revision FROM snapshots WHERE stream_id = ?1",
            [c.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(snap_rev as u64, 2 * SNAPSHOT_EVERY);
    let (with_snapshot, rev) = db.load(c.0).unwrap().unwrap();
    assert_eq!(rev, 2 * SNAPSHOT_EVERY + 18);
    db.conn().execute("DELETE FROM snapshots", []).unwrap();
    let (from_events, rev2) = db.load(c.0).unwrap().unwrap();
    assert_eq!(rev, rev2);
    assert_eq!(with_snapshot, from_events);
    let Aggregate::Customer(Some(state)) = from_events else {
        panic!("not a customer")
    };
    assert_eq!(
        state.spending_limit,
        Some(Money(2 * SNAPSHOT_EVERY as i64 + 17))
    );
}

/// Writing a snapshot costs the state's size, so a large order's interval stretches
/// (`snapshot_step`): a 650-line order's last snapshot is at revision 400, where a
/// fixed interval of 100 wrote its whole self at 600 too (the last lines of a long
/// order cost more than the first). Loading it still gives the folded state.
#[test]
fn a_long_orders_snapshots_space_out_and_it_loads_the_same() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "BOLT", 100, VatClass::Standard);
    let lines = vec![(p, 1); 650];
    let o = order(&mut db, c, &lines);
    let snap_rev: i64 = db
        .conn()
        .query_row(
            "SELECT revision FROM snapshots WHERE stream_id = ?1",
            [o.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(snap_rev, 400);
    let (loaded, rev) = db.load(o.0).unwrap().unwrap();
    assert_eq!(rev, 651);
    assert_eq!(daybook_app::snapshot_step(&loaded), 800);
    db.conn().execute("DELETE FROM snapshots", []).unwrap();
    let (folded, _) = db.load(o.0).unwrap().unwrap();
    assert_eq!(loaded, folded);
    let (Aggregate::SalesOrder(Some(a)), Aggregate::SalesOrder(Some(b))) = (&loaded, &folded)
    else {
        panic!("not an order")
    };
    assert_eq!(a.totals(), b.totals());
    assert_eq!(a.totals().net, Money(65_000));
}

#[test]
fn a_stale_snapshot_shape_is_ignored() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    for i in 0..SNAPSHOT_EVERY {
        db.execute(limit_cmd(c, i as i64 + 1)).unwrap();
    }
    db.conn()
        .execute(
            "UPDATE snapshots SET state_version = 999, state = 'garbage'",
            [],
        )
        .unwrap();
    let (state, _) = db.load(c.0).unwrap().unwrap();
    let Aggregate::Customer(Some(state)) = state else {
        panic!("not a customer")
    };
    assert_eq!(state.spending_limit, Some(Money(SNAPSHOT_EVERY as i64)));
}

#[test]
fn re_executing_a_command_id_is_answered_not_applied_again() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let env = CommandEnvelope::new(limit_cmd(c, 500));
    let first = db.execute_envelope(env.clone()).unwrap();
    let again = db.execute_envelope(env).unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(again.revision, first.revision);
    let events: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 2);
}

#[test]
fn same_command_same_state_same_events() {
    let env = CommandEnvelope {
        command_id: Uuid::now_v7(),
        issued_at: Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap(),
        command: Command::RegisterProduct(RegisterProduct {
            vat_class: VatClass::Zero,
            ..register_product(ProductId(Uuid::now_v7()), "X", "X", Money(1))
        }),
    };
    let rows = |db: &Daybook| -> Vec<(Uuid, String)> {
        db.conn()
            .prepare("SELECT event_id, payload FROM events")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let (mut a, mut b) = (db(), db());
    a.execute_envelope(env.clone()).unwrap();
    b.execute_envelope(env).unwrap();
    assert_eq!(rows(&a), rows(&b));
}

#[test]
fn a_batch_keeps_good_commands_when_one_is_refused() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let results = db
        .execute_batch([
            CommandEnvelope::new(limit_cmd(c, 100)),
            CommandEnvelope::new(limit_cmd(c, -5)),
            CommandEnvelope::new(limit_cmd(c, 300)),
        ])
        .unwrap();
    assert!(results[0].is_ok());
    assert!(matches!(
        results[1],
        Err(AppError::Domain(DomainError::NegativeSpendingLimit { .. }))
    ));
    assert!(results[2].is_ok());
    let row = query::customer(db.conn(), c.0).unwrap();
    assert_eq!(row.customer.spending_limit, Some(Money(300)));
    assert_eq!(row.customer.revision, 3);
}

#[test]
fn commands_on_a_record_of_another_type_are_unknown() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let err = db
        .execute(Command::PlaceOrder(PlaceOrder {
            order_id: OrderId(c.0),
        }))
        .unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::NotFound {
            kind: RecordKind::Order,
            ..
        })
    ));
}

#[test]
fn read_models_survive_reopen_and_rebuild_after_a_schema_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let opts = || OpenOptions {
        durability: daybook_app::Durability::Normal,
        ..OpenOptions::default()
    };
    let order_page = |db: &Daybook| query::orders(db.conn(), &Default::default()).unwrap();
    let before = {
        let mut db = Daybook::open(&path, opts()).unwrap();
        let c = customer(&mut db, "C-1", None);
        let p = product(&mut db, "P", 100, VatClass::Standard);
        order(&mut db, c, &[(p, 2)]);
        order_page(&db)
    };
    {
        // An older build's read models: forces a rebuild on open.
        let db = Daybook::open(&path, opts()).unwrap();
        assert_eq!(order_page(&db), before);
        db.conn()
            .execute(
                "UPDATE meta SET value = 'old' WHERE key = 'projection_version'",
                [],
            )
            .unwrap();
        db.conn().execute("DELETE FROM p_orders", []).unwrap();
    }
    let db = Daybook::open(&path, opts()).unwrap();
    assert_eq!(order_page(&db), before);
}

#[test]
fn read_models_catch_up_with_events_they_have_not_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    {
        let mut db = Daybook::open(&path, OpenOptions::default()).unwrap();
        product(&mut db, "P1", 100, VatClass::Standard);
        product(&mut db, "P2", 100, VatClass::Standard);
        // Pretend the second event was written by something that did not project it.
        db.conn()
            .execute_batch(
                "DELETE FROM p_products_fts WHERE code = 'P2';
                 DELETE FROM p_products WHERE code = 'P2';",
            )
            .unwrap();
        db.conn()
            .execute("UPDATE p_checkpoint SET seq = seq - 1", [])
            .unwrap();
    }
    let db = Daybook::open(&path, OpenOptions::default()).unwrap();
    let page = query::products(db.conn(), &Default::default()).unwrap();
    assert_eq!(page.total, 2);
}

#[test]
fn error_body_json_shape() {
    let e = AppError::Domain(DomainError::InvalidQuantity { quantity: 0 });
    let json = serde_json::to_value(e.body()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": "invalid_quantity",
            "message": "quantity must be greater than 0 (got 0)",
            "field": "quantity",
            "params": {"quantity": 0}
        })
    );
    let internal = AppError::Store(daybook_store::StoreError::Corrupt("secret path".into()));
    let body: ErrorBody = internal.body();
    assert_eq!(body.code, "internal");
    assert!(!body.message.contains("secret"));
    assert!(serde_json::to_value(&body).unwrap().get("field").is_none());
}

#[test]
fn next_number_skips_numbers_in_use() {
    let mut db = db();
    customer(&mut db, "C-00001", None);
    let n = db.next_number(daybook_app::NumberSeries::Customer).unwrap();
    assert_eq!(n, "C-00002");
    let n = db.next_number(daybook_app::NumberSeries::Customer).unwrap();
    assert_eq!(n, "C-00003");
}

#[test]
fn duplicating_an_order_copies_lines_with_their_prices_in_one_go() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "P", 100, VatClass::Standard);
    let src = order(&mut db, c, &[(p, 3)]);
    db.execute(update_product(p, "P", Money(999)).into())
        .unwrap();
    let copy = db.duplicate_order(src).unwrap();
    let a = query::order(db.conn(), src.0).unwrap();
    let b = query::order(db.conn(), copy.0).unwrap();
    assert_ne!(a.order.number, b.order.number);
    assert_eq!(b.order.status, OrderStatus::Draft);
    assert_eq!(a.totals, b.totals);
    assert_eq!(b.lines[0].unit_price, Money(100));

    // A product discontinued meanwhile makes the whole copy fail, leaving nothing.
    db.execute(Command::DiscontinueProduct(DiscontinueProduct {
        product_id: p,
    }))
    .unwrap();
    let before = query::orders(db.conn(), &Default::default()).unwrap().total;
    assert!(db.duplicate_order(src).is_err());
    assert_eq!(
        query::orders(db.conn(), &Default::default()).unwrap().total,
        before
    );
}
