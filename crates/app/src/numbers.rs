//! Numbers people use for orders and customers (`SO-00042`, `C-00042`), handed out
//! per store; a synced device puts its code in them (`SO-D2-00042`).

use daybook_store::settings;

use crate::error::AppError;
use crate::service::Daybook;

/// Numbered series handed out by [`Daybook::next_number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSeries {
    /// Sales orders: `SO-00001`.
    Order,
    /// Customers: `C-00001`.
    Customer,
}

impl NumberSeries {
    fn counter(self) -> settings::Setting<i64> {
        match self {
            NumberSeries::Order => settings::ORDER_COUNTER,
            NumberSeries::Customer => settings::CUSTOMER_COUNTER,
        }
    }

    fn table_and_prefix(self) -> (&'static str, &'static str) {
        match self {
            NumberSeries::Order => ("p_orders", "SO-"),
            NumberSeries::Customer => ("p_customers", "C-"),
        }
    }
}

impl Daybook {
    /// Next free number in a series (`order` -> `SO-00042`, or `SO-D2-00042` on a
    /// synced device with code `D2`), kept per store.
    pub fn next_number(&mut self, series: NumberSeries) -> Result<String, AppError> {
        let counter = series.counter();
        let tx = self.store.begin()?;
        let conn = tx.conn();
        let current = counter.get(conn)?.unwrap_or(0);
        let (table, prefix) = series.table_and_prefix();
        // A device that syncs has a code from the server; putting it in the number
        // keeps numbers given offline on different devices apart.
        let prefix = match settings::DEVICE_CODE.get(conn)? {
            Some(c) => format!("{prefix}{c}-"),
            None => prefix.to_string(),
        };
        // Never hand out a number the read model already has (e.g. typed by hand).
        let mut n = current + 1;
        loop {
            let candidate = format!("{prefix}{n:05}");
            let taken: bool = conn
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {table} WHERE number = ?1)"
                ))?
                .query_row([&candidate], |r| r.get(0))?;
            if !taken {
                counter.set(conn, &n)?;
                tx.commit()?;
                return Ok(candidate);
            }
            n += 1;
        }
    }
}
