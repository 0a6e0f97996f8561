//! Row 11: an order's invoice as PDF (`daybook_documents::print`: the order, customer
//! and company folded as of the invoice, laid out and rendered), for an order long
//! enough to fill three pages. No bare-SQLite side: the work is the layout and PDF.

use anyhow::{Result, ensure};
use daybook_app::{Daybook, OpenOptions};
use daybook_documents::DocumentKind;
use daybook_domain::{
    AddCustomerAddress, Command, DeliverOrder, InvoiceOrder, Money, OrderId, PlaceOrder,
};
use daybook_testkit::{
    add_order_line, address, create_order, id, register_customer, register_product,
    set_company_details,
};

use crate::harness::{Figure, Latencies, Row, Target, timed};

/// Lines of the order: three pages of the invoice.
const LINES: u128 = 120;

pub(crate) fn row(samples: usize) -> Result<Row> {
    progress!("documents: a 3-page invoice");
    let mut db = Daybook::open_in_memory(OpenOptions::default())?;
    let order: OrderId = id(0x0D);
    let mut cmds: Vec<Command> = vec![
        set_company_details("Daybook Trading BV").into(),
        register_customer(id(0xC1), "C-00001", "Brouwerij Noord B.V.").into(),
        AddCustomerAddress {
            customer_id: id(0xC1),
            address_id: id(0xA1),
            address: address("Head office"),
        }
        .into(),
        register_product(id(0xB1), "PEN", "Ballpoint pen, blue", Money(125)).into(),
        create_order(order, "SO-00001", id(0xC1)).into(),
    ];
    for i in 0..LINES {
        cmds.push(add_order_line(order, id(0x1_0000 + i), id(0xB1), (i + 1) as i64).into());
    }
    cmds.push(PlaceOrder { order_id: order }.into());
    cmds.push(
        DeliverOrder {
            order_id: order,
            delivery_id: id(0xD1),
        }
        .into(),
    );
    cmds.push(
        InvoiceOrder {
            order_id: order,
            invoice_id: id(0xE1),
        }
        .into(),
    );
    for c in cmds {
        db.execute(c)?;
    }
    let mut lat = Latencies::default();
    let mut pages = 0;
    for i in 0..samples + 3 {
        let (d, (_, rendered)) = timed(|| {
            Ok(daybook_documents::print(
                &db.read(),
                order.0,
                DocumentKind::Invoice,
            )?)
        })?;
        pages = rendered.pages;
        if i >= 3 {
            lat.push(d);
        }
    }
    ensure!(pages == 3, "the invoice has {pages} pages, not 3");
    Ok(Row {
        id: "11".into(),
        operation: format!(
            "Invoice as PDF, {LINES} lines on 3 pages (`daybook_documents::print`: as-of \
             reads, layout, fonts subset, PDF)"
        ),
        daybook: Figure::Latency(lat.median()),
        bare: None,
        target: Target::LatencyBelow(0.2),
    })
}
