// Documents and a readable history, end to end in the real window: the company's
// details set on their settings screen (a refusal next to its field), a logo chosen in
// the file dialog (a text file refused first) and shown there, an order entered
// and placed, its confirmation saved as PDF through the file dialog (its test seam) and
// read back with pdftotext, a path the user did not choose refused by the real command,
// "Open" and "E-mail…" handing the PDF to (recording stand-ins of) xdg-open and
// xdg-email, then the order's history in words and the order as it was, stepped through
// by keyboard, with its banner and the compare with the current version; the account's
// timeline in one line per change, a day picked from its chart, a row opening the
// order; and the order cancelled, its confirmation still printed, marked cancelled.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WORK, WAIT, launch, byId, allById, waitFocus, type, enter, centsOf, waitCents, screenshot, settle, pointerClick } from "./lib.mjs";

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
  });

  it("takes a logo from the file dialog, refusing a file that is no image", async () => {
    const notes = join(WORK, "notes.txt");
    writeFileSync(notes, "not an image");
    answerDialog(notes);
    await (await byId(b, "company-logo-choose")).click();
    await waitText(b, "company-logo", /must be a readable PNG or JPEG image/);
    assert.equal((await allById(b, "company-logo-image")).length, 0);

    const logo = join(WORK, "logo.jpg");
    writeFileSync(logo, readFileSync(new URL("../../crates/domain/tests/fixtures/images/logo.jpg", import.meta.url)));
    answerDialog(logo);
    await (await byId(b, "company-logo-choose")).click();
    await waitText(b, "company-logo-info", /JPEG, 120 × 40 px, 1 KB/);
    const img = await byId(b, "company-logo-image");
    assert.ok(await b.execute((el) => el.complete && el.naturalWidth === 120, img), "the logo is drawn on the screen");
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
      // The first line records the order: its own screen opens, the focus on the next line.
      await waitFocus(b, "line-product-input");
    }
    orderNumber = (await (await byId(b, "order-number")).getText()).trim();
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
    const images = execFileSync("pdfimages", ["-list", dest], { encoding: "utf8" }).trim().split("\n").slice(2);
    assert.equal(images.length, 1, `the logo is on the page once:\n${images.join("\n")}`);
    assert.match(images[0], /^\s*1\s+\d+\s+image\s+120\s+40\b/, "page 1, 120 x 40 pixels");
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

  it("opens the PDF in the system's viewer and attaches it to a new mail", async () => {
    // No PDF viewer or mail client runs here: run.sh puts $WORK/bin first on the app's
    // PATH, and these recording stand-ins of xdg-open and xdg-email go there (the app's
    // own code, tauri-plugin-opener's launcher and the spawn of xdg-email, runs for real).
    const opened = join(WORK, "xdg-open.args");
    const mailed = join(WORK, "xdg-email.args");
    const attached = join(WORK, "xdg-email-attachment.pdf");
    const seams = [join(WORK, "bin", "xdg-open"), join(WORK, "bin", "xdg-email")];
    writeFileSync(seams[0], `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
    writeFileSync(
      seams[1],
      `#!/bin/sh\nprev=\nfor a in "$@"; do [ "$prev" = --attach ] && cp "$a" '${attached}'; prev=$a; done\n` +
        `printf '%s\\n' "$@" > '${mailed}.tmp' && mv '${mailed}.tmp' '${mailed}'\n`,
      { mode: 0o755 },
    );
    try {
      await (await byId(b, "document-open")).click();
      const done = await waitText(b, "document-done", /opened from /);
      await b.waitUntil(async () => existsSync(opened), { timeout: WAIT, timeoutMsg: "xdg-open was never called" });
      const openArgs = readFileSync(opened, "utf8").trimEnd().split("\n");
      assert.equal(openArgs.length, 1, `xdg-open got one argument: ${JSON.stringify(openArgs)}`);
      const pdf = openArgs[0];
      assert.ok(pdf.endsWith(`/documents/${orderNumber}-confirmation.pdf`), pdf);
      assert.ok(done.includes(`opened from ${pdf}`), done);
      const shown = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
      for (const want of ["Order confirmation", orderNumber, CUSTOMER, "171.82"]) {
        assert.ok(shown.includes(want), `the opened PDF says ${JSON.stringify(want)}:\n${shown}`);
      }

      await (await byId(b, "document-email")).click();
      await waitText(b, "document-done", /attached to a new mail from /);
      await b.waitUntil(async () => existsSync(mailed), { timeout: WAIT, timeoutMsg: "xdg-email was never called" });
      const mailArgs = readFileSync(mailed, "utf8").trimEnd().split("\n");
      assert.deepEqual(mailArgs, ["--subject", `Order confirmation ${orderNumber}`, "--attach", pdf]);
      // What the mail client was handed is a real PDF of the order, there when it was called.
      assert.ok(readFileSync(attached).subarray(0, 5).equals(Buffer.from("%PDF-")), "the attachment is a PDF");
      const text = execFileSync("pdftotext", ["-layout", attached, "-"], { encoding: "utf8" });
      for (const want of ["Order confirmation", orderNumber, COMPANY.name, CUSTOMER, "PEN", "Notepad A5", "171.82", "Page 1 of 1"]) {
        assert.ok(text.includes(want), `the attached PDF says ${JSON.stringify(want)}:\n${text}`);
      }
    } finally {
      for (const f of seams) rmSync(f, { force: true });
    }
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

  it("tells each change on the account's timeline in one line, filters a day from its bar, opens the record", async () => {
    await (await byId(b, "nav-timeline")).click();
    await byId(b, "timeline-list");
    const what = () =>
      b.execute(() => [...document.querySelectorAll('[data-testid="timeline-what"]')].map((e) => e.textContent.trim()));
    await b.waitUntil(async () => (await what()).length >= 8, { timeout: WAIT, timeoutMsg: "the timeline lists the changes" });
    const lines = await what();
    const all = lines.join("\n");
    assert.match(lines[0], /^Placed · 2 lines, total EUR 171\.82; Status: draft → placed on /, all);
    assert.ok(lines.includes("Line added · Line 2 · 5 × PAD Notepad A5 at EUR 3.40, VAT 21%"), all);
    assert.ok(lines.some((l) => l.startsWith(`Order created · ${orderNumber} for ${CUSTOMER}`)), all);
    assert.ok(lines.some((l) => l.startsWith("Company details changed · Name: – → Noord Kantoorartikelen BV")), all);
    assert.doesNotMatch(await (await byId(b, "timeline-list")).getText(), /[0-9a-f]{8}-[0-9a-f]{4}|_bp|_id\b/);

    // Everything happened today: its bar filters the list to today, and "every day" undoes it.
    const today = new Date().toISOString().slice(0, 10);
    await pointerClick(b, await b.$(".recharts-bar-rectangle path"));
    assert.equal(await (await byId(b, "timeline-day")).getAttribute("data-day"), today);
    const days = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.getAttribute("data-day")),
    );
    assert.deepEqual([...new Set(days)], [today]);
    assert.equal(days.length, lines.length);
    await (await byId(b, "timeline-day-clear")).click();
    await b.waitUntil(async () => (await allById(b, "timeline-day")).length === 0, { timeout: WAIT, timeoutMsg: "the day filter stays" });

    // The newest row opens the order itself.
    const placed = await byId(b, "timeline-entry", '[data-event-type="OrderPlaced"]');
    await (await placed.$('[data-testid="timeline-open"]')).click();
    await byId(b, "order-screen");
    assert.equal((await (await byId(b, "order-number")).getText()).trim(), orderNumber);
  });

  it("still prints a cancelled order's confirmation, marked cancelled, and offers no invoice", async () => {
    await (await byId(b, "order-cancel")).click();
    await (await byId(b, "cancel-reason")).setValue("ordered twice");
    await (await byId(b, "cancel-confirm")).click();
    await byId(b, "order-status", '[data-status="cancelled"]');
    await byId(b, "document-cancelled");
    const kinds = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="document-kind"] option')].map((o) => o.getAttribute("value")),
    );
    assert.deepEqual(kinds, ["confirmation"]);
    const dest = join(WORK, "chosen", "cancelled.pdf");
    answerDialog(dest);
    await (await byId(b, "document-save")).click();
    await waitText(b, "document-done", /saved as .*cancelled\.pdf/);
    const text = execFileSync("pdftotext", ["-layout", dest, "-"], { encoding: "utf8" });
    const today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    for (const want of ["Order confirmation", orderNumber, `CANCELLED on ${today}`, "Ballpoint pen, blue", "171.82", "· cancelled"]) {
      assert.ok(text.includes(want), `the PDF says ${JSON.stringify(want)}:\n${text}`);
    }
  });
});
