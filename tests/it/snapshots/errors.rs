//! The error contract as the CLI prints it: the `ErrorBody` of a refused command and of
//! input that is no command, in `exec --stream`'s acknowledgements, and the one error
//! line of a refused `exec`.

use chrono::Duration;
use daybook_domain::*;
use daybook_testkit::{Envelopes, add_order_line, create_order, id};
use expect_test::expect;

use super::{ACME, ANNA, CAFE, CHAIR, PEN, SO3, TEA, exec_stream, seen, shop_week, start};

#[test]
fn snapshots_of_refusals_and_bad_input() {
    let b = shop_week();
    // A week after the fixture, with command ids of their own.
    let mut at = Envelopes::new(0x2000, start() + Duration::days(7), Duration::minutes(5));
    let mut line = |c: Command| serde_json::to_string(&at.wrap(c)).unwrap();
    let (so5, so6, so7) = (id(0x05), id(0x06), id(0x07));
    let zero = line(add_order_line(id(SO3), id(0x32), id(PEN), 0).into());
    let lines = [
        // Refused by the domain: a quantity of zero.
        zero.clone(),
        // A blocked customer's order may be entered, not placed.
        line(create_order(so5, "SO-00005", id(CAFE)).into()),
        line(add_order_line(so5, id(0x51), id(TEA), 1).into()),
        line(PlaceOrder { order_id: so5 }.into()),
        // Over the spending limit (5,000.00 with nothing open): held, not refused.
        line(create_order(so6, "SO-00006", id(ACME)).into()),
        line(add_order_line(so6, id(0x61), id(CHAIR), 40).into()),
        line(PlaceOrder { order_id: so6 }.into()),
        // Names a record that does not exist.
        line(PlaceOrder { order_id: id(0x99) }.into()),
        // Not a command at all, and not JSON at all.
        r#"{"type": "ShipEverything"}"#.to_string(),
        "{not json".to_string(),
    ];
    // Accepted, and a replay of it answered from the record.
    let accepted = line(create_order(so7, "SO-00007", id(ANNA)).into());
    let lines = [&lines[..], &[accepted.clone(), accepted]].concat();
    expect![[r#"
        {"command_id":"00000000-0000-0000-0000-000000002000","error":{"code":"invalid_quantity","field":"quantity","message":"quantity must be greater than 0 (got 0)","params":{"quantity":0}},"line":1,"ok":false}
        {"command_id":"00000000-0000-0000-0000-000000002001","duplicate":false,"events":["OrderCreated"],"line":2,"ok":true,"revision":1,"stream_id":"00000000-0000-0000-0000-000000000005"}
        {"command_id":"00000000-0000-0000-0000-000000002002","duplicate":false,"events":["OrderLineAdded"],"line":3,"ok":true,"revision":2,"stream_id":"00000000-0000-0000-0000-000000000005"}
        {"command_id":"00000000-0000-0000-0000-000000002003","error":{"code":"customer_blocked","message":"the customer is blocked and cannot place orders"},"line":4,"ok":false}
        {"command_id":"00000000-0000-0000-0000-000000002004","duplicate":false,"events":["OrderCreated"],"line":5,"ok":true,"revision":1,"stream_id":"00000000-0000-0000-0000-000000000006"}
        {"command_id":"00000000-0000-0000-0000-000000002005","duplicate":false,"events":["OrderLineAdded"],"line":6,"ok":true,"revision":2,"stream_id":"00000000-0000-0000-0000-000000000006"}
        {"command_id":"00000000-0000-0000-0000-000000002006","duplicate":false,"events":["OrderHeld"],"line":7,"ok":true,"revision":3,"stream_id":"00000000-0000-0000-0000-000000000006"}
        {"command_id":"00000000-0000-0000-0000-000000002007","error":{"code":"not_found","field":"order_id","message":"there is no such order","params":{"kind":"order"}},"line":8,"ok":false}
        {"error":{"code":"invalid_input","field":null,"message":"not a command: unknown variant `ShipEverything`, expected one of `RegisterCustomer`, `UpdateCustomer`, `AddCustomerAddress`, `ChangeCustomerAddress`, `RemoveCustomerAddress`, `SetSpendingLimit`, `BlockCustomer`, `UnblockCustomer`, `RegisterProduct`, `UpdateProduct`, `DiscontinueProduct`, `ReinstateProduct`, `CreateOrder`, `ChangeOrderCustomer`, `DiscardOrder`, `AddOrderLine`, `ChangeOrderLine`, `RemoveOrderLine`, `SetDeliveryAddress`, `SetOrderDetails`, `PlaceOrder`, `ReleaseOrder`, `RefuseHeldOrder`, `CancelOrder`, `DeliverOrder`, `InvoiceOrder`, `SetCompanyDetails`, `SetCompanyLogo`"},"line":9,"ok":false}
        {"error":{"code":"invalid_input","field":null,"message":"malformed JSON: key must be a string at line 1 column 2"},"line":10,"ok":false}
        {"command_id":"00000000-0000-0000-0000-000000002008","duplicate":false,"events":["OrderCreated"],"line":11,"ok":true,"revision":1,"stream_id":"00000000-0000-0000-0000-000000000007"}
        {"command_id":"00000000-0000-0000-0000-000000002008","duplicate":true,"events":[],"line":12,"ok":true,"revision":1,"stream_id":"00000000-0000-0000-0000-000000000007"}
    "#]].assert_eq(&exec_stream(&b, &lines));
    expect![[r#"
        exit 1
        error: quantity: quantity must be greater than 0 (got 0)
    "#]]
    .assert_eq(&seen(&b, &["exec", &zero, "--json"]));
    expect![[r#"
        exit 2
        error: malformed JSON: key must be a string at line 1 column 2
    "#]]
    .assert_eq(&seen(&b, &["exec", "{not json", "--json"]));
    expect![[r#"
        exit 2
        error: unknown record: no order number, customer number, product code or id 'SO-99999'
    "#]]
    .assert_eq(&seen(&b, &["show", "SO-99999", "--json"]));
}
