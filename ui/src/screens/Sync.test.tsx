import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { bpToInput, moneyToInput } from "../lib/money";
import { syncStateOf } from "../lib/sync";
import { FakeBackend } from "../test/fakeBackend";
import { inputRefusal } from "../test/golden";
import { renderWithClient } from "../test/render";
import type { Command, SyncStatus } from "../types";
import { SyncScreen, syncBadgeText } from "./Sync";

const base: SyncStatus = { state: "online", configured: true, server: "http://127.0.0.1:8787", online: true, pending: 0, needs_attention: [], last_sync: "2026-11-23T10:00:00Z", progress: null, last_error: null };

describe("sync status text and record states", () => {
  it("says what a person needs to know in the badge", () => {
    expect(syncBadgeText({ ...base, state: "offline", online: false, pending: 37 })).toBe("Offline, 37 changes waiting");
    expect(syncBadgeText({ ...base, state: "offline", online: false, pending: 1 })).toBe("Offline, 1 change waiting");
    expect(syncBadgeText({ ...base, state: "syncing", pending: 5, progress: { phase: "push", done: 2, total: 5 } })).toBe("Syncing 2/5");
    expect(syncBadgeText(base)).toBe("Synced");
    // "Offline" means the server cannot be reached, and nothing else.
    expect(syncBadgeText({ ...base, state: "local_only", configured: false, pending: 1_001_447 })).toBe("Local only");
    expect(syncBadgeText({ ...base, state: "refused", pending: 2 })).toBe("Refused by the server, 2 changes waiting");
    expect(syncBadgeText({ ...base, state: "update_required" })).toBe("Update required");
    expect(syncBadgeText({ ...base, state: "signed_out", pending: 1 })).toBe("Signed out, 1 change waiting");
  });

  it("derives each record's state from sync_status", () => {
    const refused = { ...base, pending: 3, needs_attention: [{ command_id: "k", stream_id: "o1", command: "PlaceOrder", sent: { type: "PlaceOrder" as const, order_id: "o1" }, status: "rejected", code: "spending_limit_exceeded" as const, reason: "limit", params: {} }] };
    expect(syncStateOf("o1", refused)).toBe("attention");
    expect(syncStateOf("o2", refused)).toBe("waiting");
    expect(syncStateOf("o2", base)).toBe("synced");
    expect(syncStateOf("o2", { ...base, last_sync: null })).toBe("waiting");
    expect(syncStateOf("o2", undefined)).toBeUndefined();
  });
});

describe("sync screen", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    be.sync = {
      state: "offline",
      configured: true,
      server: "http://127.0.0.1:8787",
      last_error: "server unreachable",
      online: false,
      pending: 37,
      last_sync: null,
      progress: null,
      needs_attention: [{ command_id: "cmd-1", stream_id: "o1", command: "PlaceOrder", sent: { type: "PlaceOrder", order_id: "o1" }, status: "rejected", code: "spending_limit_exceeded", reason: "the spending limit was used up by a colleague", params: {} }],
    };
  });

  it("lists what the server refused, with the reason, and retries it", async () => {
    be.extra.retry_command = (args) => {
      be.sync = { ...be.sync, needs_attention: be.sync.needs_attention.filter((n) => n.command_id !== args.commandId) };
      return null;
    };
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    expect(await screen.findByTestId("sync-pending")).toHaveTextContent("37");
    expect(screen.getByTestId("sync-online")).toHaveTextContent("Offline");
    expect(screen.getByTestId("sync-last")).toHaveTextContent("Never");
    const item = screen.getByTestId("attention-item");
    expect(item).toHaveTextContent("Place order");
    expect(item).toHaveTextContent("The spending limit was used up by a colleague.");
    await user.click(within(item).getByTestId("attention-retry"));
    expect(be.callsTo("retry_command")[0]?.args).toEqual({ commandId: "cmd-1", edited: null });
    // Placing has nothing to correct: no edit is offered.
    expect(within(item).queryByTestId("attention-edit-open")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("attention-empty")).toBeInTheDocument());
  });

  it("shows the back end's refusal when an action is not available", async () => {
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    await user.click(await screen.findByTestId("attention-discard"));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("Fake backend has no discard_command.");
    expect(screen.getByTestId("attention-item")).toBeInTheDocument();
  });
  it("edits a refused change in the user's terms and retries it in its place", async () => {
    const change = {
      type: "ChangeOrderLine" as const,
      order_id: "o1",
      line_id: "l1",
      quantity: 12,
      unit_price: 1250,
      discount_bp: 1500,
      seen: { quantity: 10, unit_price: 1250, discount_bp: 0 },
    };
    be.sync = {
      ...be.sync,
      needs_attention: [{ command_id: "cmd-2", stream_id: "o1", command: "ChangeOrderLine", sent: change, status: "rejected", code: "invalid_input", reason: "too many", params: {} }],
    };
    be.extra.retry_command = (args) => {
      // An edit the domain refuses is refused with the domain's own error (golden file).
      const refused = inputRefusal(args.edited as Command);
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (refused) throw refused;
      be.sync = { ...be.sync, needs_attention: [] };
      return null;
    };
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    const item = await screen.findByTestId("attention-item");
    await user.click(within(item).getByTestId("attention-edit-open"));
    // The values as the user knows them: an amount, a percentage, a quantity; no ids.
    expect(within(item).getByTestId("attention-field-quantity")).toHaveValue("12");
    expect(within(item).getByTestId("attention-field-unit_price")).toHaveValue(moneyToInput(1250));
    expect(within(item).getByTestId("attention-field-discount_bp")).toHaveValue(bpToInput(1500));
    expect(within(item).queryByTestId("attention-field-line_id")).not.toBeInTheDocument();
    expect(within(item).queryByTestId("attention-field-seen")).not.toBeInTheDocument();
    expect(within(item).getByTestId("attention-field-quantity")).toHaveFocus();

    // A typing mistake is caught here, before anything is sent.
    await user.clear(within(item).getByTestId("attention-field-unit_price"));
    await user.type(within(item).getByTestId("attention-field-unit_price"), "12.345");
    await user.click(within(item).getByTestId("attention-retry-edited"));
    expect(await within(item).findByTestId(`error-cmd-2-unit_price`)).toHaveTextContent("At most 2 decimals");
    expect(be.callsTo("retry_command")).toHaveLength(0);

    // The back end's refusal stays next to its field, the form open.
    await user.clear(within(item).getByTestId("attention-field-unit_price"));
    await user.type(within(item).getByTestId("attention-field-unit_price"), moneyToInput(1100));
    await user.clear(within(item).getByTestId("attention-field-quantity"));
    await user.type(within(item).getByTestId("attention-field-quantity"), "0{Enter}");
    expect(await within(item).findByTestId("error-cmd-2-quantity")).toHaveTextContent("Quantity must be greater than 0");
    expect(within(item).getByTestId("attention-edit")).toBeInTheDocument();

    await user.clear(within(item).getByTestId("attention-field-quantity"));
    await user.type(within(item).getByTestId("attention-field-quantity"), "8{Enter}");
    await waitFor(() => expect(screen.getByTestId("attention-empty")).toBeInTheDocument());
    const calls = be.callsTo("retry_command");
    expect(calls).toHaveLength(2);
    // The edited command in place of the refused one: new values, the same line, what the user saw.
    expect(calls[1]?.args).toEqual({ commandId: "cmd-2", edited: { ...change, quantity: 8, unit_price: 1100 } });
  });
});
