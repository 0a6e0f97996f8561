import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import eventTypes from "../test/golden/event-types.json";
import { renderWithClient } from "../test/render";
import type { TimelineEntry, TimelineFilter, TimelineLine } from "../types";
import { EVENT_TYPES, TimelineScreen, recordPath } from "./Timeline";

const ORDER = "01934b7a-1111-7222-8333-444455556666";
const CUSTOMER = "01934b7a-2222-7222-8333-444455556666";

function entry(seq: number, e: Partial<TimelineEntry>): TimelineEntry {
  return {
    seq, stream_id: ORDER, stream_type: "SalesOrder", label: "SO-00042", revision: 1, event_type: "OrderCreated",
    user: "anna", device: "laptop-7", at: "2026-11-23T09:00:00Z", ...e,
  };
}

/** The account's log, newest first, told as crates/app/src/readable tells it. */
const LINES: TimelineLine[] = [
  {
    entry: entry(4, { revision: 3, event_type: "OrderPlaced", at: "2026-11-24T10:00:00Z" }),
    title: "Placed",
    change: "1 line, total EUR 45.38; Status: draft → placed on 24 Nov 2026 10:00",
    name: "Anna de Vries",
  },
  {
    entry: entry(3, { revision: 2, event_type: "OrderLineAdded", at: "2026-11-23T09:01:00Z" }),
    title: "Line added",
    change: "Line 1 · 3 × PEN Ballpoint pen, blue at EUR 12.50, VAT 21%",
    name: null,
  },
  { entry: entry(2, {}), title: "Order created", change: "SO-00042 for Acme B.V. (C-00001), in EUR", name: null },
  {
    entry: entry(1, { stream_id: CUSTOMER, stream_type: "Customer", label: "Acme B.V.", event_type: "CustomerUnblocked", at: "2026-11-22T08:00:00Z" }),
    title: "Unblocked",
    change: "",
    name: null,
  },
];

function day(at: string) {
  return at.slice(0, 10);
}

describe("the account timeline", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    be.extra.timeline = (args) => {
      const f = args.filter as TimelineFilter;
      const entries = LINES.filter(
        (l) => (!f.from || day(l.entry.at) >= f.from) && (!f.to || day(l.entry.at) <= f.to),
      );
      return { entries, next_before: null };
    };
    be.extra.activity = () => [
      { day: "2026-11-22", events: 1 },
      { day: "2026-11-23", events: 2 },
      { day: "2026-11-24", events: 1 },
    ];
    be.extra.timeline_users = () => ["anna"];
    window.location.hash = "#/timeline";
  });

  it("says in one line what each event changed, in words", async () => {
    renderWithClient(<TimelineScreen />);
    const rows = await screen.findAllByTestId("timeline-entry");
    expect(rows.map((r) => within(r).getByTestId("timeline-what").textContent)).toEqual([
      "Placed · 1 line, total EUR 45.38; Status: draft → placed on 24 Nov 2026 10:00",
      "Line added · Line 1 · 3 × PEN Ballpoint pen, blue at EUR 12.50, VAT 21%",
      "Order created · SO-00042 for Acme B.V. (C-00001), in EUR",
      "Unblocked",
    ]);
    // The record by its name or number, never its id.
    expect(within(rows[3]!).getByTestId("timeline-open")).toHaveTextContent("Customer Acme B.V.");
    expect(document.body.textContent).not.toContain(ORDER.slice(0, 8));
    // Who, by name where the account's directory knows the login.
    expect(rows.map((r) => within(r).getByTestId("timeline-user").textContent)).toEqual(["Anna de Vries", "anna", "anna", "anna"]);
  });

  it("opens the record itself from a row, and the record as it was from its revision", async () => {
    const user = userEvent.setup();
    renderWithClient(<TimelineScreen />);
    const rows = await screen.findAllByTestId("timeline-entry");
    await user.click(within(rows[0]!).getByTestId("timeline-open"));
    expect(window.location.hash).toBe(`#/orders/${ORDER}`);
    await user.click(within(rows[3]!).getByTestId("timeline-open"));
    expect(window.location.hash).toBe(`#/customers/${CUSTOMER}`);
    await user.click(within(rows[1]!).getByTestId("timeline-asof"));
    expect(window.location.hash).toBe(`#/history/${ORDER}/2`);
    expect(recordPath("Product", "p1")).toBe("products/p1");
    expect(recordPath("Company", "c1")).toBe("company");
  });

  it("shows one day's changes when its bar in the activity chart is clicked, and every day again", async () => {
    const user = userEvent.setup();
    const { container } = renderWithClient(<TimelineScreen />);
    expect(await screen.findAllByTestId("timeline-entry")).toHaveLength(4);
    await waitFor(() => expect(container.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(3));
    // The second bar: 23 Nov, two events.
    fireEvent.click(container.querySelectorAll(".recharts-bar-rectangle")[1]!);
    const chip = await screen.findByTestId("timeline-day");
    expect(chip).toHaveAttribute("data-day", "2026-11-23");
    await waitFor(() => expect(screen.getAllByTestId("timeline-entry")).toHaveLength(2));
    expect(screen.getAllByTestId("timeline-entry").map((r) => r.dataset.day)).toEqual(["2026-11-23", "2026-11-23"]);
    const asked = be.callsTo("timeline").at(-1)!.args.filter as TimelineFilter;
    expect([asked.from, asked.to]).toEqual(["2026-11-23", "2026-11-23"]);
    // The chart still shows every day, to pick another.
    expect(container.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(3);
    await user.click(screen.getByTestId("timeline-day-clear"));
    await waitFor(() => expect(screen.getAllByTestId("timeline-entry")).toHaveLength(4));
    expect(screen.queryByTestId("timeline-day")).toBeNull();
  });

  it("offers every event type of the domain in its event filter", () => {
    expect(EVENT_TYPES).toEqual(eventTypes);
  });
});
