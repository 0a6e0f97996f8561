//! A record's history and the record as it was, the account's timeline, the dashboard
//! and the store's counts.

use expect_test::expect;

use super::shop_week;
use crate::support::Book;

#[test]
fn snapshots_of_a_history() {
    let b = shop_week();
    expect![[r#"
        Order SO-00001 (00000000-0000-0000-0000-000000000001): 10 changes
        #1   2026-03-02 20:00:00 UTC  tester on ci  Order created
              SO-00001 for Brouwerij Noord B.V. (C-00001), in EUR
        #2   2026-03-02 21:00:00 UTC  tester on ci  Line added
              Line 1 · 2 × CHAIR Ergonomic office chair at EUR 149.95, 10% off, VAT 21%
        #3   2026-03-02 22:00:00 UTC  tester on ci  Line added
              Line 2 · 100 × PEN Ballpoint pen, blue at EUR 1.25, VAT 21%
        #4   2026-03-02 23:00:00 UTC  tester on ci  Line added
              Line 3 · 3 × TEA Tea assortment at EUR 4.50, VAT 9%
        #5   2026-03-03 00:00:00 UTC  tester on ci  Line changed
              Line 2 · PEN Ballpoint pen, blue: quantity 100 → 120
        #6   2026-03-03 01:00:00 UTC  tester on ci  Delivery address set
              Warehouse: Havenweg 8, 1041 AB Amsterdam, NL
        #7   2026-03-03 02:00:00 UTC  tester on ci  Details changed
              Reference: – → PO-2026-031
              Notes: – → Deliver before noon
        #8   2026-03-03 03:00:00 UTC  tester on ci  Placed
              3 lines, total EUR 522.81
              Status: draft → placed on 3 Mar 2026 03:00
        #9   2026-03-03 04:00:00 UTC  tester on ci  Delivered
              Status: placed → delivered on 3 Mar 2026 04:00
        #10  2026-03-03 05:00:00 UTC  tester on ci  Invoiced
              Invoice INV-00001
              Status: delivered → invoiced on 3 Mar 2026 05:00
    "#]]
    .assert_eq(&b.ok(&["history", "SO-00001"]));
    expect![[r#"
        {
          "stream_id": "00000000-0000-0000-0000-0000000000b2",
          "stream_type": "Product",
          "entries": [
            {
              "seq": 8,
              "revision": 1,
              "event_id": "019caf47-2000-7000-8000-000000001007",
              "event_type": "ProductRegistered",
              "at": "2026-03-02T16:00:00Z",
              "issued_at": "2026-03-02T16:00:00Z",
              "user": "tester",
              "device": "ci",
              "command_id": "00000000-0000-0000-0000-000000001007",
              "data": {
                "code": "PEN",
                "description": "Ballpoint pen, blue",
                "unit_price": 125,
                "vat_class": "standard"
              },
              "changes": [
                {
                  "path": "code",
                  "old": null,
                  "new": "PEN"
                },
                {
                  "path": "description",
                  "old": null,
                  "new": "Ballpoint pen, blue"
                },
                {
                  "path": "discontinued",
                  "old": null,
                  "new": false
                },
                {
                  "path": "unit_price",
                  "old": null,
                  "new": 125
                },
                {
                  "path": "vat_class",
                  "old": null,
                  "new": "standard"
                }
              ]
            },
            {
              "seq": 22,
              "revision": 2,
              "event_id": "019cb248-2b00-7000-8000-000000001015",
              "event_type": "ProductPriceChanged",
              "at": "2026-03-03T06:00:00Z",
              "issued_at": "2026-03-03T06:00:00Z",
              "user": "tester",
              "device": "ci",
              "command_id": "00000000-0000-0000-0000-000000001015",
              "data": {
                "unit_price": 135
              },
              "changes": [
                {
                  "path": "unit_price",
                  "old": 125,
                  "new": 135
                }
              ]
            }
          ]
        }
    "#]]
    .assert_eq(&b.ok(&["history", "PEN", "--json"]));
    expect![[r#"
        Order SO-00001 as of revision 3
          revision 3 committed 2026-03-02 22:00:00 UTC
        {
          "cancel_reason": null,
          "cancelled_at": null,
          "created_at": "2026-03-02T20:00:00Z",
          "currency": "EUR",
          "customer_id": "00000000-0000-0000-0000-0000000000c1",
          "customer_reference": null,
          "delivered_at": null,
          "delivery_address_id": null,
          "delivery_id": null,
          "invoice_id": null,
          "invoice_number": null,
          "invoiced_at": null,
          "lines": [
            {
              "code": "CHAIR",
              "description": "Ergonomic office chair",
              "discount_bp": 1000,
              "id": "00000000-0000-0000-0000-000000000011",
              "product_id": "00000000-0000-0000-0000-0000000000b1",
              "quantity": 2,
              "unit_price": 14995,
              "vat_class": "standard",
              "vat_rate_bp": 2100
            },
            {
              "code": "PEN",
              "description": "Ballpoint pen, blue",
              "discount_bp": 0,
              "id": "00000000-0000-0000-0000-000000000012",
              "product_id": "00000000-0000-0000-0000-0000000000b2",
              "quantity": 100,
              "unit_price": 125,
              "vat_class": "standard",
              "vat_rate_bp": 2100
            }
          ],
          "notes": null,
          "number": "SO-00001",
          "placed_at": null,
          "status": "draft"
        }
    "#]]
    .assert_eq(&b.ok(&["history", "SO-00001", "--as-of", "3"]));
}

#[test]
fn snapshots_of_the_timeline() {
    let b = shop_week();
    expect![[r#"
        Seq  Committed         User    Device  Record                Rev  What changed
         31  2026-03-03 15:00  tester  ci      SalesOrder  SO-00004    4  Cancelled: Reason: customer changed their mind
         30  2026-03-03 14:00  tester  ci      SalesOrder  SO-00004    3  Placed: 1 line, total EUR 181.44
         29  2026-03-03 13:00  tester  ci      SalesOrder  SO-00004    2  Line added: Line 1 · 1 × CHAIR Ergonomic office chair at EU…
         28  2026-03-03 12:00  tester  ci      SalesOrder  SO-00004    1  Order created: SO-00004 for Anna de Vries (C-00002), in EUR
         27  2026-03-03 11:00  tester  ci      SalesOrder  SO-00003    2  Line added: Line 1 · 10 × PEN Ballpoint pen, blue at EUR 1.…
         26  2026-03-03 10:00  tester  ci      SalesOrder  SO-00003    1  Order created: SO-00003 for Brouwerij Noord B.V. (C-00001),…
         25  2026-03-03 09:00  tester  ci      SalesOrder  SO-00002    3  Placed: 1 line, total EUR 24.53
         24  2026-03-03 08:00  tester  ci      SalesOrder  SO-00002    2  Line added: Line 1 · 5 × TEA Tea assortment at EUR 4.50, VA…
         23  2026-03-03 07:00  tester  ci      SalesOrder  SO-00002    1  Order created: SO-00002 for Anna de Vries (C-00002), in EUR
         22  2026-03-03 06:00  tester  ci      Product     PEN         2  Price changed: Price: 1.25 → 1.35
         21  2026-03-03 05:00  tester  ci      SalesOrder  SO-00001   10  Invoiced: Invoice INV-00001
         20  2026-03-03 04:00  tester  ci      SalesOrder  SO-00001    9  Delivered: Status: placed → delivered on 3 Mar 2026 04:00
        more: --before 20
    "#]]
    .assert_eq(&b.ok(&["timeline", "--limit", "12"]));
    expect![[r#"
        {
          "entries": [
            {
              "seq": 22,
              "stream_id": "00000000-0000-0000-0000-0000000000b2",
              "stream_type": "Product",
              "label": "PEN",
              "revision": 2,
              "event_type": "ProductPriceChanged",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-03T06:00:00Z"
            },
            {
              "seq": 11,
              "stream_id": "00000000-0000-0000-0000-0000000000b4",
              "stream_type": "Product",
              "label": "LAMP",
              "revision": 2,
              "event_type": "ProductDiscontinued",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-02T19:00:00Z"
            },
            {
              "seq": 10,
              "stream_id": "00000000-0000-0000-0000-0000000000b4",
              "stream_type": "Product",
              "label": "LAMP",
              "revision": 1,
              "event_type": "ProductRegistered",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-02T18:00:00Z"
            },
            {
              "seq": 9,
              "stream_id": "00000000-0000-0000-0000-0000000000b3",
              "stream_type": "Product",
              "label": "TEA",
              "revision": 1,
              "event_type": "ProductRegistered",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-02T17:00:00Z"
            },
            {
              "seq": 8,
              "stream_id": "00000000-0000-0000-0000-0000000000b2",
              "stream_type": "Product",
              "label": "PEN",
              "revision": 1,
              "event_type": "ProductRegistered",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-02T16:00:00Z"
            },
            {
              "seq": 7,
              "stream_id": "00000000-0000-0000-0000-0000000000b1",
              "stream_type": "Product",
              "label": "CHAIR",
              "revision": 1,
              "event_type": "ProductRegistered",
              "user": "tester",
              "device": "ci",
              "at": "2026-03-02T15:00:00Z"
            }
          ],
          "next_before": null
        }
    "#]]
    .assert_eq(&b.ok(&["timeline", "--type", "Product", "--json"]));
}

#[test]
fn snapshots_of_the_dashboard_and_the_counts() {
    let b = shop_week();
    let period = ["--from", "2026-03-01", "--to", "2026-03-31"];
    expect![[r#"
        Dashboard 2026-03-01 .. 2026-03-31
          open orders  1 (EUR 24.53)
          drafts       1

        Month    Currency  Orders     Net   Gross
        2026-03  EUR            2  455.91  547.34
        total    EUR            2  455.91  547.34

        Top customers         Orders       Gross
        Brouwerij Noord B.V.       1  EUR 522.81
        Anna de Vries              1   EUR 24.53
    "#]]
    .assert_eq(&b.ok(&[&["dashboard"][..], &period].concat()));
    expect![[r#"
        {
          "days": [
            {
              "day": "2026-03-03",
              "currency": "EUR",
              "orders": 2,
              "net": 45591,
              "gross": 54734
            }
          ],
          "top_customers": [
            {
              "id": "00000000-0000-0000-0000-0000000000c1",
              "name": "Brouwerij Noord B.V.",
              "currency": "EUR",
              "orders": 1,
              "gross": 52281
            },
            {
              "id": "00000000-0000-0000-0000-0000000000c2",
              "name": "Anna de Vries",
              "currency": "EUR",
              "orders": 1,
              "gross": 2453
            }
          ],
          "open_orders": 1,
          "open": [
            {
              "currency": "EUR",
              "count": 1,
              "net": 2250,
              "vat": 203,
              "gross": 2453
            }
          ],
          "drafts": 1
        }
    "#]]
    .assert_eq(&b.ok(&[&["dashboard", "--json"][..], &period].concat()));
    expect![[r#"
        events            31
        records           11
        customers          3
        products           4
        orders             4
        pending sync      31
        checkpoint        31
        database      <size>
        file          <data>/daybook.sqlite3
    "#]]
    .assert_eq(&stats(&b, &["stats"]));
    expect![[r#"
        {
          "events": 31,
          "streams": 11,
          "customers": 3,
          "products": 4,
          "orders": 4,
          "pending_commands": 31,
          "checkpoint": 31,
          "db_bytes": <size>
        }
    "#]]
    .assert_eq(&stats(&b, &["stats", "--json"]));
}

/// `daybook stats` with what differs from run to run left out: the store's path (a
/// temporary folder) and its size in bytes (SQLite's page allocation, not ours).
fn stats(b: &Book, args: &[&str]) -> String {
    let dir = b.dir().display().to_string();
    b.ok(args)
        .lines()
        .map(|l| {
            let l = l.replace(&dir, "<data>");
            match l.trim_start() {
                t if t.starts_with("database ") => "database      <size>".to_string(),
                t if t.starts_with("\"db_bytes\":") => "  \"db_bytes\": <size>".to_string(),
                _ => l,
            }
        })
        .map(|l| l + "\n")
        .collect()
}
