// End-to-end tests of the real Daybook app: the release-shaped binary in a real window
// (Xvfb), driven through WebDriver. Run by run.sh (every *.test.mjs here, one at a
// time); the shared helpers are in lib.mjs. Each test launches the app on a fresh data
// directory (`--data DIR`).

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  WORK,
  WAIT,
  launch,
  byId,
  allById,
  waitFocus,
  type,
  enter,
  tab,
  cents,
  centsOf,
  waitCents,
  waitCell,
  screenshot,
  settle,
  pointerClick,
} from "./lib.mjs";

// The catalogue of the scenario, and the totals the domain's rounding rule gives:
// line net = qty x price x (1 - discount) rounded half up; VAT per rate, rounded once.
const PRODUCTS = [
  { code: "E2E-CHAIR", description: "Office chair, black", price: "129.95", vat: "standard" },
  { code: "E2E-COFFEE", description: "Coffee beans 1 kg", price: "14.99", vat: "reduced" },
  { code: "E2E-BOOK", description: "Bookkeeping handbook", price: "39.50", vat: "zero" },
];
const LINES = [
  { code: "E2E-CHAIR", quantity: "3", discount: "", net: 38985 }, // 3 x 129.95
  { code: "E2E-COFFEE", quantity: "12", discount: "10", net: 16189 }, // 12 x 14.99 x 0.9 = 161.892
  { code: "E2E-BOOK", quantity: "2", discount: "", net: 7900 }, // 2 x 39.50
];
const NET = 38985 + 16189 + 7900; // 63074
const VAT = 8187 + 1457 + 0; // 389.85 x 21% = 81.8685; 161.89 x 9% = 14.5701
const GROSS = NET + VAT; // 72718

describe("order entry, end to end", () => {
  let b;
  let orderNumber;
  let orderId;

  before(async () => {
    b = await launch("order-entry");
  });

  after(async () => {
    await b?.deleteSession();
  });

  it("creates a customer", async () => {
    await (await byId(b, "nav-customers")).click();
    await (await byId(b, "customer-new")).click();
    await (await byId(b, "customer-name")).setValue("Acme Trading BV");
    await (await byId(b, "customer-email")).setValue("orders@acme.example");
    await (await byId(b, "customer-spending-limit")).setValue("5000");
    await (await byId(b, "customer-save")).click();
    const screen = await byId(b, "customer-screen");
    assert.match(await screen.getText(), /Acme Trading BV/);
  });

  it("creates products", async () => {
    for (const p of PRODUCTS) {
      await (await byId(b, "nav-products")).click();
      await (await byId(b, "product-new")).click();
      await (await byId(b, "product-code")).setValue(p.code);
      await (await byId(b, "product-description")).setValue(p.description);
      await (await byId(b, "product-unit-price")).setValue(p.price);
      await (await byId(b, "product-vat-class")).selectByAttribute("value", p.vat);
      await (await byId(b, "product-save")).click();
      await byId(b, "product-row", `[data-code="${p.code}"]`);
    }
  });

  it("enters an order with three lines by keyboard, with live totals", async () => {
    await (await byId(b, "nav-new-order")).click();
    await (await byId(b, "order-customer-input")).click();
    await type(b, "Acme");
    await byId(b, "customer-option");
    await enter(b);
    // Picking the customer writes nothing: the order is recorded with its first line.
    await byId(b, "new-order-draft");
    await waitFocus(b, "line-product-input");

    for (const [i, line] of LINES.entries()) {
      await type(b, line.code);
      await byId(b, "product-option");
      await enter(b);
      await waitFocus(b, "line-quantity-input");
      await type(b, line.quantity);
      if (line.discount !== "") {
        await tab(b);
        await waitFocus(b, "line-price-input");
        await tab(b); // keep the catalogue price
        await waitFocus(b, "line-discount-input");
        await type(b, line.discount);
      }
      // Enter adds the line (on the quantity when price and discount are untouched),
      // back to the product.
      await enter(b);
      await waitFocus(b, "line-product-input");
      await b.waitUntil(async () => (await allById(b, "order-line")).length === i + 1, {
        timeout: WAIT,
        timeoutMsg: `line ${i + 1} was not added`,
      });
    }
    const screen = await byId(b, "order-screen");
    orderId = await screen.getAttribute("data-order-id");
    orderNumber = (await (await byId(b, "order-number")).getText()).trim();
    assert.match(orderNumber, /^SO-\d+/);
    const lines = await allById(b, "order-line");
    assert.equal(lines.length, 3);
    for (const [i, line] of LINES.entries()) {
      const net = await lines[i].$('[data-testid="line-net"]');
      assert.equal(await cents(net), line.net, `net of line ${i + 1}`);
    }
    await waitCents(b, "order-total-gross", GROSS);
    assert.equal(await centsOf(b, "order-total-net"), NET);
    assert.equal(await centsOf(b, "order-total-vat"), VAT);
    await settle();
    screenshot("order-entry");
  });

  it("places the order", async () => {
    await (await byId(b, "order-place")).click();
    await byId(b, "order-status", '[data-status="placed"]');
  });

  it("shows the order in the list with the right totals", async () => {
    await (await byId(b, "nav-orders")).click();
    const row = `[data-testid="order-row"][data-number="${orderNumber}"]`;
    await waitCell(b, `${row} [data-testid="order-row-gross"]`, "data-cents", String(GROSS));
    await waitCell(b, `${row} [data-testid="order-row-net"]`, "data-cents", String(NET));
    await waitCell(b, `${row} [data-testid="order-row-vat"]`, "data-cents", String(VAT));
    await waitCell(b, `${row} [data-testid="order-row-status"]`, "data-status", "placed");
    await waitCell(b, `${row} [data-testid="order-row-customer"]`, "textContent", "Acme Trading BV");
    await waitCents(b, "orders-total-gross", GROSS);
  });

  it("exports the orders to the file chosen in the file dialog (its test seam)", async () => {
    const dest = join(WORK, "chosen-orders.csv");
    writeFileSync(join(WORK, "dialog-answer"), dest);
    await (await byId(b, "nav-data")).click();
    await (await byId(b, "export-orders")).click();
    const done = await byId(b, "data-done");
    await b.waitUntil(async () => (await done.getText()).includes(dest), { timeout: WAIT, timeoutMsg: "no export report" });
    assert.ok(existsSync(dest), "the chosen file was written");
    assert.match(readFileSync(dest, "utf8"), new RegExp(orderNumber));
    // A cancelled dialog writes nothing.
    writeFileSync(join(WORK, "dialog-answer"), "");
    await (await byId(b, "export-lines")).click();
    await b.pause(500);
    assert.equal((await allById(b, "form-error")).length, 0);
    await (await byId(b, "nav-orders")).click();
  });

  it("opens the order's history and sees each change", async () => {
    await (await byId(b, "order-row", `[data-number="${orderNumber}"]`)).doubleClick();
    await byId(b, "order-screen", `[data-order-id="${orderId}"]`);
    await (await byId(b, "order-history")).click();
    await byId(b, "history-timeline");
    await b.waitUntil(async () => (await allById(b, "history-entry")).length === 5, {
      timeout: WAIT,
      timeoutMsg: "the history does not show 5 events",
    });
    const types = [];
    for (const e of await allById(b, "history-entry")) {
      types.push(await e.getAttribute("data-event-type"));
    }
    // Newest first.
    assert.deepEqual(types, [
      "OrderPlaced",
      "OrderLineAdded",
      "OrderLineAdded",
      "OrderLineAdded",
      "OrderCreated",
    ]);
    // In words: the status went from draft to placed.
    const placed = (await allById(b, "history-entry"))[0];
    const placedRows = [];
    for (const r of await placed.$$('[data-testid="history-row"]')) placedRows.push(await r.getText());
    assert.ok(placedRows.some((r) => /Status: draft → placed/.test(r)), placedRows.join("\n"));
    // Each added line tells its quantity and product: "Line 1 · 3 × E2E-CHAIR …".
    const quantities = [];
    for (const e of await allById(b, "history-entry")) {
      if ((await e.getAttribute("data-event-type")) !== "OrderLineAdded") continue;
      const row = (await (await e.$('[data-testid="history-row"]')).getText()).trim();
      const m = /^Line \d+ · (\d+) × (\S+) /.exec(row);
      assert.ok(m, `a line added reads as words: ${row}`);
      quantities.push(`${m[2]} ${m[1]}`);
    }
    assert.deepEqual(quantities.sort(), LINES.map((l) => `${l.code} ${l.quantity}`).sort());
    // The README's picture of the history: in words, as people read it (no field details).
    assert.doesNotMatch(await (await byId(b, "history-timeline")).getText(), /[0-9a-f]{8}-[0-9a-f]{4}|_bp|_id\b/);
    await settle();
    screenshot("history");
    // The raw field changes stay available on request: the status from draft to placed.
    await (await byId(b, "history-fields")).click();
    const status = await byId(b, "history-change", '[data-path="status"]');
    assert.match(await status.getText(), /draft/);
    assert.match(await status.getText(), /placed/);
    assert.match(await (await byId(b, "history-user")).getText(), /\S/);
    await (await byId(b, "history-fields")).click();
  });

  it("refuses quantity 0 next to the field and changes nothing", async () => {
    await (await byId(b, "nav-new-order")).click();
    await (await byId(b, "order-customer-input")).click();
    await type(b, "Acme");
    await byId(b, "customer-option");
    await enter(b);
    await byId(b, "new-order-draft");
    await waitFocus(b, "line-product-input");
    await type(b, "E2E-CHAIR");
    await byId(b, "product-option");
    await enter(b);
    await waitFocus(b, "line-quantity-input");
    await type(b, "0");
    await enter(b);
    const error = await byId(b, "error-quantity");
    assert.match(await error.getText(), /quantity must be greater than 0/i);
    // The message sits with the quantity input, the line stays typed and was not added.
    const qty = await byId(b, "line-quantity-input");
    assert.equal(await qty.getAttribute("aria-invalid"), "true");
    assert.equal(await qty.getValue(), "0");
    assert.equal((await allById(b, "order-line")).length, 0);
    await settle();
    screenshot("bad-input");
    // Nothing was written: the new order is recorded with its first line, so there is
    // no draft, and the placed order is as it was.
    await (await byId(b, "nav-orders")).click();
    const row = `[data-testid="order-row"][data-number="${orderNumber}"]`;
    await waitCell(b, `${row} [data-testid="order-row-gross"]`, "data-cents", String(GROSS));
    await waitCell(b, `${row} [data-testid="order-row-status"]`, "data-status", "placed");
    const count = Number(await (await byId(b, "orders-grid")).getAttribute("aria-rowcount")) - 1;
    assert.equal(count, 1, "no draft was left behind");
  });
});

describe("main screens with demo data", () => {
  let b;

  before(async () => {
    b = await launch("screens", ["--demo", process.env.E2E_DEMO_ORDERS ?? "800"]);
  });

  after(async () => {
    await b?.deleteSession();
  });

  it("shows the order list, an order, its history, customers, products, timeline, dashboard", async () => {
    await byId(b, "order-row");
    const count = Number(await (await byId(b, "orders-grid")).getAttribute("aria-rowcount")) - 1;
    assert.ok(count > 100, `the list shows the demo orders (${count})`);
    await settle(1000);
    screenshot("orders");

    await (await byId(b, "order-row")).doubleClick();
    await byId(b, "order-screen");
    await byId(b, "order-line");
    await settle();
    screenshot("order");

    await (await byId(b, "nav-customers")).click();
    await byId(b, "customer-row");
    await settle();
    screenshot("customers");

    await (await byId(b, "nav-products")).click();
    await byId(b, "product-row");
    await settle();
    screenshot("products");

    await (await byId(b, "nav-timeline")).click();
    await byId(b, "timeline-entry");
    await byId(b, "activity-chart");
    await settle(1000);
    screenshot("timeline");
    // The busiest day's bar: the list shows that day's changes only (fewer than all).
    const listed = (await allById(b, "timeline-entry")).length;
    const busiest = await b.execute(() => {
      const bars = [...document.querySelectorAll(".recharts-bar-rectangle path")];
      const heights = bars.map((g) => g.getBoundingClientRect().height);
      return heights.indexOf(Math.max(...heights));
    });
    await pointerClick(b, (await b.$$(".recharts-bar-rectangle path"))[busiest]);
    const day = await (await byId(b, "timeline-day")).getAttribute("data-day");
    assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
    await b.waitUntil(
      async () => {
        const days = await b.execute(() =>
          [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.getAttribute("data-day")),
        );
        return days.length > 0 && days.every((d) => d === day);
      },
      { timeout: WAIT, timeoutMsg: `the list never showed ${day} only` },
    );
    assert.ok((await allById(b, "timeline-entry")).length <= listed);
    await (await byId(b, "timeline-day-clear")).click();

    await (await byId(b, "nav-dashboard")).click();
    await byId(b, "chart-revenue");
    await settle(1500);
    screenshot("dashboard");

    await (await byId(b, "nav-sync")).click();
    await byId(b, "sync-pending");
    await settle();
    screenshot("sync");
  });
});
