//! A push on PostgreSQL, on a blocking thread: lock the account's row, catch the
//! instance's cache up, decide on the cache (`crate::sync::apply_push`), write the new
//! events and the ledger rows to PostgreSQL, commit PostgreSQL, then the cache. The
//! ledger ([`PgLedger`]) reads the push's known commands up front and writes the new
//! outcomes in one statement at the end.

use std::collections::HashMap;
use std::time::Instant;

use daybook_app::{Daybook, Writer};
use daybook_protocol::{PushCommand, PushOutcome};
use deadpool_postgres::Pool;
use tokio::runtime::Handle;
use tokio_postgres::Statement;
use uuid::Uuid;

use super::cache::AccountCache;
use super::events::{SELECT_EVENTS, insert_events, raw_event};
use super::listen;
use crate::error::ServerError;
use crate::store::{Device, Pushed};
use crate::sync::{self, Ledger, Recorded};

/// A pooled connection's transaction (it caches prepared statements per connection).
pub(super) type Transaction<'a> = deadpool_postgres::Transaction<'a>;

/// Events read per query when a cache catches up.
const CATCH_UP_PAGE: i64 = 5000;

/// `sql` prepared on the transaction's connection, once per connection: a push's
/// statements are parsed and planned once, not on every call (a round trip each).
pub(super) fn stmt(rt: &Handle, tx: &Transaction<'_>, sql: &str) -> Result<Statement, ServerError> {
    Ok(rt.block_on(tx.prepare_cached(sql))?)
}

/// A push, on a blocking thread: lock the account row, catch the cache up, decide on
/// the cache, write events and ledger to PostgreSQL, commit PostgreSQL, then the cache.
///
/// Processes a prefix of `commands` (about [`sync::PUSH_SLICE`] of work, at least one
/// command) in one transaction; the results say how many.
pub(super) fn push_blocking(
    rt: &Handle,
    pool: &Pool,
    cache: &AccountCache,
    device: &Device,
    commands: &[PushCommand],
) -> Result<Pushed, ServerError> {
    let account = device.account_id;
    let mut client = rt.block_on(pool.get())?;
    let tx = rt.block_on(client.transaction())?;
    let head: i64 = rt
        .block_on(tx.query_opt(
            &stmt(
                rt,
                &tx,
                "SELECT head FROM accounts WHERE id = $1 FOR UPDATE",
            )?,
            &[&account],
        ))?
        .ok_or_else(|| ServerError::Invalid(format!("no account has id {account}")))?
        .try_get(0)?;
    let mut slot = cache.lock();
    let db = cache.open(&mut slot)?;
    if let Err(e) = catch_up(rt, &tx, db, account, head) {
        cache.reset(&mut slot);
        return Err(e);
    }
    let mut ledger = PgLedger::load(rt, &tx, account, device.device_id, commands)?;
    let mut pg = Some(tx);
    let out = db.write(|w| {
        let until = Instant::now() + sync::PUSH_SLICE;
        let (results, counts) = sync::apply_push(w, &mut ledger, device, commands, until)?;
        let new = daybook_store::read_raw(w.conn(), head, usize::MAX)?;
        for (i, e) in new.iter().enumerate() {
            if e.seq != head + 1 + i as i64 {
                return Err(ServerError::Corrupt(format!(
                    "cache of account {account} numbered an event {} instead of {}",
                    e.seq,
                    head + 1 + i as i64
                )));
            }
        }
        let new_head = new.last().map_or(head, |e| e.seq);
        let tx = pg
            .take()
            .ok_or_else(|| ServerError::Task("transaction used twice".into()))?;
        insert_events(rt, &tx, account, &new)?;
        ledger.flush(rt, &tx, account)?;
        if new_head != head {
            rt.block_on(tx.execute(
                &stmt(rt, &tx, "UPDATE accounts SET head = $2 WHERE id = $1")?,
                &[&account, &new_head],
            ))?;
            // Delivered to every instance's LISTEN when (and only if) this commits.
            rt.block_on(tx.execute(
                &stmt(rt, &tx, "SELECT pg_notify($1, $2)")?,
                &[&listen::CHANNEL, &format!("{account}:{new_head}")],
            ))?;
        }
        rt.block_on(tx.commit())?;
        daybook_app::replica::settle_authority_cache(w.conn())?;
        Ok(Pushed {
            results,
            counts,
            head: new_head,
        })
    });
    if let Err(ServerError::Corrupt(_)) = &out {
        cache.reset(&mut slot);
    }
    out
}

/// Brings the cache up to `target` from PostgreSQL (in the push's transaction, so it
/// sees exactly what the row lock guards).
fn catch_up(
    rt: &Handle,
    tx: &Transaction<'_>,
    db: &mut Daybook,
    account: Uuid,
    target: i64,
) -> Result<(), ServerError> {
    loop {
        let local = daybook_store::head(db.conn())?;
        if local == target {
            return Ok(());
        }
        if local > target {
            return Err(ServerError::Corrupt(format!(
                "cache of account {account} is at {local}, ahead of the database's {target}"
            )));
        }
        let rows = rt.block_on(tx.query(
            &stmt(rt, tx, SELECT_EVENTS)?,
            &[&account, &local, &target, &CATCH_UP_PAGE],
        ))?;
        if rows.is_empty() {
            return Err(ServerError::Corrupt(format!(
                "account {account}: no events after {local} though the head is {target}"
            )));
        }
        let events = rows.iter().map(raw_event).collect::<Result<Vec<_>, _>>()?;
        db.apply_pulled(&events)?;
    }
}

/// The PostgreSQL ledger of one push: the push's known commands and the device's last
/// sequence are read up front (two queries), new outcomes are written at the end in
/// one statement.
struct PgLedger {
    known: HashMap<Uuid, Recorded>,
    last_seq: Option<i64>,
    device_id: Uuid,
    pending: Vec<(Uuid, i64, Vec<u8>, sync::OutcomeColumns)>,
}

impl PgLedger {
    fn load(
        rt: &Handle,
        tx: &Transaction<'_>,
        account: Uuid,
        device_id: Uuid,
        commands: &[PushCommand],
    ) -> Result<Self, ServerError> {
        let ids: Vec<Uuid> = commands.iter().map(|c| c.envelope.command_id).collect();
        let rows = rt.block_on(tx.query(
            &stmt(
                rt,
                tx,
                "SELECT command_id, status, error, first_seq, last_seq, device_id, envelope_hash
             FROM sync_commands WHERE account_id = $1 AND command_id = ANY($2)",
            )?,
            &[&account, &ids],
        ))?;
        let mut known = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: Uuid = r.try_get(0)?;
            let status: String = r.try_get(1)?;
            let outcome =
                sync::stored_outcome(id, &status, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)?;
            known.insert(
                id,
                Recorded {
                    outcome,
                    device_id: r.try_get(5)?,
                    hash: r.try_get(6)?,
                },
            );
        }
        let last_seq = rt
            .block_on(tx.query_opt(
                &stmt(
                    rt,
                    tx,
                    "SELECT last_seq FROM sync_devices WHERE account_id = $1 AND device_id = $2",
                )?,
                &[&account, &device_id],
            ))?
            .map(|r| r.try_get(0))
            .transpose()?;
        Ok(PgLedger {
            known,
            last_seq,
            device_id,
            pending: Vec::new(),
        })
    }

    fn flush(
        &mut self,
        rt: &Handle,
        tx: &Transaction<'_>,
        account: Uuid,
    ) -> Result<(), ServerError> {
        let Some(last) = self.pending.iter().map(|p| p.1).max() else {
            return Ok(());
        };
        let ids: Vec<Uuid> = self.pending.iter().map(|p| p.0).collect();
        let seqs: Vec<i64> = self.pending.iter().map(|p| p.1).collect();
        let hashes: Vec<&[u8]> = self.pending.iter().map(|p| p.2.as_slice()).collect();
        let statuses: Vec<&str> = self.pending.iter().map(|p| p.3.0).collect();
        let errors: Vec<Option<&str>> = self.pending.iter().map(|p| p.3.1.as_deref()).collect();
        let firsts: Vec<Option<i64>> = self.pending.iter().map(|p| p.3.2).collect();
        let lasts: Vec<Option<i64>> = self.pending.iter().map(|p| p.3.3).collect();
        rt.block_on(tx.execute(
            &stmt(
                rt,
                tx,
                "INSERT INTO sync_commands (account_id, device_id, command_id, device_seq,
                 envelope_hash, status, error, first_seq, last_seq)
             SELECT $1, $2, u.* FROM unnest($3::uuid[], $4::bigint[], $5::bytea[], $6::text[],
                 $7::text[], $8::bigint[], $9::bigint[]) AS u",
            )?,
            &[
                &account,
                &self.device_id,
                &ids,
                &seqs,
                &hashes,
                &statuses,
                &errors,
                &firsts,
                &lasts,
            ],
        ))?;
        rt.block_on(tx.execute(
            &stmt(
                rt,
                tx,
                "INSERT INTO sync_devices (account_id, device_id, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, device_id) DO UPDATE SET last_seq = excluded.last_seq",
            )?,
            &[&account, &self.device_id, &last],
        ))?;
        self.pending.clear();
        Ok(())
    }
}

impl Ledger for PgLedger {
    fn recorded(
        &mut self,
        _w: &Writer<'_>,
        command_id: Uuid,
    ) -> Result<Option<Recorded>, ServerError> {
        Ok(self.known.get(&command_id).cloned())
    }

    fn device_last_seq(
        &mut self,
        _w: &Writer<'_>,
        _device_id: Uuid,
    ) -> Result<Option<i64>, ServerError> {
        Ok(self.last_seq)
    }

    fn record(
        &mut self,
        _w: &Writer<'_>,
        device_id: Uuid,
        c: &PushCommand,
        hash: &[u8],
        outcome: &PushOutcome,
    ) -> Result<(), ServerError> {
        let columns = sync::outcome_columns(outcome)?;
        let seq = i64::try_from(c.device_seq).unwrap_or(i64::MAX);
        self.known.insert(
            c.envelope.command_id,
            Recorded {
                outcome: outcome.clone(),
                device_id,
                hash: Some(hash.to_vec()),
            },
        );
        self.last_seq = Some(seq);
        self.pending
            .push((c.envelope.command_id, seq, hash.to_vec(), columns));
        Ok(())
    }
}
