import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { formatBp, formatMoney } from "../lib/money";
import { FakeBackend } from "../test/fakeBackend";
import { render } from "@testing-library/react";
import { renderWithClient } from "../test/render";
import type { RecordHistory } from "../types";
import { DiffTable, RecordHistoryScreen, formatPath } from "./History";

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

describe("record history", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    be.extra.record_history = () => HISTORY;
    be.extra.record_state_at = (args) => {
      const rev = (args.asOf as { revision: number }).revision;
      return {
        stream_id: "o1", stream_type: "SalesOrder", revision: rev, at: HISTORY.entries[rev - 1]?.at ?? null,
        state: { number: "SO-00001", status: rev >= 3 ? "placed" : "draft", lines: rev >= 2 ? [{ id: LINE, quantity: 3, unit_price: 1250 }] : [] },
      };
    };
  });

  it("lists every event newest first with who, device and the field changes", async () => {
    renderWithClient(<RecordHistoryScreen id="o1" />);
    const entries = await screen.findAllByTestId("history-entry");
    expect(entries.map((e) => e.dataset.eventType)).toEqual(["OrderPlaced", "OrderLineAdded", "OrderCreated"]);
    expect(within(entries[0]!).getByTestId("history-user")).toHaveTextContent("bram");
    expect(entries[0]).toHaveTextContent("desk-2");
    expect(within(entries[2]!).getAllByTestId("history-change")).toHaveLength(2);
  });

  it("shows the record as it was at the event that is clicked", async () => {
    const user = userEvent.setup();
    renderWithClient(<RecordHistoryScreen id="o1" />);
    const state = await screen.findByTestId("history-state");
    await waitFor(() => expect(state).toHaveTextContent("As of revision 3"));
    expect(state).toHaveTextContent("placed");

    const created = screen.getAllByTestId("history-entry")[2]!;
    await user.click(within(created).getByRole("button"));
    await waitFor(() => expect(state).toHaveTextContent("As of revision 1"));
    expect(state).toHaveTextContent("draft");
    expect(state).not.toHaveTextContent("placed");
    expect(be.callsTo("record_state_at").map((c) => c.args.asOf)).toEqual([{ revision: 3 }, { revision: 1 }]);
  });
});
