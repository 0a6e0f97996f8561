//! The read side of the application: one typed method per screen or CLI query, over
//! one read connection. [`Daybook::read`] reads through the writer's own connection
//! (the CLI, tests); a [`ReadPool`] owns read-only connections of its own, so a
//! screen's query never waits behind a long write (the desktop app).
//!
//! **Architecture Invariant:** the edges (CLI, desktop shell, server routes) read only
//! through this module: they hold no connection and no SQL.

mod names;
mod pool;

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use daybook_domain::{Aggregate, Company, CompanyId, StreamType};
use rusqlite::Connection;
use uuid::Uuid;

use crate::backup::{self, BackupReport};
use crate::error::AppError;
use crate::export::{self, ExportReport};
use crate::history::{
    self, AsOf, DayCount, RecordAt, RecordHistory, StateAt, TimelineFilter, TimelinePage,
};
use crate::query::{
    self, CustomerDetail, CustomerPage, CustomerQuery, Dashboard, HeldOrderRow, OrderDetail,
    OrderPage, OrderQuery, OrderSummary, ProductPage, ProductQuery, ProductRow, Stats,
};
use crate::readable::ReadableEntry;
use crate::replica::{self, AttentionItem, Binding, OutboxCounts};
use crate::service::Daybook;
use crate::settings;
use crate::view::RecordView;

pub use names::Named;
pub use pool::ReadPool;

/// What to write as CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// One row per order matching the filter (its paging ignored).
    Orders(OrderQuery),
    /// One row per line of the orders matching the filter.
    Lines(OrderQuery),
    /// The account's timeline matching the filter, oldest first.
    Timeline(TimelineFilter),
    /// One record's field-level history.
    RecordHistory(Uuid),
    /// Every customer or product, in the columns an import reads.
    Catalog(crate::catalog_csv::CatalogKind),
}

/// Typed reads over one connection; cheap to make, borrow-only.
#[derive(Clone, Copy)]
pub struct Reader<'c> {
    conn: &'c Connection,
}

impl<'c> Reader<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Reader { conn }
    }

    /// A page of the order list.
    pub fn orders(&self, q: &OrderQuery) -> Result<OrderPage, AppError> {
        query::orders(self.conn, q)
    }

    /// Count and totals of every order matching the list's filter.
    pub fn order_summary(&self, q: &OrderQuery) -> Result<OrderSummary, AppError> {
        query::order_summary(self.conn, q)
    }

    /// The approvals queue: held orders, the longest waiting first.
    pub fn approvals(&self) -> Result<Vec<HeldOrderRow>, AppError> {
        query::approvals(self.conn)
    }

    /// One order with its lines and totals.
    pub fn order(&self, id: Uuid) -> Result<OrderDetail, AppError> {
        query::order(self.conn, id)
    }

    /// A page of the customer list.
    pub fn customers(&self, q: &CustomerQuery) -> Result<CustomerPage, AppError> {
        query::customers(self.conn, q)
    }

    /// One customer with addresses, open total and limit.
    pub fn customer(&self, id: Uuid) -> Result<CustomerDetail, AppError> {
        query::customer(self.conn, id)
    }

    /// A page of the catalogue.
    pub fn products(&self, q: &ProductQuery) -> Result<ProductPage, AppError> {
        query::products(self.conn, q)
    }

    /// One product.
    pub fn product(&self, id: Uuid) -> Result<ProductRow, AppError> {
        query::product(self.conn, id)
    }

    /// Orders and revenue per day in `[from, to]` (UTC days), top customers, open work.
    pub fn dashboard(&self, from: NaiveDate, to: NaiveDate) -> Result<Dashboard, AppError> {
        query::dashboard(self.conn, from, to)
    }

    /// Counts of events, records and commands.
    pub fn stats(&self) -> Result<Stats, AppError> {
        query::stats(self.conn)
    }

    /// True when the store holds no events yet.
    pub fn is_empty(&self) -> Result<bool, AppError> {
        Ok(self
            .conn
            .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM events)")?
            .query_row([], |r| r.get(0))?)
    }

    /// A record's whole history with field-level changes.
    pub fn history(&self, id: Uuid) -> Result<RecordHistory, AppError> {
        history::history(self.conn, id)
    }

    /// A record as it was after a revision or at a moment.
    pub fn state_at(&self, id: Uuid, as_of: AsOf) -> Result<StateAt, AppError> {
        history::state_at(self.conn, id, as_of)
    }

    /// A record as of a revision or a moment, typed; `None` when no record has the id.
    pub fn record_at(&self, id: Uuid, as_of: AsOf) -> Result<Option<RecordAt>, AppError> {
        history::record_at(self.conn, id, as_of)
    }

    /// A record just after its first event of one of `event_types` (an order at its
    /// placing or release, delivery or invoice); `None` when it has none.
    pub fn record_at_event(
        &self,
        id: Uuid,
        event_types: &[&str],
    ) -> Result<Option<RecordAt>, AppError> {
        history::record_at_event(self.conn, id, event_types)
    }

    /// The company's own details as they are now (`None` until first set).
    pub fn company(&self) -> Result<Option<Company>, AppError> {
        self.company_at(None)
    }

    /// The company's details as they were at `at` (now when `None`).
    pub fn company_at(&self, at: Option<DateTime<Utc>>) -> Result<Option<Company>, AppError> {
        let as_of = at.map_or(AsOf::Revision(u64::MAX), AsOf::Time);
        Ok(
            match self
                .record_at(CompanyId::ACCOUNT.0, as_of)?
                .map(|r| r.aggregate)
            {
                Some(Aggregate::Company(c)) => c,
                _ => None,
            },
        )
    }

    /// A record's history in words, for people (see [`crate::readable`]).
    pub fn readable_history(&self, id: Uuid) -> Result<Vec<ReadableEntry>, AppError> {
        crate::readable::readable_history(self.conn, id)
    }

    /// A customer's history in words with its orders' major events (a filter of the
    /// customer's history screen).
    pub fn customer_history_with_orders(
        &self,
        customer_id: Uuid,
    ) -> Result<Vec<crate::readable::CustomerHistoryEntry>, AppError> {
        crate::readable::customer_history_with_orders(self.conn, customer_id)
    }

    /// A record as it was after `revision` (the newest when `None`), labelled and
    /// formatted for its read-only screen (see [`crate::view`]).
    pub fn record_view(&self, id: Uuid, revision: Option<u64>) -> Result<RecordView, AppError> {
        crate::view::record_view(self.conn, id, revision)
    }

    /// One event of a record in words (a timeline row's "what changed").
    pub fn readable_event(
        &self,
        id: Uuid,
        revision: u64,
    ) -> Result<Option<ReadableEntry>, AppError> {
        crate::readable::readable_event(self.conn, id, revision)
    }

    /// A page of the account's timeline, newest first.
    pub fn timeline(&self, f: &TimelineFilter) -> Result<TimelinePage, AppError> {
        history::timeline(self.conn, f)
    }

    /// A page of the account's timeline, newest first, each event told in one line
    /// (the desktop's timeline).
    pub fn timeline_in_words(
        &self,
        f: &TimelineFilter,
    ) -> Result<crate::readable::TimelineInWords, AppError> {
        crate::readable::timeline_in_words(self.conn, history::timeline(self.conn, f)?)
    }

    /// Events per day matching the timeline's filter.
    pub fn activity(&self, f: &TimelineFilter) -> Result<Vec<DayCount>, AppError> {
        history::activity(self.conn, f)
    }

    /// The users who appear in the log.
    pub fn users(&self) -> Result<Vec<String>, AppError> {
        history::users(self.conn)
    }

    /// The event types of a record's stream, in order.
    pub fn event_types(&self, id: Uuid) -> Result<Vec<String>, AppError> {
        Ok(daybook_store::read_stream(self.conn, id, 0)?
            .iter()
            .map(|e| e.event.event_type().to_string())
            .collect())
    }

    /// The kind of record an id belongs to, if any.
    pub fn stream_type(&self, id: Uuid) -> Result<Option<StreamType>, AppError> {
        names::stream_type(self.conn, id)
    }

    /// Whether a record of `kind` has this id.
    pub fn exists(&self, kind: Named, id: Uuid) -> Result<bool, AppError> {
        names::exists(self.conn, kind, id)
    }

    /// Records of `kind` whose number or code is `key` (exact, else ignoring case).
    pub fn find(&self, kind: Named, key: &str) -> Result<Vec<Uuid>, AppError> {
        names::find(self.conn, kind, key)
    }

    /// Writes a CSV export to `out`.
    pub fn export(&self, what: &Export, out: &mut dyn Write) -> Result<ExportReport, AppError> {
        match what {
            Export::Orders(q) => export::orders_csv(self.conn, q, out),
            Export::Lines(q) => export::lines_csv(self.conn, q, out),
            Export::Timeline(f) => export::timeline_csv(self.conn, f, out),
            Export::RecordHistory(id) => export::record_history_csv(self.conn, *id, out),
            Export::Catalog(kind) => crate::catalog_csv::export(self.conn, *kind, out),
        }
    }

    /// Writes a CSV export to the file `dest` (its folder created if missing), and
    /// makes it durable before returning.
    pub fn export_to_file(&self, what: &Export, dest: &Path) -> Result<ExportReport, AppError> {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::io("cannot create the export folder", e))?;
        }
        let file = std::fs::File::create(dest)
            .map_err(|e| AppError::io("cannot create the export file", e))?;
        let mut w = std::io::BufWriter::new(file);
        let report = self.export(what, &mut w)?;
        w.into_inner()
            .map_err(|e| AppError::io("cannot write the export", e.into_error()))?
            .sync_all()
            .map_err(|e| AppError::io("cannot write the export", e))?;
        Ok(report)
    }

    /// Writes a checked backup of the store to `dest` (see [`backup::backup_from`]).
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport, AppError> {
        backup::backup_from(self.conn, dest)
    }

    /// Outbox counts for the sync badge.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, AppError> {
        replica::outbox_counts(self.conn)
    }

    /// The commands that need the user: refused by the server, or no longer applying.
    pub fn needs_attention(&self) -> Result<Vec<AttentionItem>, AppError> {
        replica::needs_attention(self.conn)
    }

    /// The last server sequence applied here.
    pub fn sync_cursor(&self) -> Result<i64, AppError> {
        settings::sync_cursor(self.conn)
    }

    /// The commands waiting to be pushed, per user (login), by login: each goes only
    /// under its own person's session.
    pub fn waiting_by_user(&self) -> Result<Vec<(String, u64)>, AppError> {
        replica::waiting_by_user(self.conn)
    }

    /// Whether the store holds work of its own that never reached a server (it never
    /// synced, and commands wait): its first sign-in brings the work into the account.
    pub fn local_work(&self) -> Result<bool, AppError> {
        replica::local_work(self.conn)
    }

    /// Whether the store was connected holding work of its own and has not synced yet:
    /// its first sync may join only an account without data (no silent merge).
    pub fn brings_work(&self) -> Result<bool, AppError> {
        Ok(replica::binding(self.conn)?.is_none()
            && daybook_store::settings::BRINGS_WORK
                .get(self.conn)?
                .is_some())
    }

    /// The account and device the server knows this store as, once it has synced.
    pub fn binding(&self) -> Result<Option<Binding>, AppError> {
        replica::binding(self.conn)
    }

    /// The person signed in on this store, if anyone is.
    pub fn signed_in(&self) -> Result<Option<crate::SignedIn>, AppError> {
        settings::signed_in(self.conn)
    }

    /// Whether a person must sign in before any change: an account's store (someone
    /// signed in on it once) with nobody signed in now.
    pub fn sign_in_required(&self) -> Result<bool, AppError> {
        Ok(settings::signed_in(self.conn)?.is_none() && settings::sign_in_required(self.conn)?)
    }

    /// The account's people this store knows (login -> the name people read).
    pub fn people(&self) -> Result<std::collections::BTreeMap<String, String>, AppError> {
        settings::people(self.conn)
    }

    /// The URL of the server this store syncs with, if one is set.
    pub fn server_url(&self) -> Result<Option<String>, AppError> {
        settings::server_url(self.conn)
    }

    /// A device token an earlier build kept in the store (tokens now live outside it).
    pub fn legacy_token(&self) -> Result<Option<String>, AppError> {
        settings::legacy_token(self.conn)
    }

    /// This store file's own id: the key of its credentials.
    pub fn store_id(&self) -> Result<Uuid, AppError> {
        settings::store_id(self.conn)
    }

    /// True when demo data was loaded into this store: it is never connected to a
    /// server, and nothing in it is pushed.
    pub fn holds_demo(&self) -> Result<bool, AppError> {
        settings::holds_demo(self.conn)
    }
}

impl Daybook {
    /// Reads through this store's own connection (it sees its own writes at once).
    pub fn read(&self) -> Reader<'_> {
        Reader::new(self.conn())
    }
}
