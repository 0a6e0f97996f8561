//! The client side of sync, in the local store: which commands go to the server,
//! what it answered, and laying the server's canonical events under local work.
//!
//! The local log holds canonical events (with the server's sequence) and speculative
//! ones (`server_seq IS NULL`: commands not yet confirmed by a pull). Applying a pulled
//! page, in one transaction:
//! - an event we already have speculatively, byte-identical (same id, stream,
//!   revision, type, payload) is simply confirmed: the common case costs one UPDATE;
//! - an event for a stream without speculative events is stored and projected;
//! - otherwise the stream has diverged (someone else wrote to it first, or the server
//!   decided differently, e.g. it numbered an invoice): its speculative events are
//!   dropped, the canonical ones stored, its read-model rows rebuilt, and the still
//!   pending commands on it re-run on top (rebase). A command that no longer applies
//!   is set aside as `conflict` ("needs attention"), never pushed, never lost.
//!
//! Outbox statuses: `pending` (to push), `acknowledged` (the server applied it),
//! `synced` (and its canonical events are here), `rejected` (the server refused it), `conflict` (no longer applies locally after a
//! rebase), `discarded` (the user gave up on it). Rejected and conflict are the
//! "needs attention" list.

mod outbox;
mod pull;

use chrono::{DateTime, Utc};
use daybook_domain::{Command, CommandEnvelope};
use daybook_protocol::ErrorBody;
use daybook_store::settings;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::Daybook;

pub use pull::settle_authority_cache;

/// What the server told a device about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The account this store now belongs to.
    pub account_id: Uuid,
    /// The device's name on the server (recorded on its events).
    pub device_name: String,
    /// Short code used in numbers given on this device (`SO-D2-00042`).
    pub device_code: String,
}

/// A command ready to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingCommand {
    /// Per-device sequence, assigned at the first push attempt and kept for retries.
    pub device_seq: u64,
    /// Who gave it.
    pub user: String,
    /// The command.
    pub envelope: CommandEnvelope,
}

/// The server's answer for one pushed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAnswer {
    /// Applied on the server; its events end at this sequence (`None`: the command
    /// changed nothing there, e.g. the customer was already blocked).
    Accepted {
        /// The sequence of the command's last event on the server.
        last_seq: Option<i64>,
    },
    /// Refused on the server's state; permanent.
    Rejected(ErrorBody),
}

/// A command that needs the user: refused by the server, or no longer applicable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    /// The command's id.
    pub command_id: Uuid,
    /// `rejected` (by the server) or `conflict` (no longer applies here).
    pub status: String,
    /// The command.
    pub command: Command,
    /// When it was given.
    pub issued_at: DateTime<Utc>,
    /// Why.
    pub error: Option<ErrorBody>,
    /// The record it was for.
    pub stream_id: Uuid,
}

/// Counts for the sync badge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Commands waiting to be pushed.
    pub pending: u64,
    /// Commands needing attention.
    pub needs_attention: u64,
    /// The last server sequence applied here.
    pub cursor: i64,
}

/// What applying a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Events already here speculatively and now confirmed.
    pub confirmed: u64,
    /// New events stored and projected.
    pub applied: u64,
    /// Streams that had diverged and were rebased.
    pub rebased_streams: u64,
    /// Local commands set aside because they no longer apply.
    pub conflicts: u64,
}

pub(crate) fn envelope_of(json: &str) -> Result<CommandEnvelope, AppError> {
    serde_json::from_str(json).map_err(AppError::from)
}

impl Daybook {
    /// Binds this store to the account and device the server knows it as. Events
    /// written before (offline, before the first sync) are moved to that account.
    /// All or nothing: one transaction, so a crash half-way leaves the store unbound
    /// (the next sync binds it again), never bound with events of another tenant.
    pub fn bind(&mut self, b: &Binding) -> Result<(), AppError> {
        let store = self.store();
        let moves = store.account_id() != b.account_id;
        let tx = store.begin()?;
        if moves {
            settings::ACCOUNT_ID.set(tx.conn(), &b.account_id)?;
            tx.conn()
                .execute("UPDATE events SET account_id = ?1", [b.account_id])?;
        }
        settings::DEVICE.set(tx.conn(), &b.device_name)?;
        settings::DEVICE_CODE.set(tx.conn(), &b.device_code)?;
        tx.commit()?;
        if moves {
            // The same value again, and the store's own copy of it.
            store.set_account_id(b.account_id)?;
        }
        self.set_device(b.device_name.clone());
        Ok(())
    }
}

impl Daybook {
    /// The account adopts this never-synced store's work: every waiting command, its
    /// owner's under whatever name it was given, is now `login`'s (the account's admin
    /// signing in), so it goes under their session and the server records them. Only
    /// the outbox changes; the events' own user follows from the server's copies.
    pub fn adopt_local_work(&mut self, login: &str) -> Result<u64, AppError> {
        if !local_work(self.conn())? {
            return Ok(0);
        }
        let mut adopted = 0;
        self.with_tx(|tx| {
            adopted = tx
                .conn()
                .prepare_cached(
                    "UPDATE outbox SET user_id = ?1, device_seq = NULL WHERE status = 'pending'",
                )?
                .execute([login])? as u64;
            Ok(())
        })?;
        Ok(adopted)
    }
}

/// The binding, if this store has synced before.
pub(crate) fn binding(conn: &Connection) -> Result<Option<Binding>, AppError> {
    let Some(device_code) = settings::DEVICE_CODE.get(conn)? else {
        return Ok(None);
    };
    let account_id = settings::ACCOUNT_ID
        .get(conn)?
        .ok_or_else(|| daybook_store::StoreError::Corrupt("the store names no account".into()))?;
    Ok(Some(Binding {
        account_id,
        device_name: settings::DEVICE.get(conn)?.unwrap_or_default(),
        device_code,
    }))
}

/// Outbox counts for the badge.
pub(crate) fn outbox_counts(conn: &Connection) -> Result<OutboxCounts, AppError> {
    let (pending, attention): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE status = 'pending'),
                    count(*) FILTER (WHERE status IN ('rejected', 'conflict'))
             FROM outbox",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(OutboxCounts {
        pending: pending as u64,
        needs_attention: attention as u64,
        cursor: crate::settings::sync_cursor(conn)?,
    })
}

/// Whether the store holds work of its own that never reached a server: it never
/// synced (no binding) and commands wait in its outbox. Such a store's sign-in brings
/// the work into the account (adoption).
pub(crate) fn local_work(conn: &Connection) -> Result<bool, AppError> {
    if binding(conn)?.is_some() {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending')")?
        .query_row([], |r| r.get(0))?)
}

/// The pending commands per user, by user.
pub(crate) fn waiting_by_user(conn: &Connection) -> Result<Vec<(String, u64)>, AppError> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id, count(*) FROM outbox WHERE status = 'pending'
             GROUP BY user_id ORDER BY user_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
        .collect::<Result<_, _>>()?)
}

/// How many of `user`'s commands wait to be pushed: a person signing out is told, and
/// they wait for that person's next sign-in.
pub(crate) fn unsynced_of(conn: &Connection, user: &str) -> Result<u64, AppError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM outbox WHERE status = 'pending' AND user_id = ?1")?
        .query_row([user], |r| r.get(0))?;
    Ok(n as u64)
}

/// Lets the pending commands of everyone but `user` take new device sequences when
/// they go: they wait for their own person's session, and the numbers given to them
/// would fall behind those `user` pushes meanwhile (the server wants them rising).
/// Safe when one did reach the server unanswered: it is known there by its id.
pub(crate) fn renumber_others(conn: &Connection, user: &str) -> Result<(), AppError> {
    conn.prepare_cached(
        "UPDATE outbox SET device_seq = NULL
         WHERE status = 'pending' AND user_id <> ?1 AND device_seq IS NOT NULL",
    )?
    .execute([user])?;
    Ok(())
}

/// Commands that need the user, oldest first.
pub(crate) fn needs_attention(conn: &Connection) -> Result<Vec<AttentionItem>, AppError> {
    let rows: Vec<(Uuid, String, String, Option<String>, Uuid)> = conn
        .prepare_cached(
            "SELECT command_id, status, envelope, error, stream_id FROM outbox
             WHERE status IN ('rejected', 'conflict') ORDER BY position",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(command_id, status, envelope, error, stream_id)| {
            let env = envelope_of(&envelope)?;
            Ok(AttentionItem {
                command_id,
                status,
                command: env.command,
                issued_at: env.issued_at,
                error: error.map(|e| serde_json::from_str(&e)).transpose()?,
                stream_id,
            })
        })
        .collect()
}
