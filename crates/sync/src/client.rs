//! The HTTP client of the sync protocol (`daybook_protocol`).

use std::time::Duration;

use daybook_protocol::{
    DeviceInfo, ErrorBody, ErrorCode, LiveHead, PeopleResponse, PullResponse, PushRequest,
    PushResponse, SignInRequest, SignInResponse, VERSION, WaitingReport,
};
use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use uuid::Uuid;

/// Where the server is and who we are to it (the store remembers it: one home).
pub use daybook_app::ServerConfig;

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No connection, a timeout, or the connection was cut: try again later.
    #[error("server unreachable: {0}")]
    Unreachable(String),
    /// The token was refused: syncing cannot work until it is replaced.
    #[error("the server refused the device token ({0})")]
    Unauthorized(String),
    /// The server answered with an error.
    #[error("server error {status}: {}", body.message)]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error.
        body: ErrorBody,
        /// How long the server asked us to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },
    /// The server, or an event it holds, needs a newer version of this app.
    #[error("this version of Daybook is too old: {0}")]
    UpdateRequired(String),
    /// The server's answer made no sense.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The local store failed.
    #[error(transparent)]
    App(#[from] daybook_app::AppError),
    /// A configuration problem (bad URL).
    #[error("{0}")]
    Config(String),
    /// The device's token could not be read or kept.
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
}

impl SyncError {
    /// Worth retrying with backoff (as opposed to needing the user).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable(_) => true,
            SyncError::Server { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// The server refused a whole request for what it holds (its size, a command it
    /// cannot read, a field it refuses), not for who sent it or when: splitting the
    /// request can isolate the command at fault.
    pub fn refuses_the_request(&self) -> bool {
        matches!(
            self,
            SyncError::Server {
                status: 400 | 413 | 422,
                ..
            }
        )
    }

    /// How long the server asked to wait before trying again, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A thin, typed client of the server's endpoints.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    live_idle: Duration,
}

/// How long the live channel may stay silent (no event, no keep-alive comment; the
/// server sends one every 15 s by default) before it is taken for dead and
/// reconnected: a connection that died without a word (a NAT or proxy dropping it)
/// would otherwise hold live updates back until the next timed sync.
pub const LIVE_IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// Reads a successful answer's JSON body. A body cut short (the connection dropped
/// mid-answer) is transient, like a failed request; a whole body that is not the
/// expected JSON is a protocol error.
async fn answer<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    what: &str,
) -> Result<T, SyncError> {
    let expected = resp.content_length();
    let body = resp
        .bytes()
        .await
        .map_err(|e| SyncError::Unreachable(format!("{what} cut: {e}")))?;
    if expected.is_some_and(|n| (body.len() as u64) < n) {
        return Err(SyncError::Unreachable(format!(
            "{what} cut after {} of {} bytes",
            body.len(),
            expected.unwrap_or_default()
        )));
    }
    serde_json::from_slice(&body).map_err(|e| {
        if e.is_eof() {
            SyncError::Unreachable(format!("{what} cut: {e}"))
        } else {
            SyncError::Protocol(format!("{what} is not what the protocol says: {e}"))
        }
    })
}

/// rustls's cryptography (ring), installed once per process before the first client:
/// reqwest is built without a provider of its own, so no OpenSSL and no aws-lc.
fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Another part of the process may have installed one first: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn unreachable(e: reqwest::Error) -> SyncError {
    SyncError::Unreachable(e.to_string())
}

impl Client {
    /// A client for `config`. Requests time out after 60 s (a page of events is
    /// small; anything slower is a dead connection).
    pub fn new(config: &ServerConfig) -> Result<Self, SyncError> {
        let base = config.url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SyncError::Config(format!(
                "server URL must start with http:// or https:// (got '{}')",
                config.url
            )));
        }
        install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // The server lists each device's app version (`daybook-server device list`).
            .user_agent(concat!("daybook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Config(e.to_string()))?;
        Ok(Client {
            http,
            base,
            token: config.token.clone(),
            live_idle: LIVE_IDLE_TIMEOUT,
        })
    }

    /// Signs a person in (`POST /v1/sessions`; this client's token is not used). A
    /// wrong login or password is [`SyncError::Server`] with `invalid_credentials`.
    pub async fn sign_in(&self, req: &SignInRequest) -> Result<SignInResponse, SyncError> {
        let resp = self
            .http
            .post(self.url("sessions"))
            .json(req)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(unreachable)?;
        let resp = match resp.status() {
            // A 401 here is the person's credentials, not this device's token.
            StatusCode::UNAUTHORIZED => {
                let body = resp.json::<ErrorBody>().await.unwrap_or_else(|_| {
                    ErrorBody::new(
                        ErrorCode::InvalidCredentials,
                        "the login or password is not right",
                    )
                });
                return Err(SyncError::Server {
                    status: 401,
                    body,
                    retry_after: None,
                });
            }
            _ => Self::check(resp).await?,
        };
        answer(resp, "sign-in answer").await
    }

    /// Ends this client's session (`DELETE /v1/sessions/current`).
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let resp = self
            .http
            .delete(self.url("sessions/current"))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(unreachable)?;
        Self::check(resp).await.map(drop)
    }

    /// The same client, taking a live channel silent for `idle` for dead.
    pub fn with_live_idle_timeout(mut self, idle: Duration) -> Self {
        self.live_idle = idle;
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{VERSION}/{path}", self.base)
    }

    async fn check(resp: reqwest::Response) -> Result<reqwest::Response, SyncError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|secs| Duration::from_secs(secs.min(3600)));
        let body = resp.json::<ErrorBody>().await.unwrap_or_else(|_| {
            // Not our contract (a proxy's page, say): the status is all there is.
            ErrorBody::new(
                ErrorCode::Unknown,
                status.canonical_reason().unwrap_or("error"),
            )
        });
        if status == StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized(body.message));
        }
        Err(SyncError::Server {
            status: status.as_u16(),
            body,
            retry_after,
        })
    }

    /// Who the token belongs to.
    pub async fn me(&self) -> Result<DeviceInfo, SyncError> {
        let resp = self
            .http
            .get(self.url("me"))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(unreachable)?;
        answer(Self::check(resp).await?, "answer").await
    }

    /// The account's people (login, name, role).
    pub async fn people(&self, account: Uuid) -> Result<PeopleResponse, SyncError> {
        let resp = self
            .http
            .get(self.url(&format!("accounts/{account}/people")))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(unreachable)?;
        answer(Self::check(resp).await?, "people").await
    }

    /// Reports this device's unsynced work per person (replacing the last report).
    pub async fn report_waiting(
        &self,
        account: Uuid,
        report: &WaitingReport,
    ) -> Result<(), SyncError> {
        let resp = self
            .http
            .put(self.url(&format!("accounts/{account}/devices/current/waiting")))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30))
            .json(report)
            .send()
            .await
            .map_err(unreachable)?;
        Self::check(resp).await?;
        Ok(())
    }

    /// Pushes commands; the answers come back in the same order.
    pub async fn push(&self, account: Uuid, req: &PushRequest) -> Result<PushResponse, SyncError> {
        let resp = self
            .http
            .post(self.url(&format!("accounts/{account}/commands")))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(120))
            .json(req)
            .send()
            .await
            .map_err(unreachable)?;
        let out: PushResponse = answer(Self::check(resp).await?, "answer").await?;
        if out.results.len() != req.commands.len() {
            return Err(SyncError::Protocol(format!(
                "{} results for {} commands",
                out.results.len(),
                req.commands.len()
            )));
        }
        Ok(out)
    }

    /// A page of events after `after`.
    pub async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, SyncError> {
        let resp = self
            .http
            .get(self.url(&format!(
                "accounts/{account}/events?after={after}&limit={limit}"
            )))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(unreachable)?;
        answer(Self::check(resp).await?, "page").await
    }

    /// The live channel: the account's head each time it moves.
    pub async fn live(
        &self,
        account: Uuid,
    ) -> Result<impl Stream<Item = Result<i64, SyncError>> + Unpin + use<>, SyncError> {
        let resp = self
            .http
            .get(self.url(&format!("accounts/{account}/live")))
            .bearer_auth(&self.token)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(unreachable)?;
        let bytes = Self::check(resp).await?.bytes_stream();
        Ok(Box::pin(sse_heads(bytes, self.live_idle)))
    }
}

/// Parses server-sent events into heads; other events and comments are skipped.
/// A channel silent for `idle` ends with an `Unreachable` error. Frames are cut from
/// the raw bytes and decoded whole, so a character split across two chunks of the
/// stream is never garbled.
fn sse_heads(
    bytes: impl Stream<Item = Result<bytes::Bytes, reqwest::Error>> + Unpin,
    idle: Duration,
) -> impl Stream<Item = Result<i64, SyncError>> {
    futures_util::stream::unfold(
        (bytes, Vec::<u8>::new()),
        move |(mut bytes, mut buf)| async move {
            loop {
                if let Some(frame) = next_frame(&mut buf) {
                    match head_of(&frame) {
                        Some(item) => return Some((item, (bytes, buf))),
                        None => continue,
                    }
                }
                match tokio::time::timeout(idle, bytes.next()).await {
                    Ok(Some(Ok(chunk))) => buf.extend_from_slice(&chunk),
                    Ok(Some(Err(e))) => return Some((Err(unreachable(e)), (bytes, buf))),
                    Ok(None) => return None,
                    Err(_) => {
                        let silent = SyncError::Unreachable(format!(
                            "live channel silent for {} s",
                            idle.as_secs()
                        ));
                        return Some((Err(silent), (bytes, buf)));
                    }
                }
            }
        },
    )
}

/// Takes the first complete frame (up to a blank line, `\n\n` or `\r\n\r\n`) off
/// `buf`, decoded as UTF-8, if `buf` holds one.
fn next_frame(buf: &mut Vec<u8>) -> Option<String> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    let (end, sep) = match (lf, crlf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let frame: Vec<u8> = buf.drain(..end + sep).collect();
    Some(String::from_utf8_lossy(&frame[..end]).replace("\r\n", "\n"))
}

/// The head a frame announces, if it is a `head` event.
fn head_of(frame: &str) -> Option<Result<i64, SyncError>> {
    let mut event = "message";
    let mut data = String::new();
    for line in frame.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = if v.trim() == "head" { "head" } else { "other" };
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim());
        }
    }
    (event == "head").then(|| {
        serde_json::from_str::<LiveHead>(&data)
            .map(|h| h.head)
            .map_err(|e| SyncError::Protocol(format!("live channel: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[&[u8]]) -> Vec<String> {
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for c in chunks {
            buf.extend_from_slice(c);
            while let Some(f) = next_frame(&mut buf) {
                out.push(f);
            }
        }
        out
    }

    #[test]
    fn a_character_split_across_chunks_arrives_whole() {
        let text = "event: note\ndata: caf\u{e9} \u{1F600}\n\n".as_bytes();
        // Cut inside the two-byte é and inside the four-byte emoji.
        let e = text.iter().position(|&b| b == 0xC3).expect("é");
        let f = text.iter().position(|&b| b == 0xF0).expect("emoji");
        let got = frames(&[&text[..e + 1], &text[e + 1..f + 2], &text[f + 2..]]);
        assert_eq!(got, ["event: note\ndata: caf\u{e9} \u{1F600}"]);
    }

    #[test]
    fn heads_are_read_from_lf_and_crlf_frames() {
        let got = frames(&[b": keep-alive\n\nevent: head\r\ndata: {\"head\": 7}\r\n\r\n"]);
        assert_eq!(got.len(), 2);
        assert!(head_of(&got[0]).is_none());
        assert_eq!(head_of(&got[1]).map(|r| r.ok()), Some(Some(7)));
    }
}
