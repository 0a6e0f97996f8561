//! The lists: orders, customers and products, as tables and as `--json`.

use expect_test::expect;

use super::shop_week;

#[test]
fn snapshots_of_the_order_list() {
    let b = shop_week();
    expect![[r#"
        Number    Created           Customer              Status     Lines     Net    VAT   Gross  Reference
        SO-00001  2026-03-02 20:00  Brouwerij Noord B.V.  invoiced       3  433.41  89.40  522.81  PO-2026-031
        SO-00002  2026-03-03 07:00  Anna de Vries         placed         1   22.50   2.03   24.53
        SO-00003  2026-03-03 10:00  Brouwerij Noord B.V.  draft          1   13.50   2.84   16.34
        SO-00004  2026-03-03 12:00  Anna de Vries         cancelled      1  149.95  31.49  181.44
        4 of 4 orders
    "#]].assert_eq(&b.ok(&["orders"]));
    expect![[r#"
        Number    Created           Customer              Status    Lines     Net    VAT   Gross  Reference
        SO-00001  2026-03-02 20:00  Brouwerij Noord B.V.  invoiced      3  433.41  89.40  522.81  PO-2026-031
        SO-00002  2026-03-03 07:00  Anna de Vries         placed        1   22.50   2.03   24.53
        2 of 2 orders
    "#]].assert_eq(&b.ok(&[
        "orders",
        "--status",
        "placed,invoiced",
        "--sort",
        "gross",
        "--desc",
    ]));
    expect![[r#"
        {
          "rows": [
            {
              "id": "00000000-0000-0000-0000-000000000002",
              "number": "SO-00002",
              "customer_id": "00000000-0000-0000-0000-0000000000c2",
              "customer_name": "Anna de Vries",
              "status": "placed",
              "currency": "EUR",
              "created_at": "2026-03-03T07:00:00Z",
              "placed_at": "2026-03-03T09:00:00Z",
              "delivered_at": null,
              "invoiced_at": null,
              "cancelled_at": null,
              "line_count": 1,
              "net": 2250,
              "vat": 203,
              "gross": 2453,
              "customer_reference": null,
              "revision": 3,
              "sync_state": "waiting"
            },
            {
              "id": "00000000-0000-0000-0000-000000000004",
              "number": "SO-00004",
              "customer_id": "00000000-0000-0000-0000-0000000000c2",
              "customer_name": "Anna de Vries",
              "status": "cancelled",
              "currency": "EUR",
              "created_at": "2026-03-03T12:00:00Z",
              "placed_at": "2026-03-03T14:00:00Z",
              "delivered_at": null,
              "invoiced_at": null,
              "cancelled_at": "2026-03-03T15:00:00Z",
              "line_count": 1,
              "net": 14995,
              "vat": 3149,
              "gross": 18144,
              "customer_reference": null,
              "revision": 4,
              "sync_state": "waiting"
            }
          ],
          "total": 2
        }
    "#]]
    .assert_eq(&b.ok(&["orders", "--customer", "C-00002", "--json"]));
}

#[test]
fn snapshots_of_the_customer_and_product_lists() {
    let b = shop_week();
    expect![[r#"
        Number   Name                  Kind          E-mail                Orders   Open     Limit
        C-00002  Anna de Vries         person        anna@example.com           2  24.53
        C-00001  Brouwerij Noord B.V.  organisation  inkoop@noord.example       2   0.00  5,000.00
        C-00003  Café Zoë & Co         organisation                             0   0.00            blocked
        3 of 3 customers
    "#]].assert_eq(&b.ok(&["customer", "list"]));
    expect![[r#"
        {
          "rows": [
            {
              "id": "00000000-0000-0000-0000-0000000000c3",
              "number": "C-00003",
              "kind": "organisation",
              "name": "Café Zoë & Co",
              "vat_number": null,
              "email": null,
              "currency": "EUR",
              "spending_limit": null,
              "open_total": 0,
              "order_count": 0,
              "blocked": true,
              "revision": 2,
              "city": null
            }
          ],
          "total": 1
        }
    "#]]
    .assert_eq(&b.ok(&["customer", "list", "--blocked", "--json"]));
    expect![[r#"
        Code   Description              Price  VAT
        CHAIR  Ergonomic office chair  149.95  standard
        LAMP   Desk lamp                39.00  standard  discontinued
        PEN    Ballpoint pen, blue       1.35  standard
        TEA    Tea assortment            4.50  reduced
        4 of 4 products
    "#]]
    .assert_eq(&b.ok(&["product", "list", "--all"]));
    expect![[r#"
        {
          "rows": [
            {
              "id": "00000000-0000-0000-0000-0000000000b3",
              "code": "TEA",
              "description": "Tea assortment",
              "unit_price": 450,
              "vat_class": "reduced",
              "discontinued": false,
              "revision": 1
            }
          ],
          "total": 1
        }
    "#]]
    .assert_eq(&b.ok(&["product", "list", "--search", "tea", "--json"]));
}
