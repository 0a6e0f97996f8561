// Held orders end to end in the real window: an order placed over its customer's
// spending limit is held (its status, the order screen's notice, the sidebar's count),
// waits under Approvals with its amount, open total and limit, and is released there by
// keyboard (it is placed); a second one is refused with a reason (a draft again, the
// reason in its history). The store's own owner has every role, as a store that was never
// connected to a server does.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WAIT, launch, byId, allById, waitFocus, waitCell, type, enter, screenshot, settle, createCustomer, createProduct, enterOrder } from "./lib.mjs";

describe("held orders and approvals, end to end", () => {
  let b;
  const numbers = [];

  before(async () => {
    b = await launch("approvals");
  });

  after(async () => {
    await b?.deleteSession();
  });

  /** Presses keys on the page itself (the approvals screen's shortcuts). */
  async function keys(...k) {
    await b.keys(k);
  }

  it("holds an order placed over the customer's spending limit", async () => {
    await createCustomer(b, "Kantoor Noord BV", "100");
    await createProduct(b, { code: "DESK", description: "Standing desk", price: "450" });
    for (let i = 0; i < 2; i++) {
      numbers.push(await enterOrder(b, "Kantoor", "DESK", "1"));
      await (await byId(b, "order-place")).click();
      await byId(b, "order-status", '[data-status="held"]');
      const notice = await byId(b, "held-notice");
      assert.match(await notice.getText(), /Held for a manager/);
      assert.match(await notice.getText(), /over the spending limit of/);
    }
    const count = await byId(b, "approvals-count");
    await b.waitUntil(async () => (await count.getText()).trim() === "2", { timeout: WAIT, timeoutMsg: "the sidebar does not count 2 waiting" });
  });

  it("releases the first from the approvals screen by keyboard and refuses the second with a reason", async () => {
    await (await byId(b, "nav-approvals")).click();
    await byId(b, "approvals-screen");
    await b.waitUntil(async () => (await allById(b, "approval-row")).length === 2, { timeout: WAIT, timeoutMsg: "two held orders are not listed" });
    const first = (await allById(b, "approval-row"))[0];
    assert.equal(await first.getAttribute("data-number"), numbers[0]);
    assert.match(await first.getText(), /Kantoor Noord BV/);
    await settle();
    screenshot("approvals");

    // Body focus: the screen's own keys.
    await b.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await keys("r");
    const done = await byId(b, "approvals-done");
    await b.waitUntil(async () => (await done.getText()).includes(`${numbers[0]} released`), { timeout: WAIT, timeoutMsg: "the release was not confirmed" });
    await b.waitUntil(async () => (await allById(b, "approval-row")).length === 1, { timeout: WAIT, timeoutMsg: "the released order still waits" });

    await keys("f");
    await waitFocus(b, "refuse-reason");
    await type(b, "Ask for a prepayment");
    await enter(b);
    await byId(b, "approvals-empty");
    assert.equal((await allById(b, "approvals-count")).length, 0, "the sidebar counts none");
  });

  it("shows the released order placed and the refused one a draft, with the reason in its history", async () => {
    await (await byId(b, "nav-orders")).click();
    const row = (n) => `[data-testid="order-row"][data-number="${n}"]`;
    await waitCell(b, `${row(numbers[0])} [data-testid="order-row-status"]`, "data-status", "placed");
    await waitCell(b, `${row(numbers[1])} [data-testid="order-row-status"]`, "data-status", "draft");
    await (await byId(b, "order-row", `[data-number="${numbers[1]}"]`)).doubleClick();
    await byId(b, "order-status", '[data-status="draft"]');
    await (await byId(b, "order-history")).click();
    await byId(b, "history-timeline");
    let titles = "";
    await b.waitUntil(
      async () => {
        const texts = [];
        for (const e of await allById(b, "history-entry")) texts.push(await e.getText());
        titles = texts.join("\n");
        return /Ask for a prepayment/.test(titles);
      },
      { timeout: WAIT, timeoutMsg: `the refusal's reason is not in the history:\n${titles}` },
    );
    assert.match(titles, /Held/);
  });
});
