//! One record in detail (`show`): an order, a customer, a product.

use expect_test::expect;

use super::shop_week;

#[test]
fn snapshots_of_an_order() {
    let b = shop_week();
    expect![[r#"
        Order SO-00001  invoiced  EUR
          id           00000000-0000-0000-0000-000000000001
          customer     C-00001 Brouwerij Noord B.V.
          created      2026-03-02 20:00
          placed       2026-03-03 03:00
          delivered    2026-03-03 04:00
          invoiced     2026-03-03 05:00
          invoice no.  1
          reference    PO-2026-031
          deliver to   Warehouse: Havenweg 8, 1041 AB Amsterdam, NL
          notes        Deliver before noon
          revision     10

          #  Code   Description             Qty   Price  Disc  VAT     Net
          1  CHAIR  Ergonomic office chair    2  149.95   10%  21%  269.91
          2  PEN    Ballpoint pen, blue     120    1.25        21%  150.00
          3  TEA    Tea assortment            3    4.50         9%   13.50

          Net                  433.41
          VAT 9% over 13.50      1.22
          VAT 21% over 419.91   88.18
          Gross (EUR)          522.81
    "#]]
    .assert_eq(&b.ok(&["show", "SO-00001"]));
    expect![[r#"
        {
          "order": {
            "id": "00000000-0000-0000-0000-000000000001",
            "number": "SO-00001",
            "customer_id": "00000000-0000-0000-0000-0000000000c1",
            "customer_name": "Brouwerij Noord B.V.",
            "status": "invoiced",
            "currency": "EUR",
            "created_at": "2026-03-02T20:00:00Z",
            "placed_at": "2026-03-03T03:00:00Z",
            "delivered_at": "2026-03-03T04:00:00Z",
            "invoiced_at": "2026-03-03T05:00:00Z",
            "cancelled_at": null,
            "line_count": 3,
            "net": 43341,
            "vat": 8940,
            "gross": 52281,
            "customer_reference": "PO-2026-031",
            "revision": 10,
            "sync_state": "waiting"
          },
          "lines": [
            {
              "line_id": "00000000-0000-0000-0000-000000000011",
              "product_id": "00000000-0000-0000-0000-0000000000b1",
              "code": "CHAIR",
              "description": "Ergonomic office chair",
              "quantity": 2,
              "unit_price": 14995,
              "discount_bp": 1000,
              "vat_class": "standard",
              "vat_rate_bp": 2100,
              "net": 26991
            },
            {
              "line_id": "00000000-0000-0000-0000-000000000012",
              "product_id": "00000000-0000-0000-0000-0000000000b2",
              "code": "PEN",
              "description": "Ballpoint pen, blue",
              "quantity": 120,
              "unit_price": 125,
              "discount_bp": 0,
              "vat_class": "standard",
              "vat_rate_bp": 2100,
              "net": 15000
            },
            {
              "line_id": "00000000-0000-0000-0000-000000000013",
              "product_id": "00000000-0000-0000-0000-0000000000b3",
              "code": "TEA",
              "description": "Tea assortment",
              "quantity": 3,
              "unit_price": 450,
              "discount_bp": 0,
              "vat_class": "reduced",
              "vat_rate_bp": 900,
              "net": 1350
            }
          ],
          "totals": {
            "net": 43341,
            "vat": 8940,
            "gross": 52281,
            "per_rate": [
              {
                "rate_bp": 900,
                "net": 1350,
                "vat": 122
              },
              {
                "rate_bp": 2100,
                "net": 41991,
                "vat": 8818
              }
            ]
          },
          "delivery_address": {
            "id": "00000000-0000-0000-0000-0000000000a2",
            "label": "Warehouse",
            "street": "Havenweg 8",
            "postal_code": "1041 AB",
            "city": "Amsterdam",
            "country": "NL"
          },
          "notes": "Deliver before noon",
          "invoice_number": 1
        }
    "#]]
    .assert_eq(&b.ok(&["show", "SO-00001", "--json"]));
}

#[test]
fn snapshots_of_a_customer_and_a_product() {
    let b = shop_week();
    expect![[r#"
        Customer C-00001  Brouwerij Noord B.V.
          id           00000000-0000-0000-0000-0000000000c1
          kind         organisation
          VAT number   NL123456789B01
          e-mail       inkoop@noord.example
          currency     EUR
          limit        5,000.00
          open orders  0.00
          orders       2
          revision     3

          #  Label        Street      Postal code  City       Country  Id
          1  Head office  Damrak 1    1012 LG      Amsterdam  NL       00000000-0000-0000-0000-0000000000a1
          2  Warehouse    Havenweg 8  1041 AB      Amsterdam  NL       00000000-0000-0000-0000-0000000000a2
    "#]].assert_eq(&b.ok(&["show", "C-00001"]));
    expect![[r#"
        {
          "customer": {
            "id": "00000000-0000-0000-0000-0000000000c1",
            "number": "C-00001",
            "kind": "organisation",
            "name": "Brouwerij Noord B.V.",
            "vat_number": "NL123456789B01",
            "email": "inkoop@noord.example",
            "currency": "EUR",
            "spending_limit": 500000,
            "open_total": 0,
            "order_count": 2,
            "blocked": false,
            "revision": 3,
            "city": "Amsterdam"
          },
          "addresses": [
            {
              "id": "00000000-0000-0000-0000-0000000000a1",
              "label": "Head office",
              "street": "Damrak 1",
              "postal_code": "1012 LG",
              "city": "Amsterdam",
              "country": "NL"
            },
            {
              "id": "00000000-0000-0000-0000-0000000000a2",
              "label": "Warehouse",
              "street": "Havenweg 8",
              "postal_code": "1041 AB",
              "city": "Amsterdam",
              "country": "NL"
            }
          ]
        }
    "#]]
    .assert_eq(&b.ok(&["show", "C-00001", "--json"]));
    expect![[r#"
        Product PEN  Ballpoint pen, blue
          id           00000000-0000-0000-0000-0000000000b2
          price        1.35
          VAT          standard (21%)
          revision     2
    "#]]
    .assert_eq(&b.ok(&["show", "PEN"]));
}
