// Drafts end to end in the real window: picking a customer for a new order writes
// nothing (leaving then leaves no draft); the order is recorded with its first line,
// delivering to the customer's first address; a draft goes to another customer from
// its screen; and a draft is discarded by keyboard after a confirmation: it leaves the
// order list, its history stays readable.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WAIT, launch, byId, allById, waitFocus, waitCell, type, enter, createCustomer, createProduct, addLine } from "./lib.mjs";

describe("drafts, end to end", () => {
  let b;
  let number;

  before(async () => {
    b = await launch("drafts");
  });

  after(async () => {
    await b?.deleteSession();
  });

  /** Waits until the order list counts `n` orders. */
  async function listed(n) {
    await (await byId(b, "nav-orders")).click();
    await byId(b, "orders-grid");
    await waitCell(b, '[data-testid="orders-grid"]', "aria-rowcount", String(n + 1));
  }

  it("writes nothing until the first line, then records the order with it", async () => {
    await createCustomer(b, "Molen de Hoop");
    await createCustomer(b, "Bakkerij Visser");
    await createProduct(b, { code: "MEEL", description: "Flour 25 kg", price: "18.50" });

    await (await byId(b, "nav-new-order")).click();
    await waitFocus(b, "order-customer-input");
    await type(b, "Molen");
    await byId(b, "customer-option");
    await enter(b);
    await byId(b, "new-order-draft");
    await waitFocus(b, "line-product-input");
    // Leave before the first line: no draft.
    await listed(0);

    await (await byId(b, "nav-new-order")).click();
    await waitFocus(b, "order-customer-input");
    await type(b, "Molen");
    await byId(b, "customer-option");
    await enter(b);
    await byId(b, "new-order-draft");
    await addLine(b, "MEEL", "3", 1);
    await byId(b, "order-screen");
    await waitFocus(b, "line-product-input");
    number = (await (await byId(b, "order-number")).getText()).trim();
    assert.match(await (await byId(b, "order-customer")).getText(), /Molen de Hoop/);
    await listed(1);
  });

  it("gives the draft to another customer from its screen", async () => {
    await (await byId(b, "order-row", `[data-number="${number}"]`)).doubleClick();
    await byId(b, "order-status", '[data-status="draft"]');
    await (await byId(b, "order-change-customer")).click();
    await waitFocus(b, "change-customer-input");
    await type(b, "Visser");
    await byId(b, "customer-option");
    await enter(b);
    await b.waitUntil(async () => /Bakkerij Visser/.test(await (await byId(b, "order-customer")).getText()), {
      timeout: WAIT,
      timeoutMsg: "the order's customer did not change",
    });
    assert.equal((await allById(b, "change-customer-form")).length, 0);
  });

  it("discards the draft by keyboard after a confirmation: it leaves the list, its history stays", async () => {
    const discard = await byId(b, "order-discard");
    await discard.click();
    // The confirmation takes the focus; Enter confirms.
    await waitFocus(b, "discard-confirm");
    await enter(b);
    await listed(0);

    // Its history stays readable (the timeline lists it, and its own history).
    await (await byId(b, "nav-timeline")).click();
    await waitCell(b, '[data-testid="timeline-entry"][data-event-type="OrderDiscarded"]', "data-event-type", "OrderDiscarded");
    await waitCell(b, '[data-testid="timeline-entry"][data-event-type="OrderCustomerChanged"]', "data-event-type", "OrderCustomerChanged");
  });
});
