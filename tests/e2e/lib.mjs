// What every end-to-end test file shares: launching the real app in the real window
// (Xvfb) through WebDriver (tauri-driver -> WebKitWebDriver), finding elements by the
// data-testids of ui/TESTIDS.md, typing as a person would, screenshots. run.sh provides
// E2E_APP, E2E_PORT, E2E_DISPLAY, E2E_WORK and E2E_SCREENSHOTS.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

export const APP = process.env.E2E_APP;
export const PORT = Number(process.env.E2E_PORT);
export const DISPLAY = process.env.E2E_DISPLAY;
export const WORK = process.env.E2E_WORK;
export const SHOTS = process.env.E2E_SCREENSHOTS;
export const WAIT = 20_000;

if (!APP || !PORT || !DISPLAY || !WORK) {
  throw new Error("run the e2e suite through tests/e2e/run.sh");
}

/** Starts the app on a fresh data directory; returns the WebDriver session. */
export async function launch(name, extraArgs = []) {
  const data = mkdtempSync(join(WORK, `${name}-`));
  const browser = await remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "warn",
    connectionRetryTimeout: 180_000,
    connectionRetryCount: 0,
    capabilities: {
      "tauri:options": { application: APP, args: ["--data", data, ...extraArgs] },
      "wdio:enforceWebDriverClassic": true,
    },
  });
  try {
    // The first paint waits for the app to start (and to load demo data, if asked).
    await (await browser.$('[data-testid="nav-orders"]')).waitForDisplayed({
      timeout: 120_000,
      timeoutMsg: "the app's window never showed its navigation",
    });
  } catch (e) {
    failureShot(`launch-${name}`);
    await browser.deleteSession().catch(() => {});
    throw e;
  }
  return browser;
}

/** The element with this data-testid (plus an optional attribute selector), once shown. */
export async function byId(b, id, extra = "") {
  const el = await b.$(`[data-testid="${id}"]${extra}`);
  try {
    await el.waitForDisplayed({ timeout: WAIT, timeoutMsg: `[data-testid="${id}"]${extra} not shown` });
  } catch (e) {
    failureShot(`missing-${id}`);
    throw e;
  }
  return el;
}

let failures = 0;

/** On a failure, a picture of the screen next to the logs (E2E_KEEP=1 keeps them). */
export function failureShot(what) {
  try {
    const file = join(WORK, `failure-${++failures}-${what}.png`);
    execFileSync("import", ["-window", "root", file], { env: { ...process.env, DISPLAY }, timeout: 30_000 });
    console.error(`e2e: screenshot of the failure: ${file}`);
  } catch {
    // The screenshot is a diagnostic only.
  }
}

/** Every element with this data-testid. */
export async function allById(b, id) {
  return b.$$(`[data-testid="${id}"]`);
}

/** The data-testid of the focused element. */
export async function focused(b) {
  return b.execute(() => document.activeElement?.getAttribute("data-testid") ?? "");
}

/** Waits until `id` has the focus: proves the keyboard flow moved on by itself. */
export async function waitFocus(b, id) {
  try {
    await b.waitUntil(async () => (await focused(b)) === id, { timeout: WAIT });
  } catch {
    failureShot(`focus-${id}`);
    throw new Error(`focus never reached ${id} (it is on ${await focused(b)})`);
  }
}

/** Types into whatever has the focus, as a person at the keyboard would. (Element Send
 *  Keys on the focused element: WebKitWebDriver's key actions drop a repeated key.) */
export async function type(b, text) {
  if (text === "") return;
  const active = await b.getActiveElement();
  const id = active["element-6066-11e4-a52e-4f735466cecf"] ?? active.ELEMENT;
  await b.elementSendKeys(id, text);
}

export async function enter(b) {
  await b.keys(["Enter"]);
}

export async function tab(b) {
  await b.keys(["Tab"]);
}

/** The exact amount in cents of a money element (`data-cents`). */
export async function cents(el) {
  return Number(await el.getAttribute("data-cents"));
}

export async function centsOf(b, id, extra = "") {
  return cents(await byId(b, id, extra));
}

/** Waits until a money element shows `want` cents. */
export async function waitCents(b, id, want) {
  await b.waitUntil(async () => (await centsOf(b, id)) === want, {
    timeout: WAIT,
    timeoutMsg: `${id} never showed ${want} cents (shows ${await centsOf(b, id)})`,
  });
}

/** Waits until the element at `selector` has `attr` (or its text, for "textContent")
 *  equal to `want`: list rows are re-rendered as queries refetch, so poll by selector. */
export async function waitCell(b, selector, attr, want) {
  let last;
  try {
    await b.waitUntil(
      async () => {
        last = await b.execute(
          (sel, a) => {
            const el = document.querySelector(sel);
            if (!el) return null;
            return a === "textContent" ? el.textContent.trim() : el.getAttribute(a);
          },
          selector,
          attr,
        );
        return last === want;
      },
      { timeout: WAIT },
    );
  } catch {
    failureShot("cell");
    throw new Error(`${selector} ${attr}: want ${JSON.stringify(want)}, have ${JSON.stringify(last)}`);
  }
}

/** A screenshot of the whole display (WebDriver screenshots hang with WebKitWebDriver),
 *  or of its top left `crop` ("1024x700") when the window is smaller than the display. */
export function screenshot(name, crop) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const region = crop ? ["-crop", `${crop}+0+0`, "+repage"] : [];
  execFileSync("import", ["-window", "root", ...region, join(SHOTS, `${name}.png`)], {
    env: { ...process.env, DISPLAY },
    timeout: 30_000,
  });
}

/** Lets the UI settle (animations, a refetch after `daybook://changed`) before a screenshot. */
export const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));


/** Clicks an element with the pointer at its centre (WebDriver actions): for SVG shapes
 *  such as a chart's bar, which Element Click refuses as "not interactable". */
export async function pointerClick(b, el) {
  await b.action("pointer").move({ origin: el }).down({ button: 0 }).up({ button: 0 }).perform();
}

/** Creates a customer on the Customers screen, with a spending limit when given. */
export async function createCustomer(b, name, limit) {
  await (await byId(b, "nav-customers")).click();
  await (await byId(b, "customer-new")).click();
  await (await byId(b, "customer-name")).setValue(name);
  if (limit !== undefined) await (await byId(b, "customer-spending-limit")).setValue(limit);
  await (await byId(b, "customer-save")).click();
  await byId(b, "customer-screen");
}

/** Creates a product on the Products screen. */
export async function createProduct(b, { code, description, price }) {
  await (await byId(b, "nav-products")).click();
  await (await byId(b, "product-new")).click();
  await (await byId(b, "product-code")).setValue(code);
  await (await byId(b, "product-description")).setValue(description);
  await (await byId(b, "product-unit-price")).setValue(price);
  await (await byId(b, "product-save")).click();
  await byId(b, "product-row", `[data-code="${code}"]`);
}

/** A new order for the customer `search` finds, with one line (`code` x `quantity`,
 *  typed as a person would); returns the order's number. */
export async function enterOrder(b, search, code, quantity) {
  await (await byId(b, "nav-new-order")).click();
  await (await byId(b, "order-customer-input")).click();
  await type(b, search);
  await byId(b, "customer-option");
  await enter(b);
  // Picking writes nothing: the order is recorded with its first line.
  await byId(b, "new-order-draft");
  await addLine(b, code, quantity, 1);
  await waitFocus(b, "line-product-input");
  return (await (await byId(b, "order-number")).getText()).trim();
}

/** Adds a line by keyboard from the new line's product field: code, Enter, quantity,
 *  Enter; waits until the order has `count` lines. */
export async function addLine(b, code, quantity, count) {
  await waitFocus(b, "line-product-input");
  await type(b, code);
  await byId(b, "product-option");
  await enter(b);
  await waitFocus(b, "line-quantity-input");
  await type(b, quantity);
  await enter(b);
  await b.waitUntil(async () => (await allById(b, "order-line")).length === count, {
    timeout: WAIT,
    timeoutMsg: `line ${count} was not added`,
  });
}
