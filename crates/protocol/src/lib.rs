//! The sync protocol (v1): JSON over HTTP, shared by `daybook-server` and the client
//! sync engine so the two can never disagree on a field.
//!
//! Endpoints (all but health need `Authorization: Bearer <device token>`; a token
//! belongs to one account, and a path naming any other account is answered 404):
//! - `GET  /healthz`, `GET /readyz` -> [`Health`]
//! - `GET  /v1/me` -> [`DeviceInfo`]
//! - `POST /v1/sessions` [`SignInRequest`] -> [`SignInResponse`] (no token: this is how
//!   a person gets one); `DELETE /v1/sessions/current` signs the session's person out
//! - `POST /v1/accounts/{account}/commands` [`PushRequest`] -> [`PushResponse`]
//! - `GET  /v1/accounts/{account}/events?after=SEQ&limit=N` -> [`PullResponse`]
//! - `GET  /v1/accounts/{account}/live` -> server-sent events `head` with [`LiveHead`]
//! - `PUT  /v1/accounts/{account}/devices/current/waiting` [`WaitingReport`] (the
//!   device's unsynced work per person, for the admin's device list)
//!
//! Errors are `4xx`/`5xx` with an [`ErrorBody`] `{code, message, field?, params?}`
//! (the contract of every edge, in [`error`]).

use chrono::{DateTime, Utc};
use daybook_domain::{CommandEnvelope, Role, StreamType};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

pub mod claims;
pub mod error;

pub use error::{ErrorBody, ErrorCode, ErrorParams};

/// Protocol version in the paths.
pub const VERSION: &str = "v1";
/// Protocol version as a number, in [`SchemaInfo`]: grows when a message changes in
/// a way an older peer cannot read.
pub const PROTOCOL_VERSION: u32 = 1;
/// Most commands in one push.
pub const MAX_PUSH_COMMANDS: usize = 1000;
/// Most events in one pull page.
pub const MAX_PULL_LIMIT: usize = 5000;
/// Default pull page.
pub const DEFAULT_PULL_LIMIT: usize = 1000;
/// Largest request body the server reads.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Longest user name on a pushed command, in characters.
pub const MAX_USER_CHARS: usize = 100;
/// A pushed command's user as a regular expression (ECMA-262 and Python alike): no
/// control character (Unicode `Cc`, as `char::is_control`) and at least one character
/// that is not white space (Unicode `White_Space`, as `str::trim`).
pub const USER_PATTERN: &str = concat!(
    r"^[^\u0000-\u001f\u007f-\u009f]*",
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"[^\u0000-\u001f\u007f-\u009f]*$"
);

/// Why a user name cannot be recorded on a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserProblem {
    /// Empty, all blank, or longer than [`MAX_USER_CHARS`].
    #[error("the user must be 1 to {MAX_USER_CHARS} characters, not all blank")]
    Length,
    /// A control character (a tab, a line break, an escape).
    #[error("the user must not contain control characters")]
    Control,
}

/// The rule for the user recorded on a pushed command (`USER_PATTERN` says the same):
/// checked by the server on every pushed command and by a client before it queues
/// one, so a command the server would refuse for its user is never queued.
pub fn check_user(user: &str) -> Result<(), UserProblem> {
    if user.trim().is_empty() || user.chars().count() > MAX_USER_CHARS {
        return Err(UserProblem::Length);
    }
    if user.chars().any(char::is_control) {
        return Err(UserProblem::Control);
    }
    Ok(())
}

/// Liveness/readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// Who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// The account (tenant).
    pub account_id: Uuid,
    /// The account's name.
    pub account_name: String,
    /// The device.
    pub device_id: Uuid,
    /// The device's name, recorded on its events.
    pub device_name: String,
    /// Short code unique within the account, used in numbers given offline
    /// (`SO-<code>-00042`), so two devices never hand out the same number.
    pub device_code: String,
    /// What the server's build knows (absent from servers older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaInfo>,
    /// The role the server decides this token's commands with (absent from servers
    /// older than roles: they decide every command as an admin's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The person signed in with this token; absent for a service device's token
    /// (imports, integrations), whose commands name the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonInfo>,
}

/// A person known to the server, as a device shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInfo {
    /// What they sign in with (unique on the server); recorded as the user of their
    /// commands.
    pub login: String,
    /// Their name as people read it ("Anna de Vries").
    pub name: String,
    /// What they may do.
    pub role: Role,
}

/// `GET /v1/accounts/{account}/people`: the account's people, so devices show who did
/// what by name rather than by login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleResponse {
    /// Everyone with a login in the account, disabled people too (their earlier work
    /// keeps their name).
    pub people: Vec<PersonInfo>,
}

/// Most people in one [`WaitingReport`].
pub const MAX_WAITING_PEOPLE: usize = 100;

/// `PUT /v1/accounts/{account}/devices/current/waiting`: the device's unsynced work, per
/// person, as it is now (it replaces the last report). A person's work goes only under
/// their own session, so an admin's device list shows what waits for someone who is
/// not signed in there (stranded work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WaitingReport {
    /// One entry per person with work waiting (none: nothing waits), at most
    /// [`MAX_WAITING_PEOPLE`]; a user named twice counts once, with the sum.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub people: Vec<WaitingWork>,
}

/// One person's unsynced work on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WaitingWork {
    /// The user their commands name (a login; the same rule as a pushed user).
    #[cfg_attr(feature = "openapi", schema(schema_with = user_schema))]
    pub user: String,
    /// How many of their commands wait (at least one).
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 9223372036854775807_i64)
    )]
    pub commands: u64,
}

/// `POST /v1/sessions`: a person signs in on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// The person's login (case does not matter).
    pub login: String,
    /// Their password; checked, never stored or logged.
    pub password: String,
    /// The device's token from an earlier sign-in on this store, so the store stays
    /// one device (its code, its numbers); absent on a store's first sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// The device's name, for a store's first sign-in ("laptop").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// The store holds work of its own that never reached a server (its owner's,
    /// from before it was connected): the sign-in brings it into the account, which
    /// must then be empty, and only an admin may (the owner becomes the account's
    /// admin). A store joining an account with data needs to be empty itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local_work: bool,
}

/// The answer to a sign-in: a session token for this person on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// The bearer token of the session (`dbs_...`), until sign-out, the person being
    /// disabled, or their password reset.
    pub session_token: String,
    /// The device's own token, only when this sign-in made the device: keep it for
    /// the next sign-in on this store. It is no bearer token by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// The device and account, as `GET /v1/me` gives them.
    pub device: DeviceInfo,
}

/// The protocol version and the newest schema version of every event and command type
/// a build knows: a server with an older schema refuses a newer command alone
/// (`unknown_command`), a client stops pulling at an event it cannot read ("update
/// required"). Upgrade the server first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaInfo {
    /// [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// Event type -> newest schema version known.
    pub events: std::collections::BTreeMap<String, u32>,
    /// Command type -> newest schema version known.
    pub commands: std::collections::BTreeMap<String, u32>,
}

impl SchemaInfo {
    /// What this build knows.
    pub fn this_build() -> Self {
        let (events, commands) = daybook_domain::schema::known();
        SchemaInfo {
            protocol: PROTOCOL_VERSION,
            events: events
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            commands: commands
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
        }
    }
}

/// Commands to apply, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// At most [`MAX_PUSH_COMMANDS`].
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub commands: Vec<PushCommand>,
}

/// One command from a device's outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushCommand {
    /// Per-device, strictly increasing: the server records the last one applied in the
    /// same transaction as the events, so a retry is recognised. At most `i64::MAX`
    /// (the server stores it as a signed 64-bit integer).
    #[cfg_attr(feature = "openapi", schema(maximum = 9223372036854775807_i64))]
    pub device_seq: u64,
    /// The user who gave the command on the device: 1 to [`MAX_USER_CHARS`]
    /// characters, not blank, no control characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = user_schema))]
    pub user: String,
    /// The command with its id and time.
    pub envelope: CommandEnvelope,
    /// The schema version of the command's JSON form (1 when absent, and then not
    /// sent, so servers older than this field read it). A server that does not know
    /// the command's type or this version refuses that command alone
    /// (`unknown_command`).
    #[serde(
        default = "first_version",
        deserialize_with = "version_from_one",
        skip_serializing_if = "is_first_version"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = i64, minimum = 1, maximum = 4294967295_i64, default = 1)
    )]
    pub schema_version: u32,
}

/// A schema version: 1 to `u32::MAX` (0 is no version; the document says the same).
fn version_from_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = <u32 as Deserialize>::deserialize(d)?;
    if v == 0 {
        return Err(serde::de::Error::custom("schema_version starts at 1"));
    }
    Ok(v)
}

impl PushCommand {
    /// A command as a device pushes it, at this build's version of its type.
    pub fn new(device_seq: u64, user: String, envelope: CommandEnvelope) -> Self {
        let schema_version = envelope.command.schema_version();
        PushCommand {
            device_seq,
            user,
            envelope,
            schema_version,
        }
    }
}

fn first_version() -> u32 {
    1
}

fn is_first_version(v: &u32) -> bool {
    *v == 1
}

/// [`PushCommand::user`]'s rules as a schema.
#[cfg(feature = "openapi")]
fn user_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_USER_CHARS))
        .pattern(Some(USER_PATTERN))
        .description(Some(
            "Who gave the command on the device (not blank, no control characters)",
        ))
        .build()
}

/// Results, one per pushed command, in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Results.
    pub results: Vec<PushResult>,
}

/// What the server did with one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    /// The command.
    pub command_id: Uuid,
    /// Its device sequence.
    pub device_seq: u64,
    /// True when the server had already processed this command: the recorded result
    /// is returned again and nothing was applied twice.
    pub duplicate: bool,
    /// Accepted or rejected.
    pub outcome: PushOutcome,
}

/// Accepted (events appended) or rejected (a domain error; permanent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Applied; its events have these account sequence numbers (none if the command
    /// changed nothing).
    Accepted {
        /// First event's sequence.
        first_seq: Option<i64>,
        /// Last event's sequence.
        last_seq: Option<i64>,
    },
    /// Refused by the domain on the server's state.
    Rejected {
        /// Why.
        error: ErrorBody,
    },
}

/// A page of the account's events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Events with sequence > `after`, ascending, gap-free.
    pub events: Vec<WireEvent>,
    /// The account's last committed sequence when the page was read.
    pub head: i64,
}

/// One stored event, exactly as the server stores it (payload not re-encoded, schema
/// version as written: the client upcasts on read like the server does).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireEvent {
    /// The account's gap-free sequence.
    pub seq: i64,
    /// Event id.
    pub event_id: Uuid,
    /// Stream (record).
    pub stream_id: Uuid,
    /// Stream type.
    pub stream_type: StreamType,
    /// 1-based revision in its stream.
    pub revision: u64,
    /// Event type.
    pub event_type: String,
    /// Schema version of `payload`.
    pub schema_version: u32,
    /// The payload JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Box<RawValue>,
    /// Who.
    pub user: String,
    /// Which device.
    pub device: String,
    /// The command.
    pub command_id: Uuid,
    /// Causation.
    pub causation_id: Option<Uuid>,
    /// Correlation.
    pub correlation_id: Option<Uuid>,
    /// When the command was given.
    pub issued_at: DateTime<Utc>,
    /// When the server committed it.
    pub committed_at: DateTime<Utc>,
}

/// Data of the live channel's `head` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveHead {
    /// The account's last committed sequence.
    pub head: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_outcome_json_shape() {
        let r = PushResult {
            command_id: Uuid::nil(),
            device_seq: 7,
            duplicate: false,
            outcome: PushOutcome::Rejected {
                error: ErrorBody::new(ErrorCode::CustomerBlocked, "blocked"),
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["outcome"]["status"], "rejected");
        assert_eq!(v["outcome"]["error"]["code"], "customer_blocked");
        assert!(v["outcome"]["error"].get("field").is_none());
    }

    #[test]
    fn push_request_rejects_unknown_fields() {
        let bad = r#"{"commands": [], "account_id": "x"}"#;
        assert!(serde_json::from_str::<PushRequest>(bad).is_err());
    }
}
