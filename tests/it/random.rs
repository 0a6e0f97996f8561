//! Random commands for the reliability harnesses: a generator of domain commands,
//! valid and invalid, as full envelopes (ids and times drawn from its seeded
//! `daybook_testkit::Rng`, so a run is reproduced by its seed; the seed conventions
//! are the test kit's `seed`).

use chrono::{DateTime, TimeZone, Utc};
use daybook_domain::*;
use daybook_domain::{
    AddCustomerAddress, AddOrderLine, BlockCustomer, CancelOrder, DeliverOrder, DiscontinueProduct,
    InvoiceOrder, PlaceOrder, RegisterCustomer, RegisterProduct, ReinstateProduct, RemoveOrderLine,
    SetOrderDetails, SetSpendingLimit, UnblockCustomer,
};
use daybook_testkit::{
    Rng, add_order_line, address, change_order_line, create_order, register_customer,
    register_product, update_customer, update_product,
};

/// An order as the generator remembers it.
#[derive(Debug, Clone)]
pub struct KnownOrder {
    pub id: OrderId,
    pub lines: Vec<LineId>,
    /// As far as this generator knows: 0 draft, 1 placed, 2 delivered, 3 done.
    pub stage: u8,
}

/// The records a generator knows of (its own and shared ones).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub customers: Vec<(CustomerId, Vec<AddressId>)>,
    pub products: Vec<ProductId>,
    pub orders: Vec<KnownOrder>,
}

/// Random commands over a set of known records. Roughly one in six is invalid on
/// purpose (zero quantity, unknown record, taken product code, placing an empty
/// order, delivering a draft, ...); many more are refused by the state they meet
/// (a placed order gets a line, a blocked customer an order, a limit is exceeded).
pub struct CommandGen {
    pub rng: Rng,
    pub known: Known,
    /// Distinguishes this generator's numbers and codes from other generators'.
    prefix: String,
    counter: u64,
    /// Business time of the next command, in milliseconds.
    clock_ms: i64,
}

impl CommandGen {
    pub fn new(seed: u64, prefix: &str) -> CommandGen {
        CommandGen {
            rng: Rng::new(seed),
            known: Known::default(),
            prefix: prefix.into(),
            counter: 0,
            // 2025-01-01T00:00:00Z
            clock_ms: 1_735_689_600_000,
        }
    }

    /// Business time: deterministic, one to ninety seconds after the previous command.
    fn at(&mut self) -> DateTime<Utc> {
        self.clock_ms += self.rng.range(1_000, 90_000);
        Utc.timestamp_millis_opt(self.clock_ms)
            .single()
            .unwrap_or_else(Utc::now)
    }

    fn serial(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// The next command, wrapped in an envelope with a seeded id and time.
    pub fn next(&mut self) -> CommandEnvelope {
        let command = self.command();
        CommandEnvelope {
            command_id: self.rng.uuid(),
            issued_at: self.at(),
            command,
        }
    }

    fn customer(&mut self) -> Option<CustomerId> {
        let known = &self.known.customers;
        self.rng.choose(known).map(|(c, _)| *c)
    }

    fn product(&mut self) -> Option<ProductId> {
        let known = &self.known.products;
        self.rng.choose(known).copied()
    }

    /// A recent order, more often than an old one.
    fn order_index(&mut self) -> Option<usize> {
        let n = self.known.orders.len() as u64;
        if n == 0 {
            return None;
        }
        let window = n.min(6);
        Some((n - 1 - self.rng.below(window)) as usize)
    }

    /// A recent order at `stage` (mostly), or any recent one (sometimes: refusals).
    fn order_at(&mut self, stage: u8, any: Option<usize>) -> Option<usize> {
        if self.rng.chance(8) {
            return any;
        }
        let candidates: Vec<usize> = (0..self.known.orders.len())
            .rev()
            .filter(|i| self.known.orders[*i].stage == stage)
            .take(4)
            .collect();
        self.rng.choose(&candidates).copied()
    }

    fn register_customer(&mut self) -> Command {
        let id = CustomerId(self.rng.uuid());
        let n = self.serial();
        self.known.customers.push((id, Vec::new()));
        let spending_limit = self
            .rng
            .chance(40)
            .then(|| Money(self.rng.range(10, 500) * 1_000));
        let (number, name) = (
            format!("C-{}-{n:05}", self.prefix),
            format!("Customer {} {n}", self.prefix),
        );
        Command::RegisterCustomer(RegisterCustomer {
            kind: if self.rng.chance(70) {
                CustomerKind::Organisation
            } else {
                CustomerKind::Person
            },
            email: self
                .rng
                .chance(50)
                .then(|| format!("c{n}@{}.example", self.prefix)),
            spending_limit,
            ..register_customer(id, &number, &name)
        })
    }

    fn register_product(&mut self, taken_code: bool) -> Command {
        let id = ProductId(self.rng.uuid());
        let n = if taken_code && self.counter > 0 {
            self.rng.range(1, self.counter)
        } else {
            self.serial()
        };
        if !taken_code {
            self.known.products.push(id);
        }
        let (code, description) = (format!("P-{}-{n}", self.prefix), format!("Product {n}"));
        let price = Money(self.rng.range(1, 20_000));
        Command::RegisterProduct(RegisterProduct {
            vat_class: match self.rng.below(3) {
                0 => VatClass::Standard,
                1 => VatClass::Reduced,
                _ => VatClass::Zero,
            },
            ..register_product(id, &code, &description, price)
        })
    }

    fn command(&mut self) -> Command {
        // Something to work on first.
        if self.known.customers.is_empty() {
            return self.register_customer();
        }
        if self.known.products.is_empty() {
            return self.register_product(false);
        }
        let roll = self.rng.below(100);
        let any = self.order_index();
        let stage = match roll {
            60..=69 => 0,
            70..=74 => self.rng.below(2) as u8,
            75..=79 => 1,
            80..=84 => 2,
            _ => 0,
        };
        let order = self.order_at(stage, any);
        if let (Some(i), 60..=84) = (order, roll) {
            let o = &mut self.known.orders[i];
            o.stage = match roll {
                60..=69 if !o.lines.is_empty() => 1,
                60..=69 => o.stage,
                70..=74 => 3,
                75..=79 => o.stage.max(2),
                _ => 3,
            };
        }
        match (roll, order) {
            (0..=5, _) => self.register_customer(),
            (6..=9, _) => self.register_product(false),
            (10..=17, _) | (_, None) => {
                let Some(customer) = self.customer() else {
                    return self.register_customer();
                };
                let id = OrderId(self.rng.uuid());
                let n = self.serial();
                self.known.orders.push(KnownOrder {
                    id,
                    lines: Vec::new(),
                    stage: 0,
                });
                create_order(id, &format!("SO-{}-{n:05}", self.prefix), customer).into()
            }
            (18..=47, Some(i)) => {
                let line = LineId(self.rng.uuid());
                let product = if self.rng.chance(4) {
                    ProductId(self.rng.uuid()) // unknown product: refused
                } else {
                    self.product().unwrap_or_else(|| ProductId(self.rng.uuid()))
                };
                let quantity = if self.rng.chance(5) {
                    0 // invalid quantity: refused
                } else {
                    self.rng.range(1, 12)
                };
                self.known.orders[i].lines.push(line);
                Command::AddOrderLine(AddOrderLine {
                    unit_price: self
                        .rng
                        .chance(20)
                        .then(|| Money(self.rng.range(1, 50_000))),
                    discount_bp: if self.rng.chance(20) {
                        self.rng.range(0, 5_000)
                    } else {
                        0
                    },
                    ..add_order_line(self.known.orders[i].id, line, product, quantity)
                })
            }
            (48..=53, Some(i)) => {
                let o = &self.known.orders[i];
                let (id, line) = (o.id, self.rng.choose(&o.lines).copied());
                let line = line.unwrap_or_else(|| LineId(self.rng.uuid()));
                let quantity = self.rng.range(1, 20);
                change_order_line(id, line, quantity, Money(self.rng.range(1, 50_000))).into()
            }
            (54..=56, Some(i)) => {
                let o = &self.known.orders[i];
                let (id, line) = (o.id, self.rng.choose(&o.lines).copied());
                Command::RemoveOrderLine(RemoveOrderLine {
                    order_id: id,
                    line_id: line.unwrap_or_else(|| LineId(self.rng.uuid())),
                })
            }
            (57..=59, Some(i)) => Command::SetOrderDetails(SetOrderDetails {
                order_id: self.known.orders[i].id,
                customer_reference: Some(format!("REF-{}", self.rng.below(10_000))),
                notes: self.rng.chance(30).then(|| "Deliver before noon".into()),
                seen: None,
            }),
            (60..=69, Some(i)) => Command::PlaceOrder(PlaceOrder {
                order_id: self.known.orders[i].id,
            }),
            (70..=74, Some(i)) => Command::CancelOrder(CancelOrder {
                order_id: self.known.orders[i].id,
                reason: "changed their mind".into(),
            }),
            (75..=79, Some(i)) => Command::DeliverOrder(DeliverOrder {
                order_id: self.known.orders[i].id,
                delivery_id: DeliveryId(self.rng.uuid()),
            }),
            (80..=84, Some(i)) => Command::InvoiceOrder(InvoiceOrder {
                order_id: self.known.orders[i].id,
                invoice_id: InvoiceId(self.rng.uuid()),
            }),
            (86..=87, _) => {
                let id = self
                    .customer()
                    .unwrap_or_else(|| CustomerId(self.rng.uuid()));
                Command::SetSpendingLimit(SetSpendingLimit {
                    customer_id: id,
                    limit: self
                        .rng
                        .chance(70)
                        .then(|| Money(self.rng.range(10, 500) * 1_000)),
                })
            }
            (88, _) => {
                let id = self
                    .customer()
                    .unwrap_or_else(|| CustomerId(self.rng.uuid()));
                Command::BlockCustomer(BlockCustomer {
                    customer_id: id,
                    reason: "unpaid invoices".into(),
                })
            }
            (89..=90, _) => {
                let id = self
                    .customer()
                    .unwrap_or_else(|| CustomerId(self.rng.uuid()));
                Command::UnblockCustomer(UnblockCustomer { customer_id: id })
            }
            (91..=92, _) => {
                let n = self.rng.below(1_000);
                let id = self
                    .customer()
                    .unwrap_or_else(|| CustomerId(self.rng.uuid()));
                update_customer(id, &format!("Renamed {} {n}", self.prefix)).into()
            }
            (93..=94, _) => {
                let Some(i) = (!self.known.customers.is_empty())
                    .then(|| self.rng.below(self.known.customers.len() as u64) as usize)
                else {
                    return self.register_customer();
                };
                let address_id = AddressId(self.rng.uuid());
                self.known.customers[i].1.push(address_id);
                Command::AddCustomerAddress(AddCustomerAddress {
                    customer_id: self.known.customers[i].0,
                    address_id,
                    address: Address {
                        street: format!("Kade {}", self.rng.range(1, 300)),
                        postal_code: "1011 AB".into(),
                        ..address("Warehouse")
                    },
                })
            }
            (95, _) => {
                let id = self.product().unwrap_or_else(|| ProductId(self.rng.uuid()));
                let description = format!("Product, revised {}", self.rng.below(100));
                update_product(id, &description, Money(self.rng.range(1, 20_000))).into()
            }
            (96, _) => self.register_product(true), // taken code: refused
            (97, _) => Command::PlaceOrder(PlaceOrder {
                order_id: OrderId(self.rng.uuid()), // unknown order: refused
            }),
            _ => {
                let id = self.product().unwrap_or_else(|| ProductId(self.rng.uuid()));
                if self.rng.chance(50) {
                    Command::DiscontinueProduct(DiscontinueProduct { product_id: id })
                } else {
                    Command::ReinstateProduct(ReinstateProduct { product_id: id })
                }
            }
        }
    }
}
