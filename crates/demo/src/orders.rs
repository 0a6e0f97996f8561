//! Planning an order: its lines (what a customer of that size buys), corrections,
//! delivery address and details, and its fate (forgotten, cancelled, placed,
//! delivered, invoiced), each step queued at its business time.

use daybook_domain::{
    AddOrderLine, CancelOrder, ChangeOrderLine, CreateOrder, DeliverOrder, InvoiceOrder,
    PlaceOrder, RemoveOrderLine, SetDeliveryAddress, SetOrderDetails,
};
use daybook_domain::{Command, DeliveryId, InvoiceId, LineId, Money, OrderId};

use crate::plan::Generator;
use crate::words::{CANCEL_REASONS, NOTES};
use crate::{DAY, HOUR, MINUTE, Rng, SECOND};

impl Generator {
    /// Creation times of the orders, ascending, in office hours over the period.
    pub(crate) fn order_times(&mut self) -> Vec<i64> {
        let mut times: Vec<i64> = (0..self.orders)
            .map(|_| self.office_time(self.start, self.end))
            .collect();
        times.sort_unstable();
        times
    }

    pub(crate) fn plan_order(&mut self, _index: usize, t: i64) {
        // Customers registered (with their address) an hour before the order.
        let known = self
            .customers
            .partition_point(|c| c.registered_at + HOUR <= t)
            .max(1);
        let c = self.rng.skewed(known);
        let (customer_id, address_id) = (self.customers[c].id, self.customers[c].address);
        let order_id = OrderId(self.rng.uuid_at(t));
        let number = self.order_numbers.take();
        self.first_time = Some(self.first_time.map_or(t, |f| f.min(t)));
        self.at(
            t,
            Command::CreateOrder(CreateOrder {
                order_id,
                number,
                customer_id,
            }),
            None,
        );

        let mut now = t;
        let lines = if self.rng.chance(35) {
            1 + self.rng.below(3)
        } else {
            1 + self.rng.below(12)
        };
        let mut line_ids = Vec::new();
        for _ in 0..lines {
            now += self.rng.range(15, 120) * SECOND;
            let offered: Vec<usize> = (0..8)
                .map(|_| self.rng.below(self.products.len() as u64) as usize)
                .filter(|&p| !matches!(self.products[p].off, Some((a, b)) if now >= a && now < b))
                .collect();
            let Some(&p) = offered.first() else { continue };
            let product = &self.products[p];
            let (product_id, price) = (product.id, product.price);
            // Chairs by the few, pens by the box.
            let quantity = match (price, self.rng.below(10)) {
                (50_000.., _) => self.rng.range(1, 3),
                (10_000.., 0..=7) => self.rng.range(1, 4),
                (10_000.., _) => self.rng.range(5, 12),
                (_, 0..=5) => self.rng.range(1, 5),
                (_, 6..=8) => self.rng.range(5, 25),
                _ => self.rng.range(25, 120),
            };
            let unit_price = self
                .rng
                .chance(8)
                .then(|| Money(price * self.rng.range(85, 98) / 100));
            let discount_bp = if self.rng.chance(20) {
                *self.rng.pick(&[500, 1000, 1500, 2000, 2500])
            } else {
                0
            };
            let line_id = LineId(self.rng.uuid_at(now));
            line_ids.push((line_id, quantity, unit_price.unwrap_or(Money(price))));
            self.at(
                now,
                Command::AddOrderLine(AddOrderLine {
                    order_id,
                    line_id,
                    product_id,
                    quantity,
                    unit_price,
                    discount_bp,
                    description: None,
                }),
                None,
            );
        }
        if line_ids.len() > 1 && self.rng.chance(10) {
            now += self.rng.range(30, 300) * SECOND;
            let (line_id, _, _) = line_ids[self.rng.below(line_ids.len() as u64) as usize];
            self.at(
                now,
                Command::RemoveOrderLine(RemoveOrderLine { order_id, line_id }),
                None,
            );
            line_ids.retain(|l| l.0 != line_id);
        }
        if let Some(&(line_id, quantity, unit_price)) = line_ids.first()
            && self.rng.chance(10)
        {
            // A correction of the first line: the history shows old -> new.
            now += self.rng.range(30, 300) * SECOND;
            let quantity = quantity + self.rng.range(1, 10);
            let discount_bp = *self.rng.pick(&[0, 500, 1000]);
            self.at(
                now,
                Command::ChangeOrderLine(ChangeOrderLine {
                    order_id,
                    line_id,
                    quantity,
                    unit_price,
                    discount_bp,
                    seen: None,
                }),
                None,
            );
        }
        if self.rng.chance(70) {
            now += self.rng.range(10, 60) * SECOND;
            self.at(
                now,
                Command::SetDeliveryAddress(SetDeliveryAddress {
                    order_id,
                    address_id,
                }),
                None,
            );
        }
        if self.rng.chance(40) {
            now += self.rng.range(10, 60) * SECOND;
            let customer_reference = Some(format!("PO-{}", self.rng.digits(6)));
            let notes = self
                .rng
                .chance(20)
                .then(|| (*self.rng.pick(NOTES)).to_string());
            self.at(
                now,
                Command::SetOrderDetails(SetOrderDetails {
                    order_id,
                    customer_reference,
                    notes,
                    seen: None,
                }),
                None,
            );
        }

        // The order's fate.
        let fate = self.rng.below(100);
        let reason = |rng: &mut Rng| (*rng.pick(CANCEL_REASONS)).to_string();
        if fate < 4 {
            return; // a forgotten draft
        }
        if fate < 7 {
            let when = now + self.rng.range(1, 10) * DAY;
            let reason = reason(&mut self.rng);
            self.at(
                when,
                Command::CancelOrder(CancelOrder { order_id, reason }),
                None,
            );
            return;
        }
        // Placed the same day, sometimes the next.
        let placed = now
            + if self.rng.chance(80) {
                self.rng.range(1, 45) * MINUTE
            } else {
                self.rng.range(18, 30) * HOUR
            };
        if !self.at(placed, Command::PlaceOrder(PlaceOrder { order_id }), None) {
            return;
        }
        let needs = Some(order_id);
        if fate < 11 {
            let when = placed + self.rng.range(1, 5) * DAY;
            let reason = reason(&mut self.rng);
            self.at(
                when,
                Command::CancelOrder(CancelOrder { order_id, reason }),
                needs,
            );
            return;
        }
        if fate < 13 {
            return; // placed, waiting for stock
        }
        let delivered = placed + self.rng.range(1, 7) * DAY + self.rng.range(0, 8 * HOUR);
        let delivery_id = DeliveryId(self.rng.uuid_at(delivered));
        if !self.at(
            delivered,
            Command::DeliverOrder(DeliverOrder {
                order_id,
                delivery_id,
            }),
            needs,
        ) || fate < 16
        {
            return;
        }
        let invoiced = delivered + self.rng.range(0, 14) * DAY + self.rng.range(1, 6) * HOUR;
        let invoice_id = InvoiceId(self.rng.uuid_at(invoiced));
        self.at(
            invoiced,
            Command::InvoiceOrder(InvoiceOrder {
                order_id,
                invoice_id,
            }),
            needs,
        );
    }
}
