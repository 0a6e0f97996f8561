//! The workload: customers, products and orders as real domain commands.
//!
//! Its randomness is the test kit's seeded [`Rng`], so every run draws the same
//! workload; its commands come from the kit's builders.

use daybook_domain::{
    AddOrderLine, CancelOrder, DeliverOrder, InvoiceOrder, PlaceOrder, RegisterCustomer,
    RegisterProduct, SetSpendingLimit, UpdateCustomer,
};
use daybook_domain::{
    Command, CommandEnvelope, CustomerId, DeliveryId, InvoiceId, LineId, Money, OrderId, ProductId,
    VatClass,
};
pub use daybook_testkit::Rng;
use daybook_testkit::{
    add_order_line, create_order, register_customer, register_product, update_customer,
};

const NAMES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Massive",
    "Dynamic",
    "Oceanic",
    "Gringotts",
];
const SUFFIXES: &[&str] = &[
    "B.V.", "GmbH", "Ltd", "S.A.", "& Zonen", "Trading", "Holding",
];
const GOODS: &[&str] = &[
    "bolt", "nut", "washer", "bracket", "hinge", "spring", "gasket", "bearing", "valve", "flange",
    "coupling", "sprocket",
];

/// What an order ends as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Left as a draft.
    Draft,
    /// Placed.
    Placed,
    /// Placed, then cancelled.
    Cancelled,
    /// Placed, then delivered.
    Delivered,
    /// Placed, delivered and invoiced.
    Invoiced,
}

/// The generator of commands, with the records created so far.
pub struct Workload {
    rng: Rng,
    /// Customers registered.
    pub customers: Vec<CustomerId>,
    /// Products registered.
    pub products: Vec<ProductId>,
    /// Orders created.
    pub orders: Vec<OrderId>,
}

impl Workload {
    /// An empty workload.
    pub fn new(seed: u64) -> Self {
        Workload {
            rng: Rng::new(seed),
            customers: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
        }
    }

    /// `n` RegisterCustomer commands (unlimited spending, so placing never fails).
    pub fn customers(&mut self, n: usize) -> Vec<Command> {
        (0..n)
            .map(|_| {
                let i = self.customers.len() + 1;
                let id = CustomerId::new();
                self.customers.push(id);
                let name = format!("{} {} {i}", self.rng.pick(NAMES), self.rng.pick(SUFFIXES));
                Command::RegisterCustomer(RegisterCustomer {
                    vat_number: Some(format!("NL{:09}B01", self.rng.below(1_000_000_000))),
                    email: Some(format!("orders{i}@example.com")),
                    ..register_customer(id, &format!("C-{i:06}"), &name)
                })
            })
            .collect()
    }

    /// `n` RegisterProduct commands.
    pub fn products(&mut self, n: usize) -> Vec<Command> {
        (0..n)
            .map(|_| {
                let i = self.products.len() + 1;
                let id = ProductId::new();
                self.products.push(id);
                let good = self.rng.pick(GOODS);
                let description = format!("Stainless {good}, size {}", 1 + self.rng.below(40));
                let price = Money(50 + self.rng.below(50_000) as i64);
                Command::RegisterProduct(RegisterProduct {
                    vat_class: *self.rng.pick(&VatClass::ALL),
                    ..register_product(id, &format!("P-{i:06}"), &description, price)
                })
            })
            .collect()
    }

    /// One order's commands: CreateOrder, `lines` AddOrderLine, then what `fate` needs.
    pub fn order(&mut self, lines: usize, fate: Fate) -> Vec<Command> {
        let id = OrderId::new();
        self.orders.push(id);
        let n = self.orders.len();
        let customer = *self.rng.pick(&self.customers);
        let mut cmds = Vec::with_capacity(lines + 4);
        cmds.push(create_order(id, &format!("SO-{n:07}"), customer).into());
        for _ in 0..lines {
            let product = *self.rng.pick(&self.products);
            let quantity = self.rng.range(1, 20);
            cmds.push(Command::AddOrderLine(AddOrderLine {
                discount_bp: *self.rng.pick(&[0, 0, 0, 500, 1000]),
                ..add_order_line(id, LineId::new(), product, quantity)
            }));
        }
        if fate != Fate::Draft {
            cmds.push(Command::PlaceOrder(PlaceOrder { order_id: id }));
        }
        match fate {
            Fate::Draft | Fate::Placed => {}
            Fate::Cancelled => cmds.push(Command::CancelOrder(CancelOrder {
                order_id: id,
                reason: "customer changed their mind".into(),
            })),
            Fate::Delivered | Fate::Invoiced => {
                cmds.push(Command::DeliverOrder(DeliverOrder {
                    order_id: id,
                    delivery_id: DeliveryId::new(),
                }));
                if fate == Fate::Invoiced {
                    cmds.push(Command::InvoiceOrder(InvoiceOrder {
                        order_id: id,
                        invoice_id: InvoiceId::new(),
                    }));
                }
            }
        }
        cmds
    }

    /// The standard order of the benchmark: created, 8 lines, placed (10 events).
    pub fn standard_orders(&mut self, n: usize) -> Vec<Command> {
        (0..n).flat_map(|_| self.order(8, Fate::Placed)).collect()
    }

    /// Orders of mixed fates with 3 lines each (filling the order list quickly).
    pub fn mixed_orders(&mut self, n: usize) -> Vec<Command> {
        (0..n)
            .flat_map(|_| {
                let fate = match self.rng.below(20) {
                    0..=7 => Fate::Placed,
                    8..=11 => Fate::Draft,
                    12..=13 => Fate::Cancelled,
                    14..=16 => Fate::Delivered,
                    _ => Fate::Invoiced,
                };
                self.order(3, fate)
            })
            .collect()
    }
}

/// Wraps commands in envelopes (fresh id, now).
pub fn envelopes(cmds: Vec<Command>) -> Vec<CommandEnvelope> {
    cmds.into_iter().map(CommandEnvelope::new).collect()
}

/// The `i`-th change of the long customer stream: alternately a new name and a new
/// spending limit, so every command records exactly one event.
pub fn long_stream_change(customer_id: CustomerId, i: usize) -> Command {
    if i.is_multiple_of(2) {
        Command::UpdateCustomer(UpdateCustomer {
            vat_number: Some("NL000099999B01".into()),
            email: Some("history@example.com".into()),
            ..update_customer(customer_id, &format!("Long Stream Holding, revision {i}"))
        })
    } else {
        Command::SetSpendingLimit(SetSpendingLimit {
            customer_id,
            limit: Some(Money(1_000_000 + i as i64)),
        })
    }
}
