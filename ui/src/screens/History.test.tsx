import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { formatBp, formatMoney } from "../lib/money";
import { FakeBackend } from "../test/fakeBackend";
import { render } from "@testing-library/react";
import { renderWithClient } from "../test/render";
import type { ReadableEntry, RecordHistory } from "../types";
import { DiffTable, RecordHistoryScreen, formatPath, revisionAt } from "./History";

const LINE = "01934b7a-1111-7222-8333-444455556666";

describe("DiffTable", () => {
  it("renders each changed field as old -> new, formatted by kind", () => {
    render(
      <DiffTable
        changes={[
          { path: `lines[${LINE}].quantity`, old: 2, new: 5 },
          { path: `lines[${LINE}].unit_price`, old: 1250, new: 1199 },
          { path: `lines[${LINE}].discount_bp`, old: null, new: 1000 },
          { path: "status", old: "draft", new: "placed" },
          { path: "customer_reference", old: "PO-1", new: null },
        ]}
      />,
    );
    const rows = screen.getAllByTestId("history-change");
    expect(rows).toHaveLength(5);
    const [qty, price, discount, status, ref] = rows.map((r) => ({
      label: within(r).getByRole("rowheader").textContent,
      old: within(r).getByTestId("change-old").textContent,
      new: within(r).getByTestId("change-new").textContent,
    }));
    expect(qty).toEqual({ label: "Lines › 01934b7a › Quantity", old: "2", new: "5" });
    expect(price).toEqual({ label: "Lines › 01934b7a › Unit price", old: formatMoney(1250), new: formatMoney(1199) });
    expect(discount).toEqual({ label: "Lines › 01934b7a › Discount bp", old: "—", new: formatBp(1000) });
    expect(status).toMatchObject({ old: "draft", new: "placed" });
    expect(ref).toMatchObject({ old: "PO-1", new: "—" });
  });

  it("says so when an event changed no field", () => {
    render(<DiffTable changes={[]} />);
    expect(screen.getByText("No field changed.")).toBeInTheDocument();
  });

  it("shortens ids and humanizes keys in paths", () => {
    expect(formatPath("addresses[0].postal_code")).toBe("Addresses › 0 › Postal code");
    expect(formatPath("spending_limit")).toBe("Spending limit");
  });
});

const HISTORY: RecordHistory = {
  stream_id: "o1",
  stream_type: "SalesOrder",
  entries: [
    {
      seq: 10, revision: 1, event_id: "e1", event_type: "OrderCreated", at: "2026-11-23T09:00:00Z",
      issued_at: "2026-11-23T09:00:00Z", user: "anna", device: "laptop-7", command_id: "k1", data: {},
      changes: [{ path: "number", old: null, new: "SO-00001" }, { path: "status", old: null, new: "draft" }],
    },
    {
      seq: 11, revision: 2, event_id: "e2", event_type: "OrderLineAdded", at: "2026-11-23T09:01:00Z",
      issued_at: "2026-11-23T09:01:00Z", user: "anna", device: "laptop-7", command_id: "k2", data: {},
      changes: [{ path: `lines[${LINE}].quantity`, old: null, new: 3 }],
    },
    {
      seq: 12, revision: 3, event_id: "e3", event_type: "OrderPlaced", at: "2026-11-23T09:05:00Z",
      issued_at: "2026-11-23T09:05:00Z", user: "bram", device: "desk-2", command_id: "k3", data: {},
      changes: [{ path: "status", old: "draft", new: "placed" }],
    },
  ],
};

const READABLE: ReadableEntry[] = [
  { revision: 1, issued_at: "2026-11-23T09:00:00Z", at: "2026-11-23T09:00:00Z", synced: true, user: "anna", name: "Anna de Vries", device: "laptop-7", title: "Order created", rows: ["SO-00001 for Acme (C-00001), in EUR"] },
  { revision: 2, issued_at: "2026-11-23T09:01:00Z", at: "2026-11-23T09:01:00Z", synced: false, user: "anna", name: "Anna de Vries", device: "laptop-7", title: "Line added", rows: ["Line 1 · 3 × PEN Ballpoint pen, blue at EUR 12.50, VAT 21%"] },
  { revision: 3, issued_at: "2026-11-23T09:05:00Z", at: "2026-11-23T11:05:00Z", synced: true, user: "bram", name: null, device: "desk-2", title: "Placed", rows: ["1 line, total EUR 45.38", "Status: draft → placed on 23 Nov 2026 09:05"] },
];

describe("record history", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    be.extra.record_history = () => HISTORY;
    be.extra.readable_history = () => READABLE;
    be.extra.record_view = () => ({
      stream_id: "o1", stream_type: "SalesOrder", revision: 3, head: 3, at: null, user: null, name: null, device: null,
      title: "SO-00001", currency: "EUR", fields: [], lines: [], totals: null,
    });
    window.location.hash = "#/history/o1";
  });

  it("tells every change in words, newest first, with who and which device", async () => {
    renderWithClient(<RecordHistoryScreen id="o1" />);
    const entries = await screen.findAllByTestId("history-entry");
    expect(entries.map((e) => e.dataset.eventType)).toEqual(["OrderPlaced", "OrderLineAdded", "OrderCreated"]);
    expect(entries.map((e) => within(e).getByTestId("history-title").textContent)).toEqual(["Placed", "Line added", "Order created"]);
    // A person the account's directory names reads by name (the login on hover); one it
    // does not, by login.
    expect(within(entries[0]!).getByTestId("history-user")).toHaveTextContent("bram");
    expect(within(entries[2]!).getByTestId("history-user")).toHaveTextContent("Anna de Vries");
    expect(within(entries[2]!).getByTestId("history-user")).toHaveAttribute("data-login", "anna");
    expect(entries[0]).toHaveTextContent("desk-2");
    // Synced two hours later: said so.
    expect(entries[0]).toHaveTextContent("entered offline; synced");
    expect(within(entries[1]!).getAllByTestId("history-row").map((r) => r.textContent)).toEqual([
      "Line 1 · 3 × PEN Ballpoint pen, blue at EUR 12.50, VAT 21%",
    ]);
    expect(await screen.findByText(/History of SO-00001/)).toBeInTheDocument();
    // No raw field paths unless asked for.
    expect(screen.queryAllByTestId("history-change")).toHaveLength(0);
    expect(document.body.textContent).not.toContain(LINE.slice(0, 8));
  });

  it("shows the raw field changes on request", async () => {
    const user = userEvent.setup();
    renderWithClient(<RecordHistoryScreen id="o1" />);
    await user.click(await screen.findByTestId("history-fields"));
    const created = screen.getAllByTestId("history-entry")[2]!;
    expect(within(created).getAllByTestId("history-change")).toHaveLength(2);
  });

  it("opens the record as it was after the change that is clicked", async () => {
    const user = userEvent.setup();
    renderWithClient(<RecordHistoryScreen id="o1" />);
    const entries = await screen.findAllByTestId("history-entry");
    await user.click(within(entries[1]!).getByTestId("history-view"));
    expect(window.location.hash).toBe("#/history/o1/2");
  });

  it("finds the revision a record had at a time", () => {
    expect(revisionAt(READABLE, "2026-11-23T08:00:00Z")).toBe(0);
    expect(revisionAt(READABLE, "2026-11-23T09:01:00Z")).toBe(2);
    expect(revisionAt(READABLE, "2026-11-23T10:00:00Z")).toBe(3);
  });
});

describe("a customer's history with its orders", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    const own = { revision: 1, issued_at: "2026-11-20T09:00:00Z", at: "2026-11-20T09:00:00Z", synced: true, user: "anna", device: "laptop", title: "Customer registered", rows: ["Acme (C-00001), organisation, EUR"] };
    be.extra.record_history = () => ({
      stream_id: "c1", stream_type: "Customer",
      entries: [{ seq: 1, revision: 1, event_id: "e1", event_type: "CustomerRegistered", at: own.at, issued_at: own.at, user: "anna", device: "laptop", command_id: "k1", data: {}, changes: [] }],
    });
    be.extra.readable_history = () => [own];
    be.extra.record_view = () => ({
      stream_id: "c1", stream_type: "Customer", revision: 1, head: 1, at: null, user: null, name: null, device: null,
      title: "Acme", currency: "EUR", fields: [], lines: [], totals: null,
    });
    be.extra.customer_history_with_orders = () => [
      { stream_id: "c1", order: null, entry: own },
      { stream_id: "o9", order: "SO-00042", entry: { ...own, revision: 4, issued_at: "2026-11-21T09:00:00Z", title: "Placed", rows: [] } },
    ];
  });

  it("shows the orders' major events beside its own changes, on request, each opening its record", async () => {
    const user = userEvent.setup();
    renderWithClient(<RecordHistoryScreen id="c1" />);
    expect(await screen.findAllByTestId("history-entry")).toHaveLength(1);
    expect(be.callsTo("customer_history_with_orders")).toHaveLength(0);
    await user.click(screen.getByTestId("history-with-orders"));
    await waitFor(() => expect(screen.getAllByTestId("history-entry")).toHaveLength(2));
    const [order, own] = screen.getAllByTestId("history-entry");
    expect(order).toHaveAttribute("data-order", "SO-00042");
    expect(within(order!).getByTestId("history-title")).toHaveTextContent("Order SO-00042 · Placed");
    expect(own).toHaveAttribute("data-event-type", "CustomerRegistered");
    await user.click(within(order!).getByTestId("history-view"));
    expect(window.location.hash).toBe("#/history/o9/4");
  });
});
