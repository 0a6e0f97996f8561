//! Tenant isolation, generated: every endpoint of `openapi.json` (so a new endpoint is
//! covered as soon as it is documented), with every method, is tried with every
//! device's token of every account against every account's id and an unknown one.
//! A token only ever reaches its own account: another tenant's account gets an answer
//! byte-identical to the one for an account that does not exist, that answer names
//! no other tenant, and no write lands anywhere but in the token's own account.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use daybook_protocol::{DeviceInfo, PushOutcome, PushRequest, PushResponse};
use daybook_server::app;
use futures_util::StreamExt;
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::*;

/// The document's paths with the methods documented for each.
fn spec_endpoints() -> Vec<(String, BTreeSet<Method>)> {
    let spec = crate::openapi::spec();
    let mut out: Vec<(String, BTreeSet<Method>)> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let methods = item
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|m| m.to_ascii_uppercase().parse::<Method>().ok())
            .filter(|m| {
                ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(&m.as_str())
            })
            .collect();
        out.push((path.clone(), methods));
    }
    out
}

/// An answer: status and body (at most the first chunk of a stream).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

async fn call(state: &daybook_server::AppState, req: Request<Body>) -> Answer {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut stream = res.into_body().into_data_stream();
    let mut body = Vec::new();
    if content_type == "text/event-stream" {
        // The live channel never ends: its first event is enough.
        let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("a first event");
        body.extend_from_slice(&first.unwrap().unwrap());
    } else {
        while let Some(chunk) = stream.next().await {
            body.extend_from_slice(&chunk.unwrap());
        }
    }
    Answer {
        status,
        content_type,
        body,
    }
}

struct Tenant {
    id: Uuid,
    name: String,
    devices: Vec<(String, String)>, // (device name, token)
}

/// On both store adapters: on PostgreSQL every tenant shares one database, so this is
/// where a missing account filter would show.
async fn every_endpoint_with_every_token_reaches_only_its_own_account(f: Fixture) {
    let endpoints = spec_endpoints();
    assert!(
        endpoints.len() >= 6 && endpoints.iter().all(|(_, m)| !m.is_empty()),
        "read the spec's paths: {endpoints:?}"
    );
    let state = &f.state;
    let mut tenants = Vec::new();
    for name in ["Northwind", "Contoso", "Initech"] {
        let id = state.create_account(name).await.unwrap();
        let mut devices = Vec::new();
        for d in 1..=2 {
            let device = format!("{name}-device-{d}");
            let token = state.create_token(id, &device).await.unwrap().token;
            devices.push((device, token));
        }
        tenants.push(Tenant {
            id,
            name: name.to_string(),
            devices,
        });
    }
    // Per device: its next device sequence. Per account: the command ids that landed.
    let mut seqs: BTreeMap<String, u64> = BTreeMap::new();
    let mut landed: BTreeMap<Uuid, BTreeSet<Uuid>> = BTreeMap::new();
    // Each tenant has data of its own before anyone tries its account.
    for t in &tenants {
        let (device, token) = &t.devices[0];
        let mut ob = Outbox::new();
        let cmd = ob.cmd(register_product(&format!("{}-FIRST", t.name), 1).1);
        let command_id = cmd.envelope.command_id;
        let r = send(
            state,
            post(
                &commands_uri(t.id),
                Some(token),
                Some("application/json"),
                serde_json::to_vec(&PushRequest {
                    commands: vec![cmd],
                })
                .unwrap(),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        seqs.insert(device.clone(), 1);
        landed.entry(t.id).or_default().insert(command_id);
    }
    let unknown = Uuid::now_v7();
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let request = |method: &Method, uri: &str, token: &str, body: Option<Vec<u8>>| {
        let mut b = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        b.body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap()
    };
    let mut tried = 0;
    for owner in &tenants {
        for (device, token) in &owner.devices {
            for (template, documented) in &endpoints {
                for method in &methods {
                    let targets: Vec<Option<Uuid>> = if template.contains("{account}") {
                        tenants
                            .iter()
                            .map(|t| Some(t.id))
                            .chain([Some(unknown)])
                            .collect()
                    } else {
                        vec![None]
                    };
                    for target in targets {
                        let path = match target {
                            Some(a) => template.replace("{account}", &a.to_string()),
                            None => template.clone(),
                        };
                        let uri = if path.ends_with("/events") {
                            format!("{path}?after=0")
                        } else {
                            path
                        };
                        // A real write, with a fresh command id, on every POST.
                        let seq = seqs.entry(device.clone()).or_insert(0);
                        *seq += 1;
                        let mut ob = Outbox::new();
                        ob.seq = *seq - 1;
                        let cmd = ob.cmd(register_product(&format!("P-{tried}"), 1).1);
                        let command_id = cmd.envelope.command_id;
                        // A push on every POST; an empty report on every PUT.
                        let body = match *method {
                            Method::POST => Some(
                                serde_json::to_vec(&PushRequest {
                                    commands: vec![cmd],
                                })
                                .unwrap(),
                            ),
                            Method::PUT => Some(br#"{"people": []}"#.to_vec()),
                            _ => None,
                        };
                        tried += 1;
                        let answer = call(state, request(method, &uri, token, body.clone())).await;
                        let text = String::from_utf8_lossy(&answer.body).into_owned();
                        let case = format!("{method} {uri} with {device}'s token");

                        // No answer names another tenant.
                        for other in tenants.iter().filter(|t| t.id != owner.id) {
                            assert!(
                                !text.contains(&other.id.to_string())
                                    && !text.contains(&other.name)
                                    && !other.devices.iter().any(|(d, _)| text.contains(d)),
                                "{case} leaked {}: {text}",
                                other.name
                            );
                        }
                        let own = target.is_none_or(|a| a == owner.id);
                        // Signing in takes a person's login, signing out a person's
                        // session: a device token's request there is refused (4xx),
                        // naming no one (checked above).
                        let person_only = template.starts_with("/v1/sessions");
                        if person_only && documented.contains(method) {
                            assert!(answer.status.is_client_error(), "{case}: {text}");
                        } else if own && documented.contains(method) {
                            assert!(answer.status.is_success(), "{case}: {text}");
                            if let Some(a) = target
                                && method == Method::POST
                            {
                                let res: PushResponse = serde_json::from_slice(&answer.body)
                                    .unwrap_or_else(|e| panic!("{case}: {e}"));
                                assert!(
                                    matches!(res.results[0].outcome, PushOutcome::Accepted { .. }),
                                    "{case}: {text}"
                                );
                                landed.entry(a).or_default().insert(command_id);
                            }
                            if template == "/v1/me" {
                                let me: DeviceInfo = serde_json::from_slice(&answer.body).unwrap();
                                assert_eq!(me.account_id, owner.id, "{case}");
                                assert_eq!(&me.device_name, device, "{case}");
                            }
                        } else if let Some(a) = target
                            && a != owner.id
                        {
                            // Another tenant's account: the very answer of no account.
                            let uri_unknown = uri.replace(&a.to_string(), &unknown.to_string());
                            let none =
                                call(state, request(method, &uri_unknown, token, body)).await;
                            assert_eq!(answer, none, "{case}: differs from an unknown account");
                            assert!(
                                [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED]
                                    .contains(&answer.status),
                                "{case}: {text}"
                            );
                            let code = if answer.status == StatusCode::NOT_FOUND {
                                "not_found"
                            } else {
                                "method_not_allowed"
                            };
                            assert!(text.contains(&format!("\"code\":\"{code}\"")), "{case}");
                        } else {
                            // Undocumented methods, or the unknown account: a 4xx.
                            assert!(answer.status.is_client_error(), "{case}: {text}");
                        }
                    }
                }
            }
        }
    }
    assert!(tried >= 3 * 2 * 6 * 5, "{tried} requests");

    // Each account holds exactly the writes made with its own tokens, and nothing of the
    // fixture's accounts or of each other's.
    for t in &tenants {
        let token = &t.devices[0].1;
        let page: daybook_protocol::PullResponse = send(
            state,
            get(
                &format!("/v1/accounts/{}/events?after=0&limit=5000", t.id),
                Some(token),
            ),
        )
        .await
        .json();
        let got: BTreeSet<Uuid> = page.events.iter().map(|e| e.command_id).collect();
        let want = landed.get(&t.id).cloned().unwrap_or_default();
        assert!(!want.is_empty(), "{} had writes", t.name);
        assert_eq!(got, want, "{}'s log holds exactly its own writes", t.name);
        assert!(
            page.events
                .iter()
                .all(|e| t.devices.iter().any(|(d, _)| *d == e.device)),
            "{}'s events were all made by its own devices",
            t.name
        );
    }
    // The fixture's accounts, never addressed, are untouched.
    for (account, token) in [(f.account, &f.token), (f.other_account, &f.other_token)] {
        let r = send(state, get(&events_uri(account, 0, 10), Some(token))).await;
        assert_eq!(r.json::<daybook_protocol::PullResponse>().head, 0);
    }
}

contract!(every_endpoint_with_every_token_reaches_only_its_own_account);
