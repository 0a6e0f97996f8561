import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { formatMoney } from "../lib/money";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { OrderQuery, OrderRow } from "../types";
import { OrdersList, fitColumns, resetOrderFilters } from "./OrdersList";

const TOTAL = 100_000;

function row(i: number): OrderRow {
  return {
    id: `00000000-0000-7000-8000-${String(i).padStart(12, "0")}`,
    number: `SO-${String(i + 1).padStart(6, "0")}`,
    customer_id: "c1",
    customer_name: i % 2 ? "Acme Trading" : "Bakker BV",
    status: i % 3 ? "placed" : "draft",
    currency: "EUR",
    created_at: "2026-11-20T09:30:00Z",
    placed_at: null,
    delivered_at: null,
    invoiced_at: null,
    cancelled_at: null,
    line_count: 3,
    net: 10000 + i,
    vat: 2100,
    gross: 12100 + i,
    customer_reference: null,
    revision: 2,
    sync_state: i === 1 ? "attention" : "waiting",
  };
}

let be: FakeBackend;
let queries: OrderQuery[];
beforeEach(() => {
  resetOrderFilters();
  be = new FakeBackend().install();
  queries = [];
  be.listOrders = (q) => {
    queries.push(q);
    const total = q.search ? 1 : TOTAL;
    const offset = q.offset ?? 0;
    const n = Math.max(0, Math.min(q.limit ?? 50, total - offset));
    return { rows: Array.from({ length: n }, (_, k) => row(offset + k)), total };
  };
  be.extra.order_summary = () => ({ count: TOTAL, totals: [{ currency: "EUR", count: TOTAL, net: 123456789, vat: 25925925, gross: 149382714 }] });
  be.sync = {
    state: "offline",
    online: false,
    pending: 37,
    last_sync: "2026-11-23T08:00:00Z",
    progress: null,
    needs_attention: [{ command_id: "x", stream_id: row(1).id, command: "PlaceOrder", sent: { type: "PlaceOrder", order_id: row(1).id }, status: "rejected", code: "spending_limit_exceeded", reason: "over limit", params: {} }],
    configured: true,
    server: "http://127.0.0.1:8787",
    last_error: null,
  };
});

describe("orders list", () => {
  it("renders only a window of 100,000 orders, fetched as pages of the server query", async () => {
    renderWithClient(<OrdersList />);
    const rows = await screen.findAllByTestId("order-row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(screen.getByTestId("orders-grid")).toHaveAttribute("aria-rowcount", String(TOTAL + 1));
    // The first page was asked for with the default sort, newest first.
    expect(queries[0]).toMatchObject({ offset: 0, limit: 200, sort: "created", descending: true });
    const first = rows[0]!;
    expect(first).toHaveAttribute("data-number", "SO-000001");
    expect(within(first).getByTestId("order-row-gross")).toHaveTextContent(formatMoney(12100));
    expect(within(first).getByTestId("order-row-status")).toHaveTextContent("Draft");
  });

  it("shows the totals of everything that matches and each order's sync state", async () => {
    renderWithClient(<OrdersList />);
    expect(await screen.findByTestId("orders-total-gross")).toHaveTextContent(formatMoney(149382714));
    expect(screen.getByTestId("orders-total-count")).toHaveTextContent(new Intl.NumberFormat().format(TOTAL));
    const rows = await screen.findAllByTestId("order-row");
    await waitFor(() => expect(within(rows[1]!).getByTestId("order-row-sync")).toHaveAttribute("data-sync", "attention"));
    // Each row shows the state the back end reports for it.
    expect(within(rows[0]!).getByTestId("order-row-sync")).toHaveAttribute("data-sync", "waiting");
  });

  it("shows no sync column in a store never connected to a server", async () => {
    be.sync = { ...be.sync, configured: false, server: null, pending: 12 };
    renderWithClient(<OrdersList />);
    await screen.findAllByTestId("order-row");
    await screen.findByTestId("orders-total-gross");
    await waitFor(() => expect(screen.queryByTestId("order-row-sync")).not.toBeInTheDocument());
    expect(screen.queryByText("Waiting")).not.toBeInTheDocument();
  });

  it("sums each currency on its own: one set of totals per currency, never added", async () => {
    be.extra.order_summary = () => ({
      count: 3,
      totals: [
        { currency: "EUR", count: 2, net: 20000, vat: 4200, gross: 24200 },
        { currency: "USD", count: 1, net: 10000, vat: 0, gross: 10000 },
      ],
    });
    renderWithClient(<OrdersList />);
    expect(await screen.findByTestId("orders-total-gross")).toHaveTextContent(formatMoney(24200, "EUR"));
    expect(screen.getByTestId("orders-total-gross-USD")).toHaveTextContent(formatMoney(10000, "USD"));
    expect(screen.getByTestId("orders-totals")).not.toHaveTextContent(formatMoney(34200, "EUR"));
  });

  it("searches as you type, debounced: the key after a pause at once, a burst as one query", async () => {
    renderWithClient(<OrdersList />);
    await screen.findAllByTestId("order-row");
    const searched = () => [...new Set(queries.filter((q) => q.search).map((q) => q.search))];
    const input = screen.getByTestId("orders-search");
    // A pause first, on the real clock: the mount's own quiet period (100 ms, on real
    // timers) must be over, or the first key below lands inside it (it did whenever the
    // rows came back within 100 ms of mounting).
    await new Promise((r) => setTimeout(r, 150));
    // The clock is the test's: every wait below is exact, however loaded the machine.
    vi.useFakeTimers();
    try {
      const key = async (value: string, thenMs: number) => {
        fireEvent.change(input, { target: { value } });
        await act(() => vi.advanceTimersByTimeAsync(thenMs));
      };
      // The first key after a pause goes out at once (the next tick).
      await key("S", 0);
      expect(searched()).toEqual(["S"]);
      // The rest of the number, a key every 30 ms: gathered, nothing sent meanwhile.
      for (const value of ["SO", "SO-", "SO-0", "SO-00", "SO-000"]) await key(value, 30);
      await key("SO-0000", 99);
      expect(searched()).toEqual(["S"]);
      // 100 ms after the last key: one query for what the box holds.
      await act(() => vi.advanceTimersByTimeAsync(1));
      expect(searched()).toEqual(["S", "SO-0000"]);
      // Quiet since: the next key goes out at once again.
      await act(() => vi.advanceTimersByTimeAsync(500));
      await key("SO-00001", 0);
      expect(searched()).toEqual(["S", "SO-0000", "SO-00001"]);
    } finally {
      vi.useRealTimers();
    }
    await waitFor(() => expect(screen.getAllByTestId("order-row")).toHaveLength(1));
  });

  it("sorts on the server when a column header is clicked", async () => {
    renderWithClient(<OrdersList />);
    await screen.findAllByTestId("order-row");
    fireEvent.click(screen.getByTestId("sort-gross"));
    await waitFor(() => expect(queries.some((q) => q.sort === "gross")).toBe(true));
    const header = screen.getByTestId("sort-gross").closest("[role=columnheader]");
    expect(header).toHaveAttribute("aria-sort");
  });

  it("filters by status with the chips", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrdersList />);
    await screen.findAllByTestId("order-row");
    await user.click(screen.getByTestId("filter-status-placed"));
    await waitFor(() => expect(queries.some((q) => q.status?.join() === "placed")).toBe(true));
    expect(screen.getByTestId("filter-status-placed")).toHaveAttribute("aria-pressed", "true");
  });

  it("offers the first customer, products and demo data when the store is empty", async () => {
    be.listOrders = () => ({ rows: [], total: 0 });
    be.extra.load_demo = () => ({ customers: 1, products: 1, orders: 1, events: 3, refused: 0 });
    const user = userEvent.setup();
    renderWithClient(<OrdersList />);
    expect(await screen.findByTestId("first-customer")).toHaveAttribute("href", "#/customers/new");
    expect(screen.getByTestId("first-product")).toHaveAttribute("href", "#/products/new");
    await user.click(await screen.findByTestId("demo-load"));
    await waitFor(() => expect(be.callsTo("load_demo")).toHaveLength(1));
  });
});

describe("order list columns on laptop screens", () => {
  const all = ["number", "customer", "status", "created", "lines", "net", "vat", "gross", "sync"];
  const need = (template: string) =>
    template.split(" ").reduce((sum, t) => sum + Number(/(\d+)px/.exec(t)?.[1] ?? 0), 0);

  it("keeps every column where they fit", () => {
    const fit = fitColumns(all.slice(0, 8), 1000);
    expect(fit.ids).toEqual(all.slice(0, 8));
  });

  it("gives way with the amounts, least needed first, never the customer", () => {
    // The list's width at 1280x800 with the Sync column, and at 1024x700.
    const wide = fitColumns(all, 1000);
    expect(wide.ids).toEqual(["number", "customer", "status", "created", "lines", "net", "gross", "sync"]);
    const narrow = fitColumns(all.slice(0, 8), 776);
    expect(narrow.ids).toEqual(["number", "customer", "status", "created", "gross"]);
    for (const [fit, width] of [[wide, 1000], [narrow, 776]] as const) {
      expect(need(fit.template) + 20).toBeLessThanOrEqual(width);
      expect(fit.template.split(" ")[1]).toBe("minmax(260px,3fr)");
    }
  });
});
