//! The client side of sync against an in-process authority (a server-mode Daybook):
//! convergence, conflicts, rejections, retries. The real server over HTTP is tested in
//! the top-level system tests.

use std::collections::HashSet;

use daybook_app::ErrorCode;
use daybook_app::query;
use daybook_app::replica::{Binding, PushAnswer};
use daybook_app::{AppError, Daybook, Identity, OpenOptions};
use daybook_domain::*;
use daybook_domain::{AddOrderLine, DeliverOrder, InvoiceOrder, PlaceOrder};
use daybook_store::read_raw;
use daybook_testkit::{dump, sample};
use uuid::Uuid;

use crate::fixtures::{customer, order, product};

/// A minimal stand-in for the server: same domain, authority mode, results recorded
/// per command id.
pub struct Authority {
    db: Daybook,
    seen: std::collections::HashMap<Uuid, PushAnswer>,
}

impl Authority {
    pub fn new() -> Self {
        Authority {
            db: Daybook::open_in_memory(OpenOptions {
                authority: true,
                device: Some("server".into()),
                ..OpenOptions::default()
            })
            .unwrap(),
            seen: Default::default(),
        }
    }

    pub fn account(&self) -> Uuid {
        self.db.account_id()
    }

    fn push(&mut self, device: &str, client: &mut Daybook) -> usize {
        let out = client.outgoing(1000).unwrap();
        let mut answers = Vec::new();
        for c in &out {
            let answer = match self.seen.get(&c.envelope.command_id) {
                Some(a) => a.clone(),
                None => {
                    let id = Identity {
                        user: c.user.clone(),
                        device: device.into(),
                        role: daybook_domain::Role::Admin,
                    };
                    let r = self
                        .db
                        .write(|w| Ok::<_, AppError>(w.execute(&c.envelope, &id)));
                    let a = match r.unwrap() {
                        Ok(_) => PushAnswer::Accepted {
                            last_seq: self.last_seq(c.envelope.command_id),
                        },
                        Err(e) => PushAnswer::Rejected(e.body()),
                    };
                    self.seen.insert(c.envelope.command_id, a.clone());
                    a
                }
            };
            answers.push((c.envelope.command_id, answer));
        }
        client.record_push(&answers).unwrap();
        out.len()
    }

    fn last_seq(&self, command_id: Uuid) -> Option<i64> {
        self.db
            .conn()
            .query_row(
                "SELECT max(seq) FROM events WHERE command_id = ?1",
                [command_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn pull(&self, client: &mut Daybook, page: usize) {
        loop {
            let events =
                read_raw(self.db.conn(), client.read().sync_cursor().unwrap(), page).unwrap();
            if events.is_empty() {
                break;
            }
            client.apply_pulled(&events).unwrap();
        }
    }

    /// Push everything, then pull everything, as the engine does.
    pub fn sync(&mut self, device: &str, client: &mut Daybook) {
        while self.push(device, client) > 0 {}
        self.pull(client, 7);
    }
}

pub fn client(authority: &Authority, name: &str, code: &str) -> Daybook {
    let mut db = daybook_testkit::open_in_memory(&format!("{name}-user"), name);
    db.bind(&Binding {
        account_id: authority.account(),
        device_name: name.into(),
        device_code: code.into(),
    })
    .unwrap();
    db
}

/// Every client must equal a fresh replica built from the server's log alone.
fn assert_converged(authority: &Authority, clients: &[&Daybook]) {
    let mut fresh = client(authority, "fresh", "DX");
    authority.pull(&mut fresh, 1000);
    let expected = dump::content(fresh.conn());
    assert_eq!(
        dump::content(authority.db.conn()),
        expected,
        "server read models"
    );
    for c in clients {
        assert_eq!(dump::content(c.conn()), expected);
        let speculative: i64 = c
            .conn()
            .query_row(
                "SELECT count(*) FROM events WHERE server_seq IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(speculative, 0, "every event confirmed");
        let ids = |db: &Daybook| -> HashSet<Uuid> {
            db.conn()
                .prepare("SELECT event_id FROM events")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(ids(c), ids(&authority.db), "same log");
    }
}

#[test]
fn two_offline_clients_converge() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let mut b = client(&server, "b", "D2");
    let ca = customer(&mut a, "C-A", None);
    let pa = product(&mut a, "PA", 100, VatClass::Standard);
    order(&mut a, ca, &[(pa, 2)]);
    let cb = customer(&mut b, "C-B", Some(10_000));
    let pb = product(&mut b, "PB", 250, VatClass::Reduced);
    let ob = order(&mut b, cb, &[(pb, 3)]);
    b.execute(Command::PlaceOrder(PlaceOrder { order_id: ob }))
        .unwrap();

    server.sync("a", &mut a);
    server.sync("b", &mut b);
    server.sync("a", &mut a);
    assert_converged(&server, &[&a, &b]);
    assert_eq!(
        query::orders(a.conn(), &Default::default()).unwrap().total,
        2
    );
    assert_eq!(a.read().outbox_counts().unwrap().pending, 0);
}

fn shared_draft(server: &mut Authority) -> (Daybook, Daybook, OrderId, ProductId) {
    let mut a = client(server, "a", "D1");
    let mut b = client(server, "b", "D2");
    let c = customer(&mut a, "C-1", None);
    let p = product(&mut a, "P", 100, VatClass::Standard);
    let o = order(&mut a, c, &[(p, 1)]);
    server.sync("a", &mut a);
    server.sync("b", &mut b);
    (a, b, o, p)
}

fn add_line(o: OrderId, p: ProductId, qty: i64) -> Command {
    sample::line(o, p, qty).into()
}

#[test]
fn a_line_added_after_a_colleague_placed_the_order_needs_attention() {
    let mut server = Authority::new();
    let (mut a, mut b, o, p) = shared_draft(&mut server);
    // Both offline: b places, a adds a line.
    b.execute(Command::PlaceOrder(PlaceOrder { order_id: o }))
        .unwrap();
    a.execute(add_line(o, p, 5)).unwrap();
    let other = customer(&mut a, "C-2", None); // unrelated work must not be lost
    server.sync("b", &mut b);
    server.sync("a", &mut a);
    server.sync("b", &mut b);

    let attention = a.read().needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].status, "rejected");
    assert_eq!(attention[0].error.as_ref().unwrap().code, "order_not_draft");
    assert!(matches!(
        attention[0].command,
        Command::AddOrderLine(AddOrderLine { quantity: 5, .. })
    ));
    let detail = query::order(a.conn(), o.0).unwrap();
    assert_eq!(detail.order.status, OrderStatus::Placed);
    assert_eq!(
        detail.lines.len(),
        1,
        "the refused line is gone locally too"
    );
    assert!(query::customer(b.conn(), other.0).is_ok());
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn a_pending_command_that_no_longer_applies_after_a_pull_is_set_aside() {
    let mut server = Authority::new();
    let (mut a, mut b, o, p) = shared_draft(&mut server);
    b.execute(Command::PlaceOrder(PlaceOrder { order_id: o }))
        .unwrap();
    server.sync("b", &mut b);
    a.execute(add_line(o, p, 5)).unwrap();
    // Pull before push: the rebase finds the order placed.
    server.pull(&mut a, 100);
    let attention = a.read().needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].status, "conflict");
    assert_eq!(
        a.read().outbox_counts().unwrap().pending,
        0,
        "nothing left to push"
    );
    server.sync("a", &mut a);
    assert_converged(&server, &[&a, &b]);

    // The user discards it: nothing changes but the list empties.
    a.discard(attention[0].command_id).unwrap();
    assert!(a.read().needs_attention().unwrap().is_empty());
}

#[test]
fn interleaved_lines_from_two_devices_are_rebased_not_lost() {
    let mut server = Authority::new();
    let (mut a, mut b, o, p) = shared_draft(&mut server);
    a.execute(add_line(o, p, 2)).unwrap();
    b.execute(add_line(o, p, 3)).unwrap();
    server.sync("b", &mut b);
    server.sync("a", &mut a); // a's line lands at revision 4 on the server, after b's
    server.sync("b", &mut b);
    let lines = query::order(a.conn(), o.0).unwrap().lines;
    assert_eq!(
        lines.iter().map(|l| l.quantity).collect::<Vec<_>>(),
        [1, 3, 2],
        "server order"
    );
    assert!(a.read().needs_attention().unwrap().is_empty());
    assert_converged(&server, &[&a, &b]);
}

/// The authority decides with the same rules: a placement that fit offline but that a
/// colleague's order took over the limit meanwhile is held there (not refused), so it
/// never lands in "needs attention"; a manager's release places it everywhere.
#[test]
fn spending_limit_used_up_by_a_colleague_holds_the_order_on_sync() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let c = customer(&mut a, "C-1", Some(20_000));
    let p = product(&mut a, "P", 10_000, VatClass::Zero);
    server.sync("a", &mut a);
    let mut b = client(&server, "b", "D2");
    server.sync("b", &mut b);

    let oa = order(&mut a, c, &[(p, 1)]);
    a.execute(Command::PlaceOrder(PlaceOrder { order_id: oa }))
        .unwrap();
    let ob = order(&mut b, c, &[(p, 2)]);
    b.execute(Command::PlaceOrder(PlaceOrder { order_id: ob }))
        .unwrap(); // fine offline: 20,000 of 20,000
    assert_eq!(
        query::order(b.conn(), ob.0).unwrap().order.status,
        OrderStatus::Placed
    );
    server.sync("a", &mut a);
    server.sync("b", &mut b);
    server.sync("a", &mut a);

    assert!(b.read().needs_attention().unwrap().is_empty());
    for db in [&a, &b] {
        assert_eq!(
            query::order(db.conn(), ob.0).unwrap().order.status,
            OrderStatus::Held
        );
        assert_eq!(
            query::customer(db.conn(), c.0).unwrap().customer.open_total,
            Money(10_000)
        );
    }
    assert_eq!(a.read().approvals().unwrap().len(), 1);

    a.execute(Command::ReleaseOrder(ReleaseOrder { order_id: ob }))
        .unwrap();
    server.sync("a", &mut a);
    server.sync("b", &mut b);
    assert_eq!(
        query::order(b.conn(), ob.0).unwrap().order.status,
        OrderStatus::Placed
    );
    assert_eq!(
        query::customer(b.conn(), c.0).unwrap().customer.open_total,
        Money(30_000)
    );
    assert_converged(&server, &[&a, &b]);
}

/// A change the server refused (a product code a colleague took meanwhile) is retried
/// edited, as the desktop's Edit… and `daybook retry --edited` do: an edit still in
/// conflict is refused locally at its field and changes nothing; the corrected one takes
/// the refused one's place and reaches the colleague.
#[test]
fn a_refused_change_is_retried_edited() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let mut b = client(&server, "b", "D2");
    product(&mut a, "BOLT", 100, VatClass::Standard);
    let (mine, register) = sample::product("BOLT", 250);
    b.execute(register.clone().into()).unwrap();
    server.sync("a", &mut a);
    server.sync("b", &mut b);

    let attention = b.read().needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    let refused = attention[0].command_id;
    assert_eq!(
        attention[0].error.as_ref().unwrap().code,
        "duplicate_product_code"
    );
    let before = dump::content(b.conn());
    let still_taken = b.retry(refused, Some(register.clone().into())).unwrap_err();
    assert_eq!(still_taken.body().field.as_deref(), Some("code"));
    assert_eq!(
        dump::content(b.conn()),
        before,
        "a refused edit changes nothing"
    );
    assert_eq!(b.read().needs_attention().unwrap().len(), 1);

    b.retry(
        refused,
        Some(
            RegisterProduct {
                code: "BOLT-2".into(),
                ..register
            }
            .into(),
        ),
    )
    .unwrap();
    assert!(b.read().needs_attention().unwrap().is_empty());
    server.sync("b", &mut b);
    server.sync("a", &mut a);
    assert!(b.read().needs_attention().unwrap().is_empty());
    let theirs = a.read().product(mine.0).unwrap();
    assert_eq!(
        (theirs.code.as_str(), theirs.unit_price),
        ("BOLT-2", Money(250))
    );
    assert_converged(&server, &[&a, &b]);
}

/// A placement refused on sync (the customer was blocked meanwhile) needs attention; a
/// retry unchanged is refused at once, locally; once unblocked, the retry goes through.
#[test]
fn a_placement_refused_on_sync_can_be_retried() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let c = customer(&mut a, "C-1", None);
    let p = product(&mut a, "P", 10_000, VatClass::Zero);
    server.sync("a", &mut a);
    let mut b = client(&server, "b", "D2");
    server.sync("b", &mut b);

    let ob = order(&mut b, c, &[(p, 2)]);
    b.execute(Command::PlaceOrder(PlaceOrder { order_id: ob }))
        .unwrap();
    a.execute(Command::BlockCustomer(BlockCustomer {
        customer_id: c,
        reason: "unpaid".into(),
    }))
    .unwrap();
    server.sync("a", &mut a);
    server.sync("b", &mut b);

    let attention = b.read().needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(
        attention[0].error.as_ref().unwrap().code,
        "customer_blocked"
    );
    assert_eq!(
        query::order(b.conn(), ob.0).unwrap().order.status,
        OrderStatus::Draft
    );
    let err = b.retry(attention[0].command_id, None).unwrap_err();
    assert!(matches!(
        err,
        AppError::Domain(DomainError::CustomerBlocked)
    ));
    assert_eq!(b.read().needs_attention().unwrap().len(), 1);

    a.execute(Command::UnblockCustomer(UnblockCustomer { customer_id: c }))
        .unwrap();
    server.sync("a", &mut a);
    server.sync("b", &mut b);
    b.retry(attention[0].command_id, None).unwrap();
    server.sync("b", &mut b);
    server.sync("a", &mut a);
    assert!(b.read().needs_attention().unwrap().is_empty());
    assert_eq!(
        query::order(a.conn(), ob.0).unwrap().order.status,
        OrderStatus::Placed
    );
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn invoice_numbers_come_from_the_server() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let c = customer(&mut a, "C-1", None);
    let p = product(&mut a, "P", 100, VatClass::Standard);
    let mut orders = Vec::new();
    for _ in 0..3 {
        let o = order(&mut a, c, &[(p, 1)]);
        for cmd in [
            Command::PlaceOrder(PlaceOrder { order_id: o }),
            Command::DeliverOrder(DeliverOrder {
                order_id: o,
                delivery_id: DeliveryId::new(),
            }),
            Command::InvoiceOrder(InvoiceOrder {
                order_id: o,
                invoice_id: InvoiceId::new(),
            }),
        ] {
            a.execute(cmd).unwrap();
        }
        orders.push(o);
    }
    assert_eq!(
        query::order(a.conn(), orders[0].0).unwrap().invoice_number,
        None
    );
    server.sync("a", &mut a);
    let numbers: Vec<Option<i64>> = orders
        .iter()
        .map(|o| query::order(a.conn(), o.0).unwrap().invoice_number)
        .collect();
    assert_eq!(numbers, [Some(1), Some(2), Some(3)]);
    assert_converged(&server, &[&a]);
}

#[test]
fn a_rejected_command_does_not_wedge_the_queue() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    let mut b = client(&server, "b", "D2");
    customer(&mut b, "C-SAME", None);
    server.sync("b", &mut b);
    // a registers the same number offline, orders for that customer, and more.
    let dup = customer(&mut a, "C-SAME", None);
    let p = product(&mut a, "P", 100, VatClass::Standard);
    order(&mut a, dup, &[(p, 1)]);
    let fine = customer(&mut a, "C-OTHER", None);
    server.sync("a", &mut a);

    let codes: Vec<ErrorCode> = a
        .read()
        .needs_attention()
        .unwrap()
        .iter()
        .map(|i| i.error.as_ref().unwrap().code)
        .collect();
    assert!(
        codes.contains(&ErrorCode::DuplicateCustomerNumber),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| *c == ErrorCode::DuplicateCustomerNumber || *c == ErrorCode::NotFound),
        "{codes:?}"
    );
    assert!(query::customer(a.conn(), fine.0).is_ok());
    assert!(
        query::products(server.db.conn(), &Default::default())
            .unwrap()
            .total
            == 1
    );
    assert_eq!(a.read().outbox_counts().unwrap().pending, 0);
    server.sync("b", &mut b);
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn pushing_again_after_a_lost_answer_duplicates_nothing() {
    let mut server = Authority::new();
    let mut a = client(&server, "a", "D1");
    customer(&mut a, "C-1", None);
    let out = a.outgoing(10).unwrap();
    // The server applied it, but the answer never reached the client.
    for c in &out {
        let id = Identity {
            user: c.user.clone(),
            device: "a".into(),
            role: daybook_domain::Role::Admin,
        };
        server.db.write(|w| w.execute(&c.envelope, &id)).unwrap();
        let last_seq = server.last_seq(c.envelope.command_id);
        server
            .seen
            .insert(c.envelope.command_id, PushAnswer::Accepted { last_seq });
    }
    let again = a.outgoing(10).unwrap();
    assert_eq!(
        again[0].device_seq, out[0].device_seq,
        "same sequence on retry"
    );
    server.sync("a", &mut a);
    let events: i64 = server
        .db
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 1);
    assert_converged(&server, &[&a]);
}

#[test]
fn offline_numbers_carry_the_device_code() {
    let server = Authority::new();
    let mut a = client(&server, "a", "D7");
    let n = a.next_number(daybook_app::NumberSeries::Order).unwrap();
    assert_eq!(n, "SO-D7-00001");
}

mod simulation {
    //! Seeded random work on three devices with random sync points: every device
    //! ends equal to a replica of the server's log, and no accepted command is lost.

    use super::*;
    use crate::rebuild::{Action, World, action, command};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Work { device: usize, action: Action },
        Sync { device: usize },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0usize..3, action()).prop_map(|(device, action)| Step::Work { device, action }),
            1 => (0usize..3).prop_map(|device| Step::Sync { device }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn devices_converge_whatever_the_interleaving(steps in prop::collection::vec(step(), 1..120)) {
            let mut server = Authority::new();
            let names = ["a", "b", "c"];
            let mut devices: Vec<Daybook> = names
                .iter()
                .enumerate()
                .map(|(i, n)| client(&server, n, &format!("D{i}")))
                .collect();
            let mut world = World::default();
            for (n, s) in steps.iter().enumerate() {
                match s {
                    Step::Work { device, action } => {
                        if let Some(cmd) = command(&mut world, action, n) {
                            let _ = devices[*device].execute(cmd);
                        }
                    }
                    Step::Sync { device } => server.sync(names[*device], &mut devices[*device]),
                }
            }
            for _ in 0..2 {
                for (i, d) in devices.iter_mut().enumerate() {
                    server.sync(names[i], d);
                }
            }
            let refs: Vec<&Daybook> = devices.iter().collect();
            if std::env::var("SIM_STATS").is_ok() {
                let att: usize = devices.iter().map(|d| d.read().needs_attention().unwrap().len()).sum();
                let ev: i64 = server.db.conn().query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
                eprintln!("steps={} events={ev} attention={att}", steps.len());
            }
            assert_converged(&server, &refs);
            for d in &devices {
                let counts = d.read().outbox_counts().unwrap();
                prop_assert_eq!(counts.pending, 0);
                // Everything the server accepted from this device is in its log.
                let acked: i64 = d.conn().query_row(
                    "SELECT count(*) FROM outbox o WHERE status IN ('acknowledged', 'synced')
                     AND EXISTS (SELECT 1 FROM events e WHERE e.command_id = o.command_id)
                     AND NOT EXISTS (SELECT 1 FROM events e WHERE e.command_id = o.command_id AND e.server_seq IS NULL)",
                    [], |r| r.get(0)).unwrap();
                let with_events: i64 = d.conn().query_row(
                    "SELECT count(*) FROM outbox o WHERE status IN ('acknowledged', 'synced')
                     AND EXISTS (SELECT 1 FROM events e WHERE e.command_id = o.command_id)",
                    [], |r| r.get(0)).unwrap();
                prop_assert_eq!(acked, with_events);
            }
        }
    }
}
