//! The error contract's JSON shape: codes, fields and parameters of domain errors.

use super::*;
use serde_json::json;
use uuid::Uuid;

#[test]
fn domain_errors_have_stable_codes_fields_and_params() {
    let cases = [
        (
            DomainError::NotFound {
                kind: RecordKind::Line,
                id: Uuid::nil(),
            },
            json!({"code": "not_found", "message": "there is no such order line",
                   "field": "line_id", "params": {"kind": "line"}}),
        ),
        (
            DomainError::InvalidDiscount { discount_bp: -1 },
            json!({"code": "invalid_discount",
                   "message": "discount must be between 0% and 100% (got -0.01%)",
                   "field": "discount_bp", "params": {"discount_bp": -1}}),
        ),
        (
            DomainError::TooLong {
                field: "address.city",
                max: 100,
            },
            json!({"code": "too_long", "message": "city is longer than 100 characters",
                   "field": "address.city", "params": {"max": 100}}),
        ),
        (
            DomainError::SpendingLimitExceeded {
                currency: Currency::EUR,
                limit: Money(1),
                open_total: Money(0),
                order_total: Money(2),
            },
            json!({"code": "spending_limit_exceeded",
                   "message": "placing this order (EUR 0.02) would take the customer's \
                               open orders (EUR 0.00) over the spending limit of EUR 0.01",
                   "params": {"currency": "EUR", "limit": 1, "open_total": 0,
                              "order_total": 2}}),
        ),
        (
            DomainError::RoleRequired {
                role: Role::Clerk,
                required: Role::Manager,
                action: "release a held order",
            },
            json!({"code": "role_required",
                   "message": "a clerk may not release a held order; ask a manager or an admin",
                   "params": {"role": "clerk", "required_role": "manager",
                              "value": "release a held order"}}),
        ),
        (
            DomainError::NotHeld {
                status: OrderStatus::Placed,
            },
            json!({"code": "not_held",
                   "message": "the order is placed; only a held order can be released or refused",
                   "params": {"status": "placed"}}),
        ),
        (
            DomainError::EmptyOrder,
            json!({"code": "empty_order",
                   "message": "an order without lines cannot be placed"}),
        ),
    ];
    for (err, expected) in cases {
        let body = ErrorBody::from(&err);
        assert_eq!(serde_json::to_value(&body).expect("json"), expected);
        assert_eq!(
            serde_json::from_value::<ErrorBody>(expected).expect("reads back"),
            body
        );
    }
}

#[test]
fn every_code_has_a_distinct_snake_case_wire_form() {
    let mut seen = std::collections::BTreeSet::new();
    for code in ErrorCode::ALL {
        let text = serde_json::to_value(code).expect("json");
        assert_eq!(text, json!(code.as_str()));
        assert_eq!(ErrorCode::parse(code.as_str()), *code);
        assert!(seen.insert(code.as_str()), "{code} twice");
        assert!(
            code.as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
    }
}

#[test]
fn a_code_from_a_newer_peer_is_read_as_unknown_with_its_message() {
    let body: ErrorBody = serde_json::from_value(json!({
        "code": "brand_new_rule",
        "message": "the server refused it for a new reason",
        "params": {"something_new": 1, "count": 3},
    }))
    .expect("lenient");
    assert_eq!(body.code, ErrorCode::Unknown);
    assert_eq!(body.message, "the server refused it for a new reason");
    assert_eq!(body.params.count, Some(3));
}
