// People end to end: a real `daybook-server` with a manager and a clerk, and the real
// app signing them in and out on one store from its Sync screen. The manager sets up a
// customer with a spending limit; the clerk enters an order over it and sees it held,
// and may not release it; the manager signs in on the same computer and releases it
// from the approvals screen. Every change reaches the server under its own person's
// session; the order's history names both, by name.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { APP, WORK, WAIT, launch, byId, allById, settle, screenshot, createCustomer, createProduct, enterOrder } from "./lib.mjs";

const SERVER_BIN = join(dirname(APP), "daybook-server");
const PASSWORD = "correct horse battery";
const MANAGER = { login: "bea@example.com", name: "Bea Baas", role: "manager" };
const CLERK = { login: "anna@example.com", name: "Anna de Vries", role: "clerk" };

/** `daybook-server --data DIR ARGS` (stdin: `input`), its standard output. */
function admin(data, args, input) {
  return execFileSync(SERVER_BIN, ["--data", data, ...args], { input, encoding: "utf8" }).trim();
}

/** A server with one account and two people; resolves with its URL and process. */
async function startServer() {
  const data = mkdtempSync(join(WORK, "server-"));
  const account = admin(data, ["account", "create", "Kantoor Noord"]);
  for (const p of [MANAGER, CLERK]) {
    admin(data, ["user", "add", "--account", account, "--login", p.login, "--name", p.name, "--role", p.role, "--password-stdin"], `${PASSWORD}\n`);
  }
  const child = spawn(SERVER_BIN, ["--data", data, "serve", "--listen", "127.0.0.1:0", "--rate", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on("line", (line) => {
      const at = line.split("listening on ")[1];
      if (at) resolve(`http://${at.trim()}`);
    });
    child.on("exit", (code) => reject(new Error(`daybook-server exited (${code}) before listening`)));
  });
  return { url, child };
}

describe("people signing in on one store, end to end", () => {
  let b;
  let server;
  let orderNumber;

  before(async () => {
    server = await startServer();
    b = await launch("people");
  });

  after(async () => {
    await b?.deleteSession();
    server?.child.kill();
  });

  async function signIn(p, serverKnown) {
    await (await byId(b, "nav-sync")).click();
    const form = await byId(b, "sync-signin");
    assert.ok(form);
    if (!serverKnown) await (await byId(b, "signin-server")).setValue(server.url);
    else assert.equal(await (await byId(b, "signin-server")).getValue(), server.url);
    await (await byId(b, "signin-login")).setValue(p.login);
    await (await byId(b, "signin-password")).setValue(PASSWORD);
    await (await byId(b, "signin-submit")).click();
    const who = await byId(b, "sync-person");
    await b.waitUntil(async () => (await who.getText()).includes(`Signed in as ${p.name} (${p.role}`), {
      timeout: WAIT,
      timeoutMsg: `${p.name} is not shown signed in`,
    });
  }

  /** Waits until nothing waits to be sent (the Sync screen's count). */
  async function synced() {
    await (await byId(b, "nav-sync")).click();
    const pending = await byId(b, "sync-pending");
    await b.waitUntil(async () => (await pending.getText()).trim() === "0", { timeout: WAIT, timeoutMsg: "changes still wait to be sent" });
  }

  async function signOut(p) {
    await (await byId(b, "nav-sync")).click();
    await (await byId(b, "sync-signout-person")).click();
    const note = await byId(b, "signed-out-note");
    assert.match(await note.getText(), new RegExp(`Signed out ${p.name}\\.`));
    // Nobody signed in: the store is read, not written, and says so.
    await b.waitUntil(async () => {
      const badge = await b.$('[data-testid="person-badge"]');
      return (await badge.isExisting()) && (await badge.getText()).includes("Not signed in");
    }, {
      timeout: WAIT,
      timeoutMsg: "the title bar does not say nobody is signed in",
    });
  }

  it("refuses a wrong password at its field, then signs the manager in", async () => {
    await (await byId(b, "nav-sync")).click();
    await (await byId(b, "signin-server")).setValue(server.url);
    await (await byId(b, "signin-login")).setValue(MANAGER.login);
    await (await byId(b, "signin-password")).setValue("not it");
    await (await byId(b, "signin-submit")).click();
    assert.match(await (await byId(b, "error-password")).getText(), /The login or the password is not right/);
    await signIn(MANAGER, true);
    await settle();
    screenshot("signed-in");
  });

  it("the manager sets up a customer with a spending limit and a product; they reach the server", async () => {
    await createCustomer(b, "Brouwerij Noord", "100");
    await createProduct(b, { code: "DESK", description: "Standing desk", price: "450" });
    await synced();
    await signOut(MANAGER);
  });

  it("the clerk signs in, places an order over the limit and sees it held, and may not release it", async () => {
    await signIn(CLERK, true);
    orderNumber = await enterOrder(b, "Brouwerij", "DESK", "1");
    await (await byId(b, "order-place")).click();
    await byId(b, "order-status", '[data-status="held"]');
    await byId(b, "held-notice");

    await (await byId(b, "nav-approvals")).click();
    await byId(b, "approval-row", `[data-number="${orderNumber}"]`);
    await (await byId(b, "approval-release")).click();
    assert.match(await (await byId(b, "approvals-error")).getText(), /A clerk may not release a held order; ask a manager/);
    await synced();
    await signOut(CLERK);
  });

  it("the manager signs in on the same computer and releases it from the approvals screen", async () => {
    await signIn(MANAGER, true);
    await (await byId(b, "nav-approvals")).click();
    await byId(b, "approval-row", `[data-number="${orderNumber}"]`);
    await b.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await b.keys(["r"]);
    const done = await byId(b, "approvals-done");
    assert.match(await done.getText(), new RegExp(`${orderNumber} released`));
    await synced();

    await (await byId(b, "nav-orders")).click();
    await (await byId(b, "order-row", `[data-number="${orderNumber}"]`)).doubleClick();
    await byId(b, "order-status", '[data-status="placed"]');
    await (await byId(b, "order-history")).click();
    await byId(b, "history-timeline");
    let users = [];
    await b.waitUntil(
      async () => {
        users = [];
        for (const e of await allById(b, "history-user")) users.push(await e.getText());
        return users.includes(MANAGER.name) && users.includes(CLERK.name);
      },
      { timeout: WAIT, timeoutMsg: `the history does not name both people: ${users.join(", ")}` },
    );
  });
});
