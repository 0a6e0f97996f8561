//! Planning: the catalogue and the customers with what happens to them over the year
//! (price changes, moves, blocks), as commands queued at their business time. The
//! orders' part is in [`crate::orders`]; [`crate::run`] gives the queue to the app.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Datelike, Utc, Weekday};
use daybook_domain::{
    AddCustomerAddress, BlockCustomer, ChangeCustomerAddress, DiscontinueProduct, RegisterCustomer,
    RegisterProduct, ReinstateProduct, SetSpendingLimit, UnblockCustomer, UpdateCustomer,
    UpdateProduct,
};
use daybook_domain::{
    Address, AddressId, Command, Currency, CustomerId, CustomerKind, Money, OrderId, ProductId,
};

use crate::words::*;
use crate::{DAY, DAYS, HOUR, MINUTE, Numbers, Rng};

/// A command due at a time. `needs_placed` commands are skipped when the order's
/// `PlaceOrder` was refused (a refused order is not delivered).
pub(crate) struct Task {
    pub(crate) command: Command,
    pub(crate) needs_placed: Option<OrderId>,
}

pub(crate) struct DemoCustomer {
    pub(crate) id: CustomerId,
    pub(crate) registered_at: i64,
    pub(crate) address: AddressId,
}

pub(crate) struct DemoProduct {
    pub(crate) id: ProductId,
    /// Catalogue price when registered.
    pub(crate) price: i64,
    /// Not offered in `[from, until)`.
    pub(crate) off: Option<(i64, i64)>,
}

pub(crate) struct Generator {
    pub(crate) rng: Rng,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) orders: usize,
    pub(crate) customers: Vec<DemoCustomer>,
    pub(crate) products: Vec<DemoProduct>,
    pub(crate) customer_numbers: Numbers,
    pub(crate) order_numbers: Numbers,
    pub(crate) queue: BinaryHeap<Reverse<(i64, u64)>>,
    pub(crate) tasks: HashMap<u64, Task>,
    pub(crate) next_task: u64,
    pub(crate) first_time: Option<i64>,
    /// Commands whose order's `PlaceOrder` is in the unwritten batch.
    pub(crate) waiting: Vec<(i64, Task)>,
}

impl Generator {
    pub(crate) fn new(
        seed: u64,
        end: DateTime<Utc>,
        orders: usize,
        customer_numbers: Numbers,
        order_numbers: Numbers,
    ) -> Generator {
        let end = end.timestamp_millis();
        Generator {
            rng: Rng::new(seed),
            start: end - DAYS * DAY,
            end,
            orders,
            customers: Vec::new(),
            products: Vec::new(),
            customer_numbers,
            order_numbers,
            queue: BinaryHeap::new(),
            tasks: HashMap::new(),
            next_task: 0,
            first_time: None,
            waiting: Vec::new(),
        }
    }

    /// Queues a command for time `at`; commands after the end are not given (the
    /// future has not happened), so recent orders stay open.
    pub(crate) fn at(&mut self, at: i64, command: Command, needs_placed: Option<OrderId>) -> bool {
        if at >= self.end {
            return false;
        }
        let key = self.next_task;
        self.next_task += 1;
        self.queue.push(Reverse((at, key)));
        self.tasks.insert(
            key,
            Task {
                command,
                needs_placed,
            },
        );
        true
    }

    /// A business-hours time on a random day in `[from, to)`.
    pub(crate) fn office_time(&mut self, from: i64, to: i64) -> i64 {
        let days = ((to - from) / DAY).max(1);
        for _ in 0..8 {
            let day = from - from.rem_euclid(DAY) + self.rng.range(0, days - 1) * DAY;
            let weekend = DateTime::from_timestamp_millis(day)
                .is_some_and(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
            if weekend && !self.rng.chance(10) {
                continue;
            }
            let t = day + self.rng.range(8 * HOUR, 18 * HOUR);
            if t >= from && t < to {
                return t;
            }
        }
        from + self.rng.range(0, (to - from - 1).max(0))
    }

    pub(crate) fn plan_catalogue(&mut self) {
        let count = (self.orders / 10).max(10);
        let total_items: usize = CATALOGUE.iter().map(|(_, _, items)| items.len()).sum();
        let mut codes: HashMap<&str, u32> = HashMap::new();
        for i in 0..count {
            // Walk the catalogue item by item; later rounds are variants.
            let mut k = i % total_items;
            let round = i / total_items;
            let (prefix, vat, items) = CATALOGUE
                .iter()
                .find(|(_, _, items)| {
                    if k < items.len() {
                        true
                    } else {
                        k -= items.len();
                        false
                    }
                })
                .copied()
                .unwrap_or(CATALOGUE[0]);
            let (base, base_price) = items[k.min(items.len() - 1)];
            let description = if round == 0 {
                base.to_string()
            } else {
                let v = VARIANTS[(round - 1) % VARIANTS.len()];
                if round > VARIANTS.len() {
                    format!("{base} ({v}, series {})", round / VARIANTS.len() + 1)
                } else {
                    format!("{base} ({v})")
                }
            };
            let n = codes.entry(prefix).or_insert(0);
            *n += 1;
            let code = format!("{prefix}-{:04}", *n * 10);
            let price = (base_price * self.rng.range(80, 125) / 100 / 5 * 5).max(5);
            let at = self.start - 45 * DAY + self.rng.range(0, 14 * DAY);
            let id = ProductId(self.rng.uuid_at(at));
            self.at(
                at,
                Command::RegisterProduct(RegisterProduct {
                    product_id: id,
                    code,
                    description: description.clone(),
                    unit_price: Money(price),
                    vat_class: vat,
                }),
                None,
            );
            let mut off = None;
            if self.rng.chance(20) {
                // A price change during the year.
                let when = self.office_time(self.start, self.end);
                let new_price = price * self.rng.range(103, 112) / 100;
                self.at(
                    when,
                    Command::UpdateProduct(UpdateProduct {
                        product_id: id,
                        description: description.clone(),
                        unit_price: Money(new_price),
                        vat_class: vat,
                    }),
                    None,
                );
            }
            if self.rng.chance(6) || i == 7 {
                let from = self.office_time(self.start + 30 * DAY, self.end);
                let mut until = i64::MAX;
                self.at(
                    from,
                    Command::DiscontinueProduct(DiscontinueProduct { product_id: id }),
                    None,
                );
                if self.rng.chance(30) {
                    let back = from + self.rng.range(7, 60) * DAY;
                    if self.at(
                        back,
                        Command::ReinstateProduct(ReinstateProduct { product_id: id }),
                        None,
                    ) {
                        until = back;
                    }
                }
                off = Some((from, until));
            }
            self.products.push(DemoProduct { id, price, off });
        }
    }

    pub(crate) fn address(&mut self, country_hint: Option<usize>) -> (Address, usize) {
        let ci = country_hint.unwrap_or_else(|| self.rng.below(CITIES.len() as u64) as usize);
        let (city, stem, country) = CITIES[ci];
        let n = self.rng.range(1, 250);
        let (street, postal_code, country) = match country {
            Country::Nl => (
                format!("{} {n}", self.rng.pick(STREETS_NL)),
                format!("{stem}{} {}", self.rng.digits(2), self.rng.letters(2)),
                "NL",
            ),
            Country::Be => (
                format!("{} {n}", self.rng.pick(STREETS_BE)),
                stem.to_string(),
                "BE",
            ),
            Country::Gb => (
                format!("{n} {}", self.rng.pick(STREETS_GB)),
                format!("{stem} {}{}", self.rng.range(1, 9), self.rng.letters(2)),
                "GB",
            ),
        };
        (
            Address {
                label: String::new(),
                street,
                postal_code,
                city: city.to_string(),
                country: country.to_string(),
            },
            ci,
        )
    }

    pub(crate) fn plan_customers(&mut self) {
        let count = (self.orders / 20).max(5);
        let mut plans = Vec::with_capacity(count);
        for i in 0..count {
            // Most customers exist before the year starts; the rest arrive during it.
            let at = if i < 3 || self.rng.chance(60) {
                self.start - 30 * DAY + self.rng.range(0, 29 * DAY)
            } else {
                self.office_time(self.start, self.end - 30 * DAY)
            };
            plans.push(at);
        }
        plans.sort_unstable();
        for (i, at) in plans.into_iter().enumerate() {
            let id = CustomerId(self.rng.uuid_at(at));
            let (mut address, ci) = self.address(None);
            let country = CITIES[ci].2;
            let person = self.rng.chance(10);
            let (kind, name, vat_number, email) = if person {
                let first = *self.rng.pick(FIRST_NAMES);
                let last = *self.rng.pick(LAST_NAMES);
                (
                    CustomerKind::Person,
                    format!("{first} {last}"),
                    None,
                    Some(format!("{}.{}@example.com", slug(first), slug(last))),
                )
            } else {
                let form = match country {
                    Country::Nl => *self.rng.pick(COMPANY_FORM_NL),
                    Country::Be => *self.rng.pick(COMPANY_FORM_BE),
                    Country::Gb => *self.rng.pick(COMPANY_FORM_GB),
                };
                let name = format!(
                    "{} {} {form}",
                    self.rng.pick(COMPANY_FIRST),
                    self.rng.pick(COMPANY_TRADE)
                );
                let (vat, tld) = match country {
                    Country::Nl => (format!("NL{}B01", self.rng.digits(9)), "nl"),
                    Country::Be => (format!("BE0{}", self.rng.digits(9)), "be"),
                    Country::Gb => (format!("GB{}", self.rng.digits(9)), "co.uk"),
                };
                let mailbox = *self.rng.pick(&["info", "orders", "inkoop", "purchasing"]);
                let domain: String = slug(&name).chars().take(24).collect();
                (
                    CustomerKind::Organisation,
                    name,
                    Some(vat),
                    Some(format!("{mailbox}@{domain}.{tld}")),
                )
            };
            let spending_limit = self
                .rng
                .chance(15)
                .then(|| Money(self.rng.range(5, 50) * 50_000));
            let number = self.customer_numbers.take();
            self.at(
                at,
                Command::RegisterCustomer(RegisterCustomer {
                    customer_id: id,
                    number,
                    kind,
                    name: name.clone(),
                    vat_number: vat_number.clone(),
                    email,
                    currency: Currency::EUR,
                    spending_limit,
                }),
                None,
            );
            address.label = if person { "Home" } else { "Head office" }.to_string();
            let address_id = AddressId(self.rng.uuid_at(at + MINUTE));
            self.at(
                at + MINUTE,
                Command::AddCustomerAddress(AddCustomerAddress {
                    customer_id: id,
                    address_id,
                    address: address.clone(),
                }),
                None,
            );
            let from = at.max(self.start);
            if self.rng.chance(12) {
                // A second delivery address.
                let when = self.office_time(from, self.end);
                let (mut warehouse, _) = self.address(Some(ci));
                warehouse.label = "Warehouse".into();
                let aid = AddressId(self.rng.uuid_at(when));
                self.at(
                    when,
                    Command::AddCustomerAddress(AddCustomerAddress {
                        customer_id: id,
                        address_id: aid,
                        address: warehouse,
                    }),
                    None,
                );
            }
            if self.rng.chance(6) {
                // The head office moved down the street.
                let when = self.office_time(from, self.end);
                let mut moved = address.clone();
                moved.street = match country {
                    Country::Gb => {
                        format!("{} {}", self.rng.range(1, 250), self.rng.pick(STREETS_GB))
                    }
                    Country::Be => {
                        format!("{} {}", self.rng.pick(STREETS_BE), self.rng.range(1, 250))
                    }
                    Country::Nl => {
                        format!("{} {}", self.rng.pick(STREETS_NL), self.rng.range(1, 250))
                    }
                };
                self.at(
                    when,
                    Command::ChangeCustomerAddress(ChangeCustomerAddress {
                        customer_id: id,
                        address_id,
                        address: moved,
                    }),
                    None,
                );
            }
            if !person && self.rng.chance(10) {
                let when = self.office_time(from, self.end);
                self.at(
                    when,
                    Command::UpdateCustomer(UpdateCustomer {
                        customer_id: id,
                        kind,
                        name: name.clone(),
                        vat_number: vat_number.clone(),
                        email: Some(format!("finance@{}.example", slug(&name))),
                    }),
                    None,
                );
            }
            if spending_limit.is_some() && self.rng.chance(30) {
                let when = self.office_time(from, self.end);
                let limit = Money(self.rng.range(10, 80) * 50_000);
                self.at(
                    when,
                    Command::SetSpendingLimit(SetSpendingLimit {
                        customer_id: id,
                        limit: Some(limit),
                    }),
                    None,
                );
            }
            if i % 25 == 4 || self.rng.chance(2) {
                let when = self.office_time(from + 30 * DAY, self.end);
                let reason = (*self.rng.pick(BLOCK_REASONS)).to_string();
                self.at(
                    when,
                    Command::BlockCustomer(BlockCustomer {
                        customer_id: id,
                        reason,
                    }),
                    None,
                );
                if self.rng.chance(40) {
                    let back = when + self.rng.range(3, 40) * DAY;
                    self.at(
                        back,
                        Command::UnblockCustomer(UnblockCustomer { customer_id: id }),
                        None,
                    );
                }
            }
            self.customers.push(DemoCustomer {
                id,
                registered_at: at,
                address: address_id,
            });
        }
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
