//! The API description (OpenAPI 3.1), generated: the schemas come from the wire types
//! (`utoipa::ToSchema`, derived under the `openapi` feature of `daybook-protocol` and
//! `daybook-domain`), the operations from the handlers' `#[utoipa::path]`. The
//! committed `crates/server/openapi.json` is [`document_json`]'s output; a test fails
//! when it is stale (`UPDATE_EXPECT=1 cargo test -p daybook-server openapi` refreshes
//! it), and `make api-check` runs a property-based tester (schemathesis) with it
//! against a real server.
//!
//! **Architecture Invariant:** the document is never edited by hand, and it says no
//! more than the server does: every schema is as strict as the server's parsing
//! (`additionalProperties: false` wherever serde denies unknown fields, the bounds
//! of every integer), so the tester's valid requests are accepted and its invalid
//! ones refused.

use utoipa::openapi::content::Content;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Ref, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToResponse, ToSchema};

use daybook_protocol::{ErrorBody, LiveHead};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Daybook sync server",
        version = "1",
        description = include_str!("../doc/api.md"),
    ),
    servers((url = "http://127.0.0.1:8787")),
    paths(
        routes::healthz,
        routes::readyz,
        routes::me,
        crate::sessions::sign_in,
        crate::sessions::sign_out,
        routes::push,
        routes::pull,
        routes::live,
        routes::people,
        routes::report_waiting,
    ),
    components(
        schemas(LiveHead),
        responses(
            BadRequest,
            Unauthorized,
            NotFound,
            RequestTimeout,
            TooLarge,
            UnsupportedMediaType,
            Unprocessable,
            RateLimited,
            Internal,
            Unavailable,
        ),
    ),
    tags(
        (name = "health", description = "Whether the server runs and its store answers"),
        (name = "sync", description = "Devices push commands and pull events"),
        (name = "people", description = "People sign in on devices and out again"),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
struct ApiDoc;

/// The API description.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The API description as committed (`crates/server/openapi.json`): pretty JSON with a
/// final newline.
pub fn document_json() -> String {
    // A document of plain maps and strings always serialises.
    let mut json = serde_json::to_string_pretty(&document()).unwrap_or_default();
    json.push('\n');
    json
}

/// The `bearer` security scheme: a device token.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some(
            "A service device's token, `dbk_...`, made by `daybook-server token create`, \
                  or a person's session token, `dbs_...`, from `POST /v1/sessions`"
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// One event of the live channel, as a server-sent-events parser reads it:
/// `event: head`, `id:` the head, `data:` a [`LiveHead`] as JSON.
pub(crate) struct LiveEvent;

impl PartialSchema for LiveEvent {
    fn schema() -> RefOr<Schema> {
        let data = ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/json")
            .content_schema(Some(Ref::from_schema_name(LiveHead::name())));
        let id = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^(0|[1-9][0-9]*)$"))
            .description(Some("The head, as in `data`"));
        let event = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["head"]));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("event", event)
            .property("id", id)
            .property("data", data)
            .required("event")
            .required("id")
            .required("data")
            .into()
    }
}

impl ToSchema for LiveEvent {}

/// An error answer: `description`, an [`ErrorBody`], and the headers that come with it.
fn error_response(description: &str, headers: &[(&str, &str)]) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name(ErrorBody::name()))),
    );
    for (name, what) in headers {
        let schema = if *name == "Retry-After" {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
        } else {
            ObjectBuilder::new().schema_type(Type::String)
        };
        let mut header = Header::new(schema);
        header.description = Some((*what).into());
        response = response.header(*name, header);
    }
    response.build().into()
}

/// Declares error responses shared by several operations (`components.responses`).
macro_rules! error_responses {
    ($($name:ident: $description:literal $(, $header:literal = $what:literal)*;)*) => {$(
        #[doc = $description]
        pub(crate) struct $name;

        impl<'s> ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<Response>) {
                (stringify!($name), error_response($description, &[$(($header, $what)),*]))
            }
        }
    )*};
}

error_responses! {
    BadRequest: "The body is not JSON (`malformed_json`).";
    Unauthorized: "No, an unknown or a revoked token (`unauthorized`).",
        "WWW-Authenticate" = "`Bearer`";
    NotFound: "Not the token's account, no such account, or no such route (`not_found`).";
    RequestTimeout: "The body did not arrive within the server's body read timeout (30 s \
        by default; `request_timeout`); nothing was applied.";
    TooLarge: "The body is larger than 8 MiB (`payload_too_large`, `params.max_bytes`).";
    UnsupportedMediaType: "The content type is not `application/json` \
        (`unsupported_media_type`).";
    Unprocessable: "JSON of the wrong shape (`invalid_body`: unknown field, wrong type, \
        missing field, unknown command type), or a push breaking a protocol rule \
        (`invalid_input`, with `field`: device sequences not strictly increasing). \
        Nothing was applied.";
    RateLimited: "Too many requests for this token (`rate_limited`).",
        "Retry-After" = "Seconds to wait";
    Internal: "A server failure (`internal`); nothing was saved. Details are in the \
        server's log.";
    Unavailable: "Busy (`unavailable`); nothing was saved; retry after `Retry-After` \
        seconds.",
        "Retry-After" = "Seconds to wait";
}
