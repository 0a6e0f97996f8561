//! Sign-in and sign-out: `POST /v1/sessions` checks a person's password and opens a
//! session on a device; `DELETE /v1/sessions/current` ends the caller's session.
//!
//! **Invariant:** a sign-in answers the same 401 for an unknown login, a wrong
//! password and a disabled person, after the same work (`people::verify_password`),
//! so neither the answer nor its timing tells which logins exist; failures are counted
//! per login and per address before any password is checked (`people::SignInLimiter`).

use std::time::Instant;

use axum::Json;
use axum::extract::{Extension, FromRequest, Request, State};
use axum::http::StatusCode;
use daybook_domain::Role;
use daybook_protocol::{
    DeviceInfo, ErrorCode, ErrorParams, PersonInfo, SchemaInfo, SignInRequest, SignInResponse,
};

use crate::error::{ApiError, ServerError};
use crate::openapi::{
    BadRequest, Internal, RateLimited, RequestTimeout, TooLarge, Unauthorized, Unavailable,
    Unprocessable, UnsupportedMediaType,
};
use crate::people::{SessionDevice, User, verify_password};
use crate::routes::{ApiJson, Authed};
use crate::store::Device;
use crate::{AppState, ClientAddr};

/// What `GET /v1/me` and a sign-in say about a token.
pub(crate) fn device_info(d: Device) -> DeviceInfo {
    DeviceInfo {
        account_id: d.account_id,
        account_name: d.account_name,
        device_id: d.device_id,
        device_name: d.device_name,
        device_code: d.device_code,
        schema: Some(SchemaInfo::this_build()),
        role: Some(d.role),
        person: d.person.map(|p| PersonInfo {
            login: p.login,
            name: p.name,
            role: d.role,
        }),
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "the login or the password is not right (or the person may not sign in)",
    )
}

/// `POST /v1/sessions`: a person signs in on a device.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "people",
    summary = "Sign a person in on a device; answers a session token",
    description = "No bearer token. A store's first sign-in names its device \
        (`device_name`) and gets the device's own token back, which it sends \
        (`device_token`) on every later sign-in so the store stays one device. Five \
        failures a minute per login or per address, then 429 until the oldest is a \
        minute old. Opening a session ends any other open session on that device. A \
        store holding work of its own (`local_work`) brings it into the account: only an \
        empty account, only its admin.",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in", body = SignInResponse),
        (status = 400, response = BadRequest),
        (status = 401, description = "Wrong login or password, or a disabled person \
            (`invalid_credentials`)", body = daybook_protocol::ErrorBody),
        (status = 408, response = RequestTimeout),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 403, description = "The store brings work of its own \
            (`local_work`) and the person is not the account's admin (`role_required`)",
            body = daybook_protocol::ErrorBody),
        (status = 409, description = "The device token is revoked, unknown, or of \
            another account (`device_not_usable`); or the store brings work of its own \
            into an account that has data (`account_not_empty`)",
            body = daybook_protocol::ErrorBody),
        (status = 422, response = Unprocessable),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
    security(()),
)]
pub async fn sign_in(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddr>>,
    body: Request,
) -> Result<Json<SignInResponse>, ApiError> {
    let ApiJson(req) = ApiJson::<SignInRequest>::from_request(body, &state).await?;
    let address = address.map(|Extension(ClientAddr(a))| a);
    let login = req.login.trim().to_lowercase();
    if let Some(wait) = state.sign_ins().wait(&login, address, Instant::now()) {
        tracing::info!("sign-in throttled");
        return Err(ApiError::rate_limited(wait.as_secs_f64().ceil() as u64));
    }
    let credentials = state.store().credentials(&login).await?;
    let password = req.password;
    let hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || verify_password(hash.as_deref(), &password))
        .await
        .map_err(|e| ApiError::from_server(&ServerError::Task(e.to_string())))?;
    let user = match credentials {
        Some(c) if matches && c.user.enabled => c.user,
        _ => {
            state.sign_ins().failed(&login, address, Instant::now());
            tracing::info!("sign-in refused");
            return Err(invalid_credentials());
        }
    };
    state.sign_ins().succeeded(&login);
    if req.local_work {
        check_adoption(&state, &user).await?;
    }
    let device = match (&req.device_token, &req.device_name) {
        (Some(token), _) => SessionDevice::Known(token),
        (None, Some(name)) => SessionDevice::New(name),
        (None, None) => {
            return Err(ApiError::invalid(
                "device_name",
                "a store's first sign-in names its device (device_name)",
            ));
        }
    };
    let session = match state.store().open_session(&user, device).await {
        Ok(s) => s,
        Err(ServerError::DeviceNotUsable(account)) => {
            let message = match &account {
                Some(name) => format!(
                    "this store belongs to the account {name}; sign in there, or start a \
                     clean store to join this one"
                ),
                None => "this store's device was revoked or is not known to the server; \
                         start a clean store to sign in"
                    .to_string(),
            };
            return Err(
                ApiError::new(StatusCode::CONFLICT, ErrorCode::DeviceNotUsable, message)
                    .with_params(ErrorParams {
                        value: account,
                        ..ErrorParams::default()
                    }),
            );
        }
        Err(ServerError::Invalid(message)) => {
            return Err(ApiError::invalid("device_name", message));
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(account = %session.device.account_id, device = %session.device.device_code, "signed in");
    Ok(Json(SignInResponse {
        session_token: session.token,
        device_token: session.device_token,
        device: device_info(session.device),
    }))
}

/// A store bringing work of its own (never synced) into the account: only into an
/// empty account, by its admin, so the store's log, history and numbers become the
/// account's whole and nothing is merged with other data. Checked before any device or
/// session is made, so a refusal leaves nothing behind.
async fn check_adoption(state: &AppState, user: &User) -> Result<(), ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::RoleRequired,
            "this store holds work of its own, which only the account's admin can bring into \
             the account; an admin signs in here first, or start a clean store to join it",
        )
        .with_params(ErrorParams {
            role: Some(user.role),
            required_role: Some(Role::Admin),
            value: Some("bring a store's work into the account".into()),
            ..ErrorParams::default()
        }));
    }
    if state.store().head(user.account_id).await? > 0 {
        let account = state
            .store()
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.id == user.account_id)
            .map(|a| a.name);
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AccountNotEmpty,
            format!(
                "this store holds work of its own, and the account {} has data already: \
                 joining it needs an empty store (start a clean store; this one is kept aside)",
                account.as_deref().unwrap_or("you sign in to")
            ),
        )
        .with_params(ErrorParams {
            value: account,
            ..ErrorParams::default()
        }));
    }
    Ok(())
}

/// `DELETE /v1/sessions/current`: the caller's session ends (sign-out).
#[utoipa::path(
    delete,
    path = "/v1/sessions/current",
    tag = "people",
    summary = "Sign out: end the session whose token this is",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, response = Unauthorized),
        (status = 403, description = "The token is a service device's, not a person's \
            session: nothing to sign out (`invalid_input`)", body = daybook_protocol::ErrorBody),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn sign_out(
    State(state): State<AppState>,
    Authed(device, _slot): Authed,
) -> Result<StatusCode, ApiError> {
    let Some(session) = device.session_id else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidInput,
            "this token is a service device's, not a person's session: revoke it instead",
        )
        .with_field("authorization"));
    };
    state.store().end_session(session).await?;
    tracing::info!("signed out");
    Ok(StatusCode::NO_CONTENT)
}
