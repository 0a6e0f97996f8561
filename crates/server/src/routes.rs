//! The HTTP edge: extractors (token, own account, JSON body, query) and the handlers
//! of the protocol's endpoints. Each handler is a few lines: check, one call
//! to the store port ([`crate::Store`], through `AppState::store`), map the answer.
//!
//! **Architecture Invariant:** no SQL and no database crate here: the routes know
//! the port only, never an adapter.
//!
//! **Invariant:** every failure an extractor or handler can meet becomes an
//! [`ApiError`] (status + `ErrorBody` JSON); request data is never unwrapped.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use daybook_protocol::{
    DEFAULT_PULL_LIMIT, DeviceInfo, ErrorBody, Health, LiveHead, MAX_BODY_BYTES, MAX_PULL_LIMIT,
    PeopleResponse, PersonInfo, PullResponse, PushRequest, PushResponse,
};
use futures_util::Stream;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::json::whole_numbers;
use crate::limits::Slot;
use crate::openapi::{
    BadRequest, Internal, LiveEvent, NotFound, RateLimited, RequestTimeout, TooLarge, Unauthorized,
    Unavailable, Unprocessable, UnsupportedMediaType,
};
use crate::store::Device;
use crate::sync;

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The app and version a client names in its `User-Agent` (`daybook/0.9.0`), bounded
/// and without control characters.
fn app_version(headers: &HeaderMap) -> Option<String> {
    let text = headers.get(header::USER_AGENT)?.to_str().ok()?;
    let clean: String = text.chars().filter(|c| !c.is_control()).take(100).collect();
    (!clean.trim().is_empty()).then(|| clean.trim().to_string())
}

/// The device whose valid, unrevoked token came with the request (else 401), within
/// its rate limit (else 429), holding one of its token's request slots until the
/// handler is done (else 429, or 503 when the server is full: `crate::limits`).
pub struct Authed(pub Device, pub Slot);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let device = state
            .store()
            .authenticate(&token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let span = tracing::Span::current();
        span.record("account", tracing::field::display(device.account_id));
        span.record("device", device.device_code.as_str());
        // Last seen and app version for `device list`, off the request's path.
        let version = app_version(&parts.headers);
        let (seen_by, id) = (state.clone(), device.device_id);
        tokio::spawn(async move { seen_by.seen(id, version.as_deref()).await });
        if let Err(wait) = state.limiter().check(device.device_id) {
            tracing::info!("rate limited");
            return Err(ApiError::rate_limited(wait.as_secs_f64().ceil() as u64));
        }
        let slot = state.tracker().request(device.device_id).inspect_err(|e| {
            tracing::info!(status = %e.status, "over the request limits");
        })?;
        Ok(Authed(device, slot))
    }
}

/// The `{account}` path parameter, as documented.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by `OwnAccount` from the raw path; here for the document.
struct AccountPath {
    /// The token's own account id (anything else is 404).
    account: Uuid,
}

/// An authenticated device and the account named in the path, which must be the
/// device's own: any other value (another tenant's id, an unknown id, not a UUID) is
/// the same 404, so the answer tells nothing about other accounts.
pub struct OwnAccount {
    /// The device.
    pub device: Device,
    /// Its account, as named in the path.
    pub account_id: Uuid,
    /// The request's slot (given back when the handler is done).
    pub slot: Slot,
}

impl FromRequestParts<AppState> for OwnAccount {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Authed(device, slot) = Authed::from_request_parts(parts, state).await?;
        let Ok(Path(raw)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(ApiError::not_found());
        };
        match Uuid::parse_str(&raw) {
            Ok(id) if id == device.account_id => Ok(OwnAccount {
                device,
                account_id: id,
                slot,
            }),
            _ => {
                tracing::info!("path names another account");
                Err(ApiError::not_found())
            }
        }
    }
}

/// A JSON body whose every failure (size, content type, syntax, shape) is an
/// `ErrorBody` with the matching 4xx, and whose whole numbers may be spelled as JSON
/// Schema allows (`2.0` for `2`, as the document's `integer` admits); a body that has not arrived within
/// [`crate::Config::body_read_timeout`] is a 408 `request_timeout` (a client sending
/// slowly holds its own connection only that long).
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        // Content type, size and syntax first (axum's answers), then the shape, on the
        // text with whole numbers spelled as integers (`crate::json`).
        let read = Json::<Box<RawValue>>::from_request(req, state);
        match tokio::time::timeout(state.body_read_timeout(), read).await {
            // Every body the API describes is an object; serde would also take a
            // struct written as an array (`[[]]`), which the document does not allow.
            Ok(Ok(Json(raw))) if !raw.get().trim_start().starts_with('{') => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                daybook_protocol::ErrorCode::InvalidBody,
                "the body must be a JSON object",
            )),
            Ok(Ok(Json(raw))) => Json::<T>::from_bytes(whole_numbers(raw.get()).as_bytes())
                .map(|Json(v)| ApiJson(v))
                .map_err(|r| ApiError::from_json_rejection(&r)),
            Ok(Err(r)) => Err(ApiError::from_json_rejection(&r)),
            Err(_) => {
                tracing::info!("request body not received in time");
                Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    daybook_protocol::ErrorCode::RequestTimeout,
                    "the request body did not arrive in time; nothing was applied",
                ))
            }
        }
    }
}

/// `GET /healthz`: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    summary = "Liveness (the process answers)",
    security(),
    responses((status = 200, description = "Alive", body = Health)),
)]
pub async fn healthz() -> Json<Health> {
    Json(health("ok"))
}

fn health(status: &str) -> Health {
    Health {
        status: status.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// `GET /readyz`: the registry database answers (503 otherwise).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    summary = "Readiness (the store answers)",
    security(),
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready; `status` is `unavailable`", body = Health),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => Json(health("ok")).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(health("unavailable"))).into_response(),
    }
}

/// `GET /v1/me`: who the token belongs to.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "sync",
    summary = "The device and account the token belongs to",
    description = "`device_code` (`D1`, `D2`, ...) is unique within the account; devices put it \
        in numbers they hand out offline (`SO-D2-00042`).",
    responses(
        (status = 200, description = "The device", body = DeviceInfo),
        (status = 401, response = Unauthorized),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn me(Authed(d, _slot): Authed) -> Json<DeviceInfo> {
    Json(crate::sessions::device_info(d))
}

/// Reserves a body's memory before it is read (its declared length, or the largest
/// body when it declares none): `crate::limits`.
fn reserve_body(state: &AppState, device: &Device, body: &Request) -> Result<Slot, ApiError> {
    let declared = body
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(MAX_BODY_BYTES);
    state
        .tracker()
        .body(device.device_id, declared.min(MAX_BODY_BYTES))
}

/// `POST /v1/accounts/{account}/commands`: applies a batch in one transaction.
#[utoipa::path(
    post,
    path = "/v1/accounts/{account}/commands",
    tag = "sync",
    summary = "Push commands, in order; one result per command, in the same order",
    description = include_str!("../doc/push.md"),
    params(AccountPath),
    request_body = PushRequest,
    responses(
        (status = 200, description = "Results, one per command, in order", body = PushResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn push(
    State(state): State<AppState>,
    OwnAccount {
        device,
        account_id,
        slot: _slot,
    }: OwnAccount,
    body: Request,
) -> Result<Json<PushResponse>, ApiError> {
    let _bytes = reserve_body(&state, &device, &body)?;
    let ApiJson(raw) = ApiJson::<Box<RawValue>>::from_request(body, &state).await?;
    // Commands of a type or version this build does not know are refused alone.
    let (req, unknown) = sync::read_push(raw.get())?;
    if !req.commands.is_empty() || unknown.is_empty() {
        sync::validate_push(&req)?;
    }
    debug_assert_eq!(device.account_id, account_id);
    let n = req.commands.len();
    let mut pushed = if req.commands.is_empty() {
        crate::Pushed {
            results: Vec::new(),
            counts: crate::PushCounts::default(),
            head: state.store().head(account_id).await?,
        }
    } else {
        state.store().push(device, req).await?
    };
    pushed.counts.stale += unknown.len();
    pushed.results = sync::merge_results(pushed.results, unknown);
    tracing::info!(
        commands = n,
        accepted = pushed.counts.accepted,
        rejected = pushed.counts.rejected,
        duplicates = pushed.counts.duplicates,
        stale = pushed.counts.stale,
        head = pushed.head,
        "push"
    );
    Ok(Json(PushResponse {
        results: pushed.results,
    }))
}

/// The query of a pull. Both are signed 64-bit integers, like every sequence and
/// count of the protocol, so the document's `int64` is exactly what is accepted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// Return events after this sequence (0, the default: from the start).
    #[serde(default)]
    #[param(minimum = 0, default = 0)]
    pub after: i64,
    /// Page size (default 1000); values above 5000 are capped at 5000.
    #[param(value_type = i64, required = false, minimum = 1, default = 1000)]
    pub limit: Option<i64>,
}

impl PullQuery {
    /// Reads a pull's query string (`after=SEQ&limit=N`, both optional) from the
    /// request's URI: the sequence to read after and the page size (default
    /// `DEFAULT_PULL_LIMIT`, capped at `MAX_PULL_LIMIT`), or a 400 `invalid_query`.
    /// Total on any URI (fuzzed by `fuzz/fuzz_targets/pull_query.rs`).
    pub fn parse(uri: &Uri) -> Result<(i64, usize), ApiError> {
        let Query(q) = Query::<PullQuery>::try_from_uri(uri)
            .map_err(|r| ApiError::from_query_rejection(&r))?;
        if q.after < 0 {
            return Err(ApiError::bad_query("`after` must be 0 or more").with_field("after"));
        }
        let limit = match q.limit {
            None => DEFAULT_PULL_LIMIT,
            Some(n) if n < 1 => {
                return Err(ApiError::bad_query("`limit` must be 1 or more").with_field("limit"));
            }
            Some(n) => usize::try_from(n).map_or(MAX_PULL_LIMIT, |n| n.min(MAX_PULL_LIMIT)),
        };
        Ok((q.after, limit))
    }
}

/// `GET /v1/accounts/{account}/events?after=SEQ&limit=N`: a page of events.
#[utoipa::path(
    get,
    path = "/v1/accounts/{account}/events",
    tag = "sync",
    summary = "A page of the account's events after a sequence number",
    description = "Events with `seq > after`, ascending. The sequence is gap-free and only \
        committed events are ever returned, so a follower that asks for \
        `after = <last seq it has>` never skips one. An empty page means the follower is \
        at `head`.",
    params(AccountPath, PullQuery),
    responses(
        (status = 200, description = "A page", body = PullResponse),
        (status = 400, description = "A bad query (`invalid_query`): negative `after`, `limit` \
            below 1, not a 64-bit integer, an unknown parameter", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn pull(
    State(state): State<AppState>,
    OwnAccount {
        account_id,
        device,
        slot: _slot,
    }: OwnAccount,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (after, limit) = PullQuery::parse(&uri)?;
    // One pull per device at a time, encoded off the async workers: `crate::limits`.
    let _lane = state.tracker().pull_lane(device.device_id).await;
    let page = state.store().pull(account_id, after, limit).await?;
    tracing::debug!(after, events = page.events.len(), head = page.head, "pull");
    let body = tokio::task::spawn_blocking(move || serde_json::to_vec(&page))
        .await
        .map_err(|e| ApiError::from(crate::ServerError::Task(e.to_string())))?
        .map_err(|e| ApiError::from(crate::ServerError::Corrupt(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /v1/accounts/{account}/people`: the account's people (login, name, role).
#[utoipa::path(
    get,
    path = "/v1/accounts/{account}/people",
    tag = "sync",
    summary = "The account's people, so devices show names rather than logins",
    description = "Everyone with a login in the account, disabled people included (their \
        earlier work keeps its name), ordered by login. Nothing about passwords or \
        sessions is listed.",
    params(AccountPath),
    responses(
        (status = 200, description = "The people", body = PeopleResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn people(
    State(state): State<AppState>,
    OwnAccount {
        account_id,
        device: _,
        slot: _slot,
    }: OwnAccount,
) -> Result<Json<PeopleResponse>, ApiError> {
    let mut people: Vec<PersonInfo> = state
        .store()
        .users(account_id)
        .await?
        .into_iter()
        .map(|u| PersonInfo {
            login: u.login,
            name: u.name,
            role: u.role,
        })
        .collect();
    people.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(Json(PeopleResponse { people }))
}

/// `PUT /v1/accounts/{account}/devices/current/waiting`: the calling device's unsynced
/// work per person.
#[utoipa::path(
    put,
    path = "/v1/accounts/{account}/devices/current/waiting",
    tag = "people",
    summary = "Report the device's unsynced work per person (for the admin's device list)",
    description = "Replaces the device's last report. A person's commands go only under \
        their own session, so work of someone not signed in on the device waits there; \
        `daybook-server device list` shows it. A user named twice counts once, with the sum.",
    params(AccountPath),
    request_body = daybook_protocol::WaitingReport,
    responses(
        (status = 204, description = "Kept"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn report_waiting(
    State(state): State<AppState>,
    OwnAccount {
        device,
        account_id: _,
        slot: _slot,
    }: OwnAccount,
    body: Request,
) -> Result<StatusCode, ApiError> {
    let _bytes = reserve_body(&state, &device, &body)?;
    let ApiJson(value) = ApiJson::<serde_json::Value>::from_request(body, &state).await?;
    let report = crate::people::waiting_from_value(value).map_err(|message| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            daybook_protocol::ErrorCode::InvalidBody,
            message,
        )
    })?;
    let json = crate::people::waiting_to_json(&report)
        .map_err(|message| ApiError::invalid("people", message))?;
    state
        .store()
        .report_waiting(device.device_id, &json)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn head_event(head: i64) -> Event {
    let data = serde_json::to_string(&LiveHead { head })
        .unwrap_or_else(|_| format!("{{\"head\":{head}}}"));
    Event::default()
        .event("head")
        .id(head.to_string())
        .data(data)
}

/// `GET /v1/accounts/{account}/live`: server-sent `head` events, one on connect and
/// one whenever the account's head moves; keep-alive comments in between. The stream
/// ends when the server shuts down.
#[utoipa::path(
    get,
    path = "/v1/accounts/{account}/live",
    tag = "sync",
    summary = "Live channel (server-sent events) announcing the account's head",
    description = "`text/event-stream`. Sends `event: head` (`id:` the head, `data:` a \
        `LiveHead` JSON) once on connect and again whenever the account's head moves; \
        comment lines (`:`) keep the connection alive (every 15 s by default). Heads only \
        grow; several moves may be announced once. The stream ends when the server shuts \
        down; reconnect with backoff.",
    params(AccountPath),
    responses(
        (status = 200, description = "The event stream, one `LiveEvent` per event",
            content_type = "text/event-stream", body = LiveEvent),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn live(
    State(state): State<AppState>,
    OwnAccount {
        account_id,
        device,
        slot: _slot,
    }: OwnAccount,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // Held by the stream: a device has at most `Limits::streams_per_device` open.
    let stream_slot = state.tracker().stream(device.device_id)?;
    let (rx, head) = state.store().watch_heads(account_id).await?;
    struct Live {
        pending: Option<i64>,
        last: i64,
        rx: tokio::sync::broadcast::Receiver<i64>,
        shutdown: tokio::sync::watch::Receiver<bool>,
        // A token revoked while its stream is open: the stream ends at the next poll.
        revoked: tokio::sync::watch::Receiver<i64>,
        state: AppState,
        account_id: Uuid,
        who: Device,
        _slot: Slot,
    }
    let init = Live {
        pending: Some(head),
        last: head,
        rx,
        shutdown: state.shutdown_receiver(),
        revoked: state.revocations(),
        state: state.clone(),
        account_id,
        who: device,
        _slot: stream_slot,
    };
    let stream = futures_util::stream::unfold(init, |mut s| async move {
        if let Some(h) = s.pending.take() {
            return Some((Ok(head_event(h)), s));
        }
        loop {
            let got = tokio::select! {
                r = s.rx.recv() => Some(r),
                _ = s.shutdown.wait_for(|stop| *stop) => return None,
                Ok(()) = s.revoked.changed() => None,
            };
            let next = match got {
                Some(Ok(h)) => h,
                // Missed some: the current head says it all.
                Some(Err(RecvError::Lagged(_))) => match s.state.store().head(s.account_id).await {
                    Ok(h) => h,
                    Err(_) => continue,
                },
                Some(Err(RecvError::Closed)) => return None,
                None => {
                    // A registry that cannot answer now is asked again next time.
                    if let Ok(false) = s.state.store().still_valid(&s.who).await {
                        tracing::info!("token revoked or session ended: live stream ended");
                        return None;
                    }
                    continue;
                }
            };
            if next > s.last {
                s.last = next;
                return Some((Ok(head_event(next)), s));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(state.keep_alive())))
}

/// Unknown route: the same 404 as an unknown account.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Known route, wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        daybook_protocol::ErrorCode::MethodNotAllowed,
        "this method is not allowed here",
    )
}

/// Default time a client has to send a request body (8 MiB at ~300 KB/s).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default keep-alive interval of the live channel.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
