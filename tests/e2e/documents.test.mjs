// Documents and a readable history, end to end in the real window: the company's
// details set on their settings screen (a refusal next to its field), an order entered
// and placed, its confirmation saved as PDF through the file dialog (its test seam) and
// read back with pdftotext, a path the user did not choose refused by the real command,
// then the order's history in words and the order as it was, stepped through by
// keyboard, with its banner and the compare with the current version.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WORK, WAIT, launch, byId, allById, waitFocus, type, enter, centsOf, waitCents, screenshot, settle } from "./lib.mjs";

const COMPANY = {
  name: "Noord Kantoorartikelen BV",
  street: "Keizersgracht 12",
  postal_code: "1015 CJ",
  city: "Amsterdam",
  country: "NL",
  vat_number: "NL859999999B01",
  bank_account: "NL91 ABNA 0417 1643 00",
};
const CUSTOMER = "Brouwerij De Vriendschap";
// PEN 100 x 1.25 = 125.00; PAD 5 x 3.40 = 17.00; both 21 %: VAT 29.82.
const PRODUCTS = [
  { code: "PEN", description: "Ballpoint pen, blue", price: "1.25", quantity: "100" },
  { code: "PAD", description: "Notepad A5", price: "3.40", quantity: "5" },
];
const NET = 14200;
const VAT = 2982;
const GROSS = NET + VAT;

/** The dialog's answer for the next file dialog (run.sh points the seam at this file). */
function answerDialog(path) {
  writeFileSync(join(WORK, "dialog-answer"), path);
}

async function waitText(b, id, re, extra = "") {
  let last = "";
  await b.waitUntil(
    async () => {
      last = await (await byId(b, id, extra)).getText();
      return re.test(last);
    },
    { timeout: WAIT, timeoutMsg: `${id} never matched ${re} (shows ${JSON.stringify(last)})` },
  );
  return last;
}

async function revisionShown(b) {
  return Number(await (await byId(b, "asof-screen")).getAttribute("data-revision"));
}

describe("documents and history, end to end", () => {
  let b;
  let orderNumber;

  before(async () => {
    b = await launch("documents");
  });

  after(async () => {
    await b?.deleteSession();
  });

  it("sets the company's details, a refusal shown next to its field", async () => {
    await (await byId(b, "nav-company")).click();
    for (const [k, v] of Object.entries(COMPANY)) {
      await (await byId(b, `company-${k}`)).setValue(k === "bank_account" ? "NL91-ABNA" : v);
    }
    await (await byId(b, "company-save")).click();
    const err = await byId(b, "error-company_bank_account");
    assert.match(await err.getText(), /Bank account contains a character that is not allowed/);
    assert.equal(await (await byId(b, "company-bank_account")).getAttribute("aria-invalid"), "true");
    assert.equal((await allById(b, "company-saved")).length, 0);

    const iban = await byId(b, "company-bank_account");
    await iban.clearValue();
    await iban.setValue(COMPANY.bank_account);
    await (await byId(b, "company-save")).click();
    await byId(b, "company-saved");
    const preview = await waitText(b, "company-preview", /IBAN NL91 ABNA 0417 1643 00/);
    assert.match(preview, /VAT NL859999999B01/);
    await settle();
    screenshot("company");
  });

  it("enters and places an order", async () => {
    await (await byId(b, "nav-customers")).click();
    await (await byId(b, "customer-new")).click();
    await (await byId(b, "customer-name")).setValue(CUSTOMER);
    await (await byId(b, "customer-save")).click();
    await byId(b, "customer-screen");
    for (const p of PRODUCTS) {
      await (await byId(b, "nav-products")).click();
      await (await byId(b, "product-new")).click();
      await (await byId(b, "product-code")).setValue(p.code);
      await (await byId(b, "product-description")).setValue(p.description);
      await (await byId(b, "product-unit-price")).setValue(p.price);
      await (await byId(b, "product-save")).click();
      await byId(b, "product-row", `[data-code="${p.code}"]`);
    }
    await (await byId(b, "nav-new-order")).click();
    await (await byId(b, "order-customer-input")).click();
    await type(b, "Brouwerij");
    await byId(b, "customer-option");
    await enter(b);
    await byId(b, "order-screen");
    orderNumber = (await (await byId(b, "order-number")).getText()).trim();
    await waitFocus(b, "line-product-input");
    for (const [i, p] of PRODUCTS.entries()) {
      await type(b, p.code);
      await byId(b, "product-option");
      await enter(b);
      await waitFocus(b, "line-quantity-input");
      await type(b, p.quantity);
      await enter(b);
      await waitFocus(b, "line-product-input");
      await b.waitUntil(async () => (await allById(b, "order-line")).length === i + 1, {
        timeout: WAIT,
        timeoutMsg: `line ${i + 1} was not added`,
      });
    }
    await waitCents(b, "order-total-gross", GROSS);
    // A draft has no documents yet.
    assert.equal((await allById(b, "document-actions")).length, 0);
    await (await byId(b, "order-place")).click();
    await byId(b, "order-status", '[data-status="placed"]');
  });

  it("saves the confirmation as PDF where the dialog said, with the order's content", async () => {
    const dest = join(WORK, "chosen", "confirmation.pdf");
    execFileSync("mkdir", ["-p", join(WORK, "chosen")]);
    answerDialog(dest);
    const kind = await byId(b, "document-kind");
    assert.equal(await kind.getValue(), "confirmation");
    await (await byId(b, "document-save")).click();
    await waitText(b, "document-done", new RegExp(`saved as ${dest.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.ok(existsSync(dest), "the chosen file was written");
    const text = execFileSync("pdftotext", ["-layout", dest, "-"], { encoding: "utf8" });
    for (const want of [
      "Order confirmation",
      orderNumber,
      COMPANY.name,
      COMPANY.street,
      "IBAN NL91 ABNA 0417 1643 00",
      CUSTOMER,
      "PEN",
      "Ballpoint pen, blue",
      "PAD",
      "Notepad A5",
      "142.00",
      "29.82",
      "171.82",
      "Page 1 of 1",
    ]) {
      assert.ok(text.includes(want), `the PDF says ${JSON.stringify(want)}:\n${text}`);
    }
    await settle();
    screenshot("order-documents");
  });

  it("refuses to write a PDF at a path nobody chose in the dialog", async () => {
    const orderId = await (await byId(b, "order-screen")).getAttribute("data-order-id");
    const elsewhere = join(WORK, "not-chosen.pdf");
    const answer = await b.executeAsync(
      (id, path, done) => {
        window.__TAURI_INTERNALS__
          .invoke("save_document", { orderId: id, kind: "confirmation", path })
          .then((v) => done({ ok: v }), (e) => done({ err: e }));
      },
      orderId,
      elsewhere,
    );
    assert.equal(answer.err?.code, "file_not_chosen", JSON.stringify(answer));
    assert.ok(!existsSync(elsewhere));
  });

  it("tells the order's history in words", async () => {
    await (await byId(b, "order-history")).click();
    await byId(b, "history-timeline");
    await b.waitUntil(async () => (await allById(b, "history-entry")).length === 4, {
      timeout: WAIT,
      timeoutMsg: "the history does not show 4 events",
    });
    const entries = await allById(b, "history-entry");
    const types = [];
    const titles = [];
    const rows = [];
    for (const e of entries) {
      types.push(await e.getAttribute("data-event-type"));
      titles.push((await (await e.$('[data-testid="history-title"]')).getText()).trim());
      for (const r of await e.$$('[data-testid="history-row"]')) rows.push((await r.getText()).trim());
    }
    assert.deepEqual(types, ["OrderPlaced", "OrderLineAdded", "OrderLineAdded", "OrderCreated"]);
    assert.deepEqual(titles, ["Placed", "Line added", "Line added", "Order created"]);
    assert.ok(rows.some((r) => /^Status: draft → placed on /.test(r)), rows.join("\n"));
    assert.ok(rows.some((r) => r.startsWith("Line 1 · 100 × PEN Ballpoint pen, blue at EUR 1.25")), rows.join("\n"));
    assert.ok(rows.some((r) => r.startsWith("Line 2 · 5 × PAD Notepad A5 at EUR 3.40")), rows.join("\n"));
    assert.ok(rows.some((r) => r.includes(CUSTOMER)), rows.join("\n"));
    // No id, basis point or internal field name anywhere on the screen.
    const all = await (await byId(b, "history-timeline")).getText();
    assert.doesNotMatch(all, /[0-9a-f]{8}-[0-9a-f]{4}|_bp|_id\b/);
    await settle();
    screenshot("history-readable");
  });

  it("steps through the order as it was, by keyboard, and compares with now", async () => {
    const newest = (await allById(b, "history-entry"))[0];
    await (await newest.$('[data-testid="history-view"]')).click();
    await byId(b, "asof-screen");
    assert.equal(await revisionShown(b), 4);
    assert.equal(await (await byId(b, "asof-banner")).getAttribute("data-current"), "true");
    await waitCents(b, "asof-total-gross", GROSS);

    // [ steps back: revision 3 (both lines, still a draft), then 2 (one line).
    await b.keys(["["]);
    await b.waitUntil(async () => (await revisionShown(b)) === 3, { timeout: WAIT, timeoutMsg: "[ did not step back" });
    const banner = await waitText(b, "asof-banner", /not the current version/);
    assert.match(banner, /revision 3 of 4/);
    assert.match(banner, /by \S+/);
    await b.keys(["["]);
    await b.waitUntil(async () => (await revisionShown(b)) === 2, { timeout: WAIT, timeoutMsg: "[ did not step back again" });
    await b.waitUntil(async () => (await allById(b, "asof-line")).length === 1, { timeout: WAIT, timeoutMsg: "revision 2 has one line" });
    await waitCents(b, "asof-total-net", 12500);
    assert.equal(await centsOf(b, "asof-total-gross"), 12500 + 2625);
    // ] steps forward again.
    await b.keys(["]"]);
    await b.waitUntil(async () => (await revisionShown(b)) === 3, { timeout: WAIT, timeoutMsg: "] did not step forward" });
    await b.keys(["["]);
    await b.waitUntil(async () => (await revisionShown(b)) === 2, { timeout: WAIT, timeoutMsg: "[ did not step back" });

    // Compare with the current version: the status and the added line are marked.
    await (await byId(b, "asof-compare")).click();
    await byId(b, "asof-current");
    await b.waitUntil(async () => (await allById(b, "current-line")).length === 2, { timeout: WAIT, timeoutMsg: "the current version has two lines" });
    const marked = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="current-field"][data-changed="true"]')].map((e) => e.getAttribute("data-key")),
    );
    assert.ok(marked.includes("status"), `changed fields: ${marked}`);
    const lines = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="current-line"]')].map((e) => e.getAttribute("data-changed")),
    );
    assert.deepEqual(lines, [null, "added"]);
    assert.equal(await centsOf(b, "current-total-gross"), GROSS);
    await settle();
    screenshot("history-asof-compare");

    // Escape returns to the history.
    await b.keys(["Escape"]);
    await byId(b, "history-timeline");
    assert.equal((await allById(b, "asof-screen")).length, 0);
  });
});
