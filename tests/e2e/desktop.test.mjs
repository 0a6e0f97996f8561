// The desktop on a new user's first day, in the real window: from an empty store, a
// customer and a product from their screens, then another of each created from inside
// a new order (the "Create …" entries), both orders placed, found again by the digits
// of their numbers, their customers and products, and the order list at laptop sizes (1280x800 and
// 1024x700: no sideways scroll, 32 characters of the customer's name; screenshots of
// both in docs/screenshots), and order entry at both sizes (the totals stay in view
// while the 12th line is typed; a long product name is shown whole in the line grid).
// Run by run.sh (`tests/e2e/run.sh --test desktop.test.mjs`).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WAIT, launch, byId, allById, focused, waitFocus, type, enter, waitCell, screenshot, settle, addLine } from "./lib.mjs";

// Longer than 32 characters, so the list must show 32 of them.
const CUSTOMER = "Brouwerij en Distilleerderij De Gouden Molen";
const PRODUCT = { code: "MALT-PILS", description: "Pilsner malt, sack", price: "31.40" };
// Wider than 160 px in the line grid's font.
const LONG = { code: "BARLEY-25", description: "Roasted barley, dark, in a 25 kg paper sack with a liner", price: "12.00" };

/** Where the totals card and the focused field are, against the window. */
function inView(b) {
  return b.execute(() => {
    const totals = document.querySelector('[data-testid="order-totals"]').getBoundingClientRect();
    const el = document.activeElement;
    const f = el.getBoundingClientRect();
    const hit = document.elementFromPoint(f.left + f.width / 2, f.top + f.height / 2);
    return {
      height: window.innerHeight,
      totals: { top: totals.top, bottom: totals.bottom },
      focused: el.getAttribute("data-testid"),
      field: { top: f.top, bottom: f.bottom },
      // The focused field is not under the totals card (or anything else).
      fieldOnTop: hit === el || el.contains(hit),
    };
  });
}

/** Types `text` into the order search and waits until the list shows exactly the
 *  orders numbered `want` (in any order). */
async function searchShows(b, text, want) {
  const search = await byId(b, "orders-search");
  await search.click();
  await waitFocus(b, "orders-search");
  // Escape empties the search, as a person would (WebDriver's clear fires no input
  // event, so the screen would not see it).
  if ((await search.getValue()) !== "") await b.keys(["Escape"]);
  await b.waitUntil(async () => (await search.getValue()) === "", { timeout: WAIT, timeoutMsg: "Escape did not clear the search" });
  await type(b, text);
  assert.equal(await search.getValue(), text, "the search box holds what was typed");
  let last = [];
  try {
    await b.waitUntil(
      async () => {
        last = await b.execute(() =>
          [...document.querySelectorAll('[data-testid="order-row"]')].map((r) => r.getAttribute("data-number")),
        );
        return JSON.stringify([...last].sort()) === JSON.stringify([...want].sort());
      },
      { timeout: WAIT },
    );
  } catch {
    throw new Error(`search ${JSON.stringify(text)}: want ${JSON.stringify(want)}, list shows ${JSON.stringify(last)}`);
  }
}

describe("a new user's first day", () => {
  let b;
  let number;
  let second;

  before(async () => {
    b = await launch("first-day");
  });

  after(async () => {
    await b?.deleteSession();
  });

  it("starts from an empty store that offers the first customer", async () => {
    await (await byId(b, "nav-orders")).click();
    await byId(b, "first-customer");
  });

  it("creates a customer and a product", async () => {
    await (await byId(b, "first-customer")).click();
    await (await byId(b, "customer-name")).setValue(CUSTOMER);
    await (await byId(b, "customer-save")).click();
    assert.match(await (await byId(b, "customer-screen")).getText(), /Gouden Molen/);
    await (await byId(b, "nav-products")).click();
    await (await byId(b, "product-new")).click();
    await (await byId(b, "product-code")).setValue(PRODUCT.code);
    await (await byId(b, "product-description")).setValue(PRODUCT.description);
    await (await byId(b, "product-unit-price")).setValue(PRODUCT.price);
    await (await byId(b, "product-save")).click();
    await byId(b, "product-row", `[data-code="${PRODUCT.code}"]`);
  });

  it("enters and places an order by keyboard", async () => {
    await (await byId(b, "nav-new-order")).click();
    await (await byId(b, "order-customer-input")).click();
    await type(b, "Gouden");
    await byId(b, "customer-option");
    await enter(b);
    await waitFocus(b, "line-product-input");
    await type(b, "MALT");
    await byId(b, "product-option");
    await enter(b);
    await waitFocus(b, "line-quantity-input");
    await type(b, "4");
    await enter(b);
    await b.waitUntil(async () => (await allById(b, "order-line")).length === 1, {
      timeout: WAIT,
      timeoutMsg: "the line was not added",
    });
    // The order was recorded with its first line.
    number = (await (await byId(b, "order-number")).getText()).trim();
    assert.match(number, /^SO-(D\d+-)?\d+$/);
    await (await byId(b, "order-place")).click();
    await byId(b, "order-status", '[data-status="placed"]');
  });

  it("creates a customer and a product from inside a new order, and places it", async () => {
    await (await byId(b, "nav-new-order")).click();
    await waitFocus(b, "order-customer-input");
    await type(b, "Bakkerij Visser");
    // Nobody matches: the dropdown offers to create the customer; Enter opens the form.
    assert.match(await (await byId(b, "customer-create")).getText(), /Create customer “Bakkerij Visser”/);
    await enter(b);
    await waitFocus(b, "quick-customer-name");
    assert.equal(await (await byId(b, "quick-customer-name")).getValue(), "Bakkerij Visser");
    await enter(b);
    // The order starts for the new customer, the focus on its first line.
    await waitFocus(b, "line-product-input");
    await type(b, "ROGGE-5");
    assert.match(await (await byId(b, "product-create")).getText(), /Create product “ROGGE-5”/);
    await enter(b);
    await waitFocus(b, "quick-product-description");
    assert.equal(await (await byId(b, "quick-product-code")).getValue(), "ROGGE-5");
    await type(b, "Rye flour 5 kg");
    await (await byId(b, "quick-product-unit-price")).click();
    await type(b, "8.75");
    await enter(b);
    // Back on the line with the new product chosen, the focus on the quantity.
    await waitFocus(b, "line-quantity-input");
    assert.match(await (await byId(b, "line-product-input")).getValue(), /ROGGE-5/);
    await type(b, "3");
    await enter(b);
    await b.waitUntil(async () => (await allById(b, "order-line")).length === 1, {
      timeout: WAIT,
      timeoutMsg: "the line with the new product was not added",
    });
    second = (await (await byId(b, "order-number")).getText()).trim();
    assert.notEqual(second, number);
    await waitFocus(b, "line-product-input");
    assert.notEqual(await focused(b), "", "the focus is on a field, not the page body");
    await (await byId(b, "order-place")).click();
    await byId(b, "order-status", '[data-status="placed"]');
  });

  it("finds each order by the digits of its number, its customer and its product", async () => {
    await (await byId(b, "nav-orders")).click();
    await byId(b, "order-row", `[data-number="${second}"]`);
    const serial = (n) => /(\d+)$/.exec(n)[1].replace(/^0+/, "");
    await searchShows(b, serial(number), [number]);
    await searchShows(b, `0${serial(number)}`, [number]);
    await searchShows(b, serial(second), [second]);
    await searchShows(b, "gouden", [number]);
    await searchShows(b, "visser", [second]);
    await searchShows(b, "pilsner", [number]);
    await searchShows(b, PRODUCT.code.toLowerCase(), [number]);
    await searchShows(b, "rye", [second]);
    await searchShows(b, "lager", []);
    await byId(b, "orders-empty");
    await searchShows(b, "", [number, second]);
  });

  for (const [width, height] of [
    [1280, 800],
    [1024, 700],
  ]) {
    it(`shows the order list whole at ${width}x${height}`, async () => {
      await b.setWindowSize(width, height);
      await b.waitUntil(async () => (await b.execute(() => window.innerWidth)) === width, {
        timeout: WAIT,
        timeoutMsg: `the window never became ${width} wide`,
      });
      await (await byId(b, "nav-orders")).click();
      const row = `[data-testid="order-row"][data-number="${number}"]`;
      await waitCell(b, `${row} [data-testid="order-row-customer"]`, "textContent", CUSTOMER);
      await settle();
      const fit = await b.execute((n) => {
        const body = document.querySelector('[data-testid="orders-grid"] .grid-body');
        const head = document.querySelector('[data-testid="orders-grid"] .grid-head');
        const name = document.querySelector(`[data-number="${n}"] [data-testid="order-row-customer"]`);
        // The width the first 32 characters of the name take, against the room the
        // cell gives them.
        const range = document.createRange();
        range.setStart(name.firstChild, 0);
        range.setEnd(name.firstChild, 32);
        return {
          scroll: body.scrollWidth,
          client: body.clientWidth,
          headScroll: head.scrollWidth,
          headClient: head.clientWidth,
          page: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          need32: range.getBoundingClientRect().width,
          shown: name.getBoundingClientRect().width,
        };
      }, number);
      assert.ok(fit.scroll <= fit.client, `the list scrolls sideways: ${JSON.stringify(fit)}`);
      assert.ok(fit.headScroll <= fit.headClient, `the header overflows: ${JSON.stringify(fit)}`);
      assert.ok(fit.page <= fit.viewport, `the page scrolls sideways: ${JSON.stringify(fit)}`);
      assert.ok(fit.shown + 0.5 >= fit.need32, `fewer than 32 characters of the name: ${JSON.stringify(fit)}`);
      screenshot(`orders-${width}x${height}`, `${width}x${height}`);
    });
  }
  for (const [width, height] of [
    [1280, 800],
    [1024, 700],
  ]) {
    it(`keeps the totals in view while the 12th line is typed, and product names whole, at ${width}x${height}`, async () => {
      await b.setWindowSize(width, height);
      await b.waitUntil(async () => (await b.execute(() => window.innerWidth)) === width, {
        timeout: WAIT,
        timeoutMsg: `the window never became ${width} wide`,
      });
      await (await byId(b, "nav-new-order")).click();
      await waitFocus(b, "order-customer-input");
      await type(b, "Gouden");
      await byId(b, "customer-option");
      await enter(b);
      await waitFocus(b, "line-product-input");
      if (width === 1280) {
        // The long-named product, created from the line.
        await type(b, LONG.code);
        await byId(b, "product-create");
        await enter(b);
        await waitFocus(b, "quick-product-description");
        await type(b, LONG.description);
        await (await byId(b, "quick-product-unit-price")).click();
        await type(b, LONG.price);
        await enter(b);
        await waitFocus(b, "line-quantity-input");
        await type(b, "2");
        await enter(b);
        await b.waitUntil(async () => (await allById(b, "order-line")).length === 1, { timeout: WAIT, timeoutMsg: "line 1 was not added" });
      } else {
        await addLine(b, LONG.code, "2", 1);
      }
      for (let n = 2; n <= 11; n++) await addLine(b, "MALT", String(n), n);
      // The 12th line, being typed: product chosen, quantity typed.
      await waitFocus(b, "line-product-input");
      await type(b, "MALT");
      await byId(b, "product-option");
      await enter(b);
      await waitFocus(b, "line-quantity-input");
      await type(b, "12");
      await settle(300);
      for (const when of ["typing the 12th line", "after adding it"]) {
        const v = await inView(b);
        const at = `${when} at ${width}x${height}: ${JSON.stringify(v)}`;
        assert.ok(v.totals.top >= 0 && v.totals.bottom <= v.height, `the totals are out of view ${at}`);
        assert.ok(v.field.top >= 0 && v.field.bottom <= v.height, `the focused field is out of view ${at}`);
        assert.ok(v.fieldOnTop, `the focused field is covered ${at}`);
        if (when === "typing the 12th line") {
          assert.equal(v.focused, "line-quantity-input");
          screenshot(`order-entry-${width}x${height}`, `${width}x${height}`);
          await enter(b);
          await b.waitUntil(async () => (await allById(b, "order-line")).length === 12, { timeout: WAIT, timeoutMsg: "line 12 was not added" });
          await waitFocus(b, "line-product-input");
          await settle(300);
        }
      }
      // The long product name is shown whole: nothing of its cell is cut off.
      const cell = await b.execute((description) => {
        const td = [...document.querySelectorAll('[data-testid="order-line"] td:nth-child(2)')].find((c) =>
          c.textContent.includes(description),
        );
        if (!td) return null;
        const r = td.getBoundingClientRect();
        return { width: r.width, scroll: td.scrollWidth, client: td.clientWidth, scrollH: td.scrollHeight, clientH: td.clientHeight };
      }, LONG.description);
      assert.ok(cell, `no line shows "${LONG.description}"`);
      assert.ok(cell.scroll <= cell.client && cell.scrollH <= cell.clientH, `the product name is cut at ${width}x${height}: ${JSON.stringify(cell)}`);
      assert.ok(cell.width > 160, `the product column is ${cell.width} px at ${width}x${height}`);
    });
  }
});
