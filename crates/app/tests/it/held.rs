//! Held orders and roles through the command path: a placement over the limit is held
//! and counts nowhere; a release counts it (open total, day figures); a refusal makes
//! it a draft; the approvals queue lists what waits; the history reads in words; a
//! role that may not give a command is refused before anything is decided.

use daybook_app::query::{self, OrderQuery};
use daybook_app::{AppError, Daybook, Identity};
use daybook_domain::*;
use daybook_testkit::dump;

use crate::fixtures::*;

/// A customer limited to 50.00 with an order of 4 x 12.50 + 21% VAT = 60.50.
fn over_the_limit(db: &mut Daybook) -> (CustomerId, OrderId) {
    let c = customer(db, "C-1", Some(5_000));
    let p = product(db, "BOLT", 1250, VatClass::Standard);
    let o = order(db, c, &[(p, 4)]);
    (c, o)
}

fn place(o: OrderId) -> Command {
    Command::PlaceOrder(PlaceOrder { order_id: o })
}

fn release(o: OrderId) -> Command {
    Command::ReleaseOrder(ReleaseOrder { order_id: o })
}

fn refuse(o: OrderId, reason: &str) -> Command {
    Command::RefuseHeldOrder(RefuseHeldOrder {
        order_id: o,
        reason: reason.into(),
    })
}

/// Runs `command` as a person of `role` on this device.
fn as_role(db: &mut Daybook, role: Role, command: Command) -> Result<(), AppError> {
    let who = Identity {
        user: role.as_str().into(),
        device: "laptop".into(),
        role,
    };
    let env = CommandEnvelope::new(command);
    db.write(|w| w.execute(&env, &who).map(|_| ()))
}

fn open_total(db: &Daybook, c: CustomerId) -> Money {
    query::customer(db.conn(), c.0).unwrap().customer.open_total
}

fn status(db: &Daybook, o: OrderId) -> OrderStatus {
    query::order(db.conn(), o.0).unwrap().order.status
}

fn day_orders(db: &Daybook) -> i64 {
    let today = chrono::Utc::now().date_naive();
    let d = db.read().dashboard(today, today).unwrap();
    d.days.iter().map(|d| d.orders).sum()
}

/// The read models equal a rebuild from the log.
fn rebuilds_the_same(db: &mut Daybook) {
    let before = dump::content(db.conn());
    db.rebuild().unwrap();
    assert_eq!(dump::content(db.conn()), before);
}

#[test]
fn a_held_order_counts_nowhere_and_waits_in_the_approvals_queue() {
    let mut db = db();
    let (c, o) = over_the_limit(&mut db);
    let outcome = db.execute(place(o)).unwrap();
    assert_eq!(outcome.events, ["OrderHeld"]);
    assert_eq!(status(&db, o), OrderStatus::Held);
    assert_eq!(open_total(&db, c), Money::ZERO);
    assert_eq!(day_orders(&db), 0);

    let queue = db.read().approvals().unwrap();
    assert_eq!(queue.len(), 1);
    let h = &queue[0];
    assert_eq!(h.id, o.0);
    assert_eq!(h.customer_name, "Customer C-1");
    assert_eq!(h.amount, Money(6_050));
    assert_eq!(h.limit, Some(Money(5_000)));
    assert_eq!(h.open_total, Money::ZERO);
    assert_eq!(h.held_by, "alice");
    assert!(!h.blocked);

    let held = query::orders(
        db.conn(),
        &OrderQuery {
            status: vec![OrderStatus::Held],
            ..OrderQuery::default()
        },
    )
    .unwrap();
    assert_eq!(held.total, 1);
    rebuilds_the_same(&mut db);
}

#[test]
fn a_release_places_the_order_and_counts_it() {
    let mut db = db();
    let (c, o) = over_the_limit(&mut db);
    db.execute(place(o)).unwrap();
    assert_eq!(db.execute(release(o)).unwrap().events, ["OrderReleased"]);
    assert_eq!(status(&db, o), OrderStatus::Placed);
    assert_eq!(open_total(&db, c), Money(6_050));
    assert_eq!(day_orders(&db), 1);
    assert!(db.read().approvals().unwrap().is_empty());
    // Cancelling it now gives the open total back.
    db.execute(Command::CancelOrder(CancelOrder {
        order_id: o,
        reason: String::new(),
    }))
    .unwrap();
    assert_eq!(open_total(&db, c), Money::ZERO);
    assert_eq!(day_orders(&db), 0);
    rebuilds_the_same(&mut db);
}

#[test]
fn a_refusal_returns_the_order_to_draft() {
    let mut db = db();
    let (c, o) = over_the_limit(&mut db);
    db.execute(place(o)).unwrap();
    db.execute(refuse(o, "pay first")).unwrap();
    assert_eq!(status(&db, o), OrderStatus::Draft);
    assert_eq!(open_total(&db, c), Money::ZERO);
    assert!(db.read().approvals().unwrap().is_empty());
    // Cancelling a held order never touched the open total either.
    db.execute(place(o)).unwrap();
    db.execute(Command::CancelOrder(CancelOrder {
        order_id: o,
        reason: String::new(),
    }))
    .unwrap();
    assert_eq!(open_total(&db, c), Money::ZERO);
    assert_eq!(day_orders(&db), 0);
    rebuilds_the_same(&mut db);
}

#[test]
fn refused_releases_change_nothing() {
    let mut db = db();
    let (c, o) = over_the_limit(&mut db);
    let before = dump::content(db.conn());
    let err = db.execute(release(o)).unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::NotHeld {
            status: OrderStatus::Draft
        })
    ));
    assert_eq!(err.body().code, "not_held");
    assert_eq!(dump::content(db.conn()), before);
    // Blocked meanwhile: the release is refused, the order stays held.
    db.execute(place(o)).unwrap();
    db.execute(Command::BlockCustomer(BlockCustomer {
        customer_id: c,
        reason: "unpaid".into(),
    }))
    .unwrap();
    let before = dump::content(db.conn());
    let err = db.execute(release(o)).unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::CustomerBlocked)
    ));
    assert_eq!(dump::content(db.conn()), before);
    assert!(db.read().approvals().unwrap()[0].blocked);
}

#[test]
fn the_history_tells_hold_release_and_refusal_in_words() {
    let mut db = db();
    let (_, o) = over_the_limit(&mut db);
    db.execute(place(o)).unwrap();
    db.execute(refuse(o, "pay the open invoices first"))
        .unwrap();
    db.execute(place(o)).unwrap();
    db.execute(release(o)).unwrap();
    let entries = db.read().readable_history(o.0).unwrap();
    let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles[titles.len() - 4..],
        ["Held", "Refused", "Held", "Released"]
    );
    let held = &entries[entries.len() - 4];
    assert!(
        held.rows[0].contains("EUR 60.50") && held.rows[0].contains("EUR 50.00"),
        "{:?}",
        held.rows
    );
    assert!(held.rows[1].starts_with("Status: draft → held"));
    let refused = &entries[entries.len() - 3];
    assert_eq!(refused.rows[0], "Reason: pay the open invoices first");
    assert!(entries.last().unwrap().rows[1].starts_with("Status: held → placed"));
}

#[test]
fn a_clerk_places_over_the_limit_and_only_a_manager_releases() {
    let mut db = db();
    let (c, o) = over_the_limit(&mut db);
    as_role(&mut db, Role::Clerk, place(o)).unwrap();
    assert_eq!(status(&db, o), OrderStatus::Held);
    assert_eq!(db.read().approvals().unwrap()[0].held_by, "clerk");

    let before = dump::content(db.conn());
    let err = as_role(&mut db, Role::Clerk, release(o)).unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::RoleRequired {
            role: Role::Clerk,
            required: Role::Manager,
            ..
        })
    ));
    let body = err.body();
    assert_eq!(body.code, "role_required");
    assert_eq!(
        body.message,
        "a clerk may not release a held order; ask a manager or an admin"
    );
    assert_eq!(
        dump::content(db.conn()),
        before,
        "a refused role changes nothing"
    );

    as_role(&mut db, Role::Manager, release(o)).unwrap();
    assert_eq!(open_total(&db, c), Money(6_050));
}

#[test]
fn the_role_is_checked_on_every_command_path() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let limit = || {
        Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: c,
            limit: Some(Money(100)),
        })
    };
    let before = dump::content(db.conn());
    assert!(matches!(
        as_role(&mut db, Role::Clerk, limit()),
        Err(AppError::Domain(DomainError::RoleRequired { .. }))
    ));
    assert_eq!(dump::content(db.conn()), before);
    as_role(&mut db, Role::Manager, limit()).unwrap();
    as_role(&mut db, Role::Admin, limit()).unwrap();
}

/// The owner of a store never connected has every right: the default role is admin.
#[test]
fn the_local_owner_is_an_admin() {
    let db = db();
    assert_eq!(db.identity().role, Role::Admin);
}
