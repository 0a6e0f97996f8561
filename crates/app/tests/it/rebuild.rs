//! `rebuild` must reproduce exactly the tables the incremental path built, for any
//! sequence of commands (including refused ones).

use chrono::{Duration, TimeZone, Utc};
use daybook_app::Daybook;
use daybook_domain::*;
use daybook_domain::{
    AddCustomerAddress, BlockCustomer, CancelOrder, ChangeOrderCustomer, DeliverOrder,
    DiscardOrder, DiscontinueProduct, InvoiceOrder, PlaceOrder, RegisterProduct, RemoveOrderLine,
    SetDeliveryAddress, SetSpendingLimit, UnblockCustomer, UpdateCustomer,
};
use daybook_testkit::{
    add_order_line, address, change_order_line, create_order, dump, sample, update_customer,
    update_product,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use uuid::Uuid;

use crate::fixtures::db;

#[derive(Debug, Clone)]
pub enum Action {
    Customer {
        limit: Option<i64>,
    },
    Product {
        price: i64,
        vat: u8,
    },
    Reprice {
        p: usize,
        price: i64,
    },
    Discontinue {
        p: usize,
    },
    Rename {
        c: usize,
        name: u8,
    },
    Limit {
        c: usize,
        limit: Option<i64>,
    },
    Block {
        c: usize,
        on: bool,
    },
    Address {
        c: usize,
    },
    CreateOrder {
        c: usize,
    },
    AddLine {
        o: usize,
        p: usize,
        qty: i64,
        discount: i64,
    },
    ChangeLine {
        o: usize,
        l: usize,
        qty: i64,
        price: i64,
    },
    RemoveLine {
        o: usize,
        l: usize,
    },
    DeliveryAddress {
        o: usize,
        a: usize,
    },
    Place {
        o: usize,
    },
    Cancel {
        o: usize,
    },
    Deliver {
        o: usize,
    },
    Invoice {
        o: usize,
    },
    ChangeCustomer {
        o: usize,
        c: usize,
    },
    Discard {
        o: usize,
    },
}

pub fn action() -> impl Strategy<Value = Action> {
    let i = 0usize..6;
    prop_oneof![
        prop::option::of(0i64..50_000).prop_map(|limit| Action::Customer { limit }),
        (0i64..5_000, 0u8..3).prop_map(|(price, vat)| Action::Product { price, vat }),
        (i.clone(), 0i64..5_000).prop_map(|(p, price)| Action::Reprice { p, price }),
        i.clone().prop_map(|p| Action::Discontinue { p }),
        (i.clone(), 0u8..4).prop_map(|(c, name)| Action::Rename { c, name }),
        (i.clone(), prop::option::of(0i64..50_000))
            .prop_map(|(c, limit)| Action::Limit { c, limit }),
        (i.clone(), any::<bool>()).prop_map(|(c, on)| Action::Block { c, on }),
        i.clone().prop_map(|c| Action::Address { c }),
        i.clone().prop_map(|c| Action::CreateOrder { c }),
        (i.clone(), i.clone(), -1i64..20, 0i64..12_000).prop_map(|(o, p, qty, discount)| {
            Action::AddLine {
                o,
                p,
                qty,
                discount,
            }
        }),
        (i.clone(), 0usize..4, 0i64..20, 0i64..3_000)
            .prop_map(|(o, l, qty, price)| Action::ChangeLine { o, l, qty, price }),
        (i.clone(), 0usize..4).prop_map(|(o, l)| Action::RemoveLine { o, l }),
        (i.clone(), 0usize..8).prop_map(|(o, a)| Action::DeliveryAddress { o, a }),
        i.clone().prop_map(|o| Action::Place { o }),
        i.clone().prop_map(|o| Action::Cancel { o }),
        i.clone().prop_map(|o| Action::Deliver { o }),
        i.clone().prop_map(|o| Action::Invoice { o }),
        (i.clone(), i.clone()).prop_map(|(o, c)| Action::ChangeCustomer { o, c }),
        i.prop_map(|o| Action::Discard { o }),
    ]
}

#[derive(Default)]
pub struct World {
    customers: Vec<CustomerId>,
    products: Vec<ProductId>,
    orders: Vec<(OrderId, Vec<LineId>)>,
    addresses: Vec<AddressId>,
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    (!v.is_empty()).then(|| v[i % v.len()])
}

pub fn command(w: &mut World, a: &Action, n: usize) -> Option<Command> {
    Some(match a.clone() {
        Action::Customer { limit } => {
            let (id, command) = sample::customer(&format!("C-{n}"), limit);
            w.customers.push(id);
            command.into()
        }
        Action::Product { price, vat } => {
            let (id, command) = sample::product(&format!("P-{n}"), price);
            w.products.push(id);
            RegisterProduct {
                vat_class: VatClass::ALL[vat as usize],
                ..command
            }
            .into()
        }
        Action::Reprice { p, price } => update_product(
            pick(&w.products, p)?,
            &format!("Product renamed {n}"),
            Money(price),
        )
        .into(),
        Action::Discontinue { p } => Command::DiscontinueProduct(DiscontinueProduct {
            product_id: pick(&w.products, p)?,
        }),
        Action::Rename { c, name } => Command::UpdateCustomer(UpdateCustomer {
            kind: CustomerKind::Person,
            vat_number: Some("NL001".into()),
            ..update_customer(pick(&w.customers, c)?, &format!("Renamed {name}"))
        }),
        Action::Limit { c, limit } => Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: pick(&w.customers, c)?,
            limit: limit.map(Money),
        }),
        Action::Block { c, on } => {
            let customer_id = pick(&w.customers, c)?;
            if on {
                Command::BlockCustomer(BlockCustomer {
                    customer_id,
                    reason: "late payments".into(),
                })
            } else {
                Command::UnblockCustomer(UnblockCustomer { customer_id })
            }
        }
        Action::Address { c } => {
            let id = AddressId::new();
            w.addresses.push(id);
            Command::AddCustomerAddress(AddCustomerAddress {
                customer_id: pick(&w.customers, c)?,
                address_id: id,
                address: Address {
                    street: format!("Street {n}"),
                    postal_code: "1000 AA".into(),
                    ..address("Office")
                },
            })
        }
        Action::CreateOrder { c } => {
            let id = OrderId::new();
            w.orders.push((id, Vec::new()));
            create_order(id, &format!("SO-{n}"), pick(&w.customers, c)?).into()
        }
        Action::AddLine {
            o,
            p,
            qty,
            discount,
        } => {
            let product_id = pick(&w.products, p)?;
            let k = o % w.orders.len().max(1);
            let (order_id, lines) = w.orders.get_mut(k)?;
            let line_id = LineId::new();
            lines.push(line_id);
            Command::AddOrderLine(AddOrderLine {
                discount_bp: discount,
                ..add_order_line(*order_id, line_id, product_id, qty)
            })
        }
        Action::ChangeLine { o, l, qty, price } => {
            let (order_id, lines) = w.orders.get(o % w.orders.len().max(1))?;
            Command::ChangeOrderLine(ChangeOrderLine {
                discount_bp: 500,
                ..change_order_line(*order_id, pick(lines, l)?, qty, Money(price))
            })
        }
        Action::RemoveLine { o, l } => {
            let (order_id, lines) = w.orders.get(o % w.orders.len().max(1))?;
            Command::RemoveOrderLine(RemoveOrderLine {
                order_id: *order_id,
                line_id: pick(lines, l)?,
            })
        }
        Action::DeliveryAddress { o, a } => Command::SetDeliveryAddress(SetDeliveryAddress {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
            address_id: pick(&w.addresses, a)?,
        }),
        Action::Place { o } => Command::PlaceOrder(PlaceOrder {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
        }),
        Action::Cancel { o } => Command::CancelOrder(CancelOrder {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
            reason: "changed mind".into(),
        }),
        Action::Deliver { o } => Command::DeliverOrder(DeliverOrder {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
            delivery_id: DeliveryId::new(),
        }),
        Action::Invoice { o } => Command::InvoiceOrder(InvoiceOrder {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
            invoice_id: InvoiceId::new(),
        }),
        Action::ChangeCustomer { o, c } => Command::ChangeOrderCustomer(ChangeOrderCustomer {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
            customer_id: pick(&w.customers, c)?,
        }),
        Action::Discard { o } => Command::DiscardOrder(DiscardOrder {
            order_id: w.orders.get(o % w.orders.len().max(1))?.0,
        }),
    })
}

/// Runs the actions as commands, a few hours apart so several days get figures.
fn run(db: &mut Daybook, actions: &[Action]) -> usize {
    let mut w = World::default();
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let mut accepted = 0;
    for (n, a) in actions.iter().enumerate() {
        let Some(cmd) = command(&mut w, a, n) else {
            continue;
        };
        let env = CommandEnvelope {
            command_id: Uuid::now_v7(),
            issued_at: start + Duration::hours(5 * n as i64),
            command: cmd,
        };
        if db.execute_envelope(env).is_ok() {
            accepted += 1;
        }
    }
    accepted
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rebuild_reproduces_the_incremental_read_models(
        actions in prop::collection::vec(action(), 1..80)
    ) {
        let mut db = db();
        run(&mut db, &actions);
        let incremental = dump::exact(db.conn());
        db.rebuild().unwrap();
        prop_assert_eq!(incremental, dump::exact(db.conn()));
    }
}

#[test]
fn a_long_random_history_rebuilds_identically_and_exercises_the_rules() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let actions = prop::collection::vec(action(), 400)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let mut db = db();
    let accepted = run(&mut db, &actions);
    assert!(accepted > 100, "only {accepted} commands accepted");
    let orders: i64 = db
        .conn()
        .query_row(
            "SELECT count(*) FROM p_orders WHERE status <> 'draft'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(orders > 0, "no order left draft state");
    let incremental = dump::exact(db.conn());
    db.rebuild().unwrap();
    assert_eq!(incremental, dump::exact(db.conn()));
}
