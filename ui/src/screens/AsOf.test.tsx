import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { RecordView } from "../types";
import { AsOfScreen, bannerText, changedFields, changedLines } from "./AsOf";

const totals = (net: number, vat: number) => ({ net, vat, gross: net + vat, per_rate: [{ rate_bp: 2100, net, vat }] });
const line = (key: string, quantity: number, unit_price = 250) => ({
  key, code: "PEN", description: "Ballpoint pen, blue", quantity, unit_price, discount_bp: 0, vat_rate_bp: 2100, net: quantity * unit_price,
});

function view(revision: number): RecordView {
  const lines = revision === 1 ? [] : revision === 2 ? [line("l1", 100)] : [line("l1", 120), line("l2", 5)];
  const net = lines.reduce((s, l) => s + l.net, 0);
  return {
    stream_id: "o1", stream_type: "SalesOrder", revision, head: 3,
    at: `2026-12-03T14:0${revision}:00Z`, user: revision === 3 ? "bram" : "anna", name: revision === 3 ? "Bram Visser" : null, device: "laptop",
    title: "SO-00042", currency: "EUR",
    fields: [
      { key: "number", label: "Number", value: "SO-00042" },
      { key: "status", label: "Status", value: revision === 3 ? "placed" : "draft" },
    ],
    lines, totals: totals(net, Math.round(net * 0.21)),
  };
}

describe("the record as it was", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
    be.extra.record_view = (a) => view((a.revision as number | null) ?? 3);
    window.location.hash = "#/history/o1/2";
  });

  it("says whose revision it is and that it is not the current one", () => {
    expect(bannerText(view(2))).toMatch(/^As of .+, by anna on laptop — revision 2 of 3, not the current version$/);
    // By name where the account's people list knows the login.
    expect(bannerText(view(3))).toMatch(/, by Bram Visser on laptop — revision 3 of 3, the current version$/);
    expect(bannerText({ ...view(1), revision: 0, fields: [] })).toMatch(/did not exist yet/);
  });

  it("marks what differs from the other version", () => {
    expect([...changedFields(view(2), view(3))]).toEqual(["status"]);
    expect(changedFields(view(2), undefined).size).toBe(0);
    expect([...changedLines(view(3), view(2))]).toEqual([["l1", "changed"], ["l2", "added"]]);
  });

  it("shows the order's lines and totals as they were, read-only", async () => {
    renderWithClient(<AsOfScreen id="o1" revision={2} />);
    const banner = await screen.findByTestId("asof-banner");
    expect(banner).toHaveTextContent("not the current version");
    expect(banner).toHaveAttribute("data-current", "false");
    const lines = screen.getAllByTestId("asof-line");
    expect(lines).toHaveLength(1);
    expect(within(lines[0]!).getByTestId("asof-line-quantity")).toHaveTextContent("100");
    expect(screen.getByTestId("asof-total-net")).toHaveAttribute("data-cents", "25000");
    expect(screen.getByTestId("asof-total-gross")).toHaveAttribute("data-cents", String(25000 + 5250));
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.getByTestId("asof-prev")).toBeEnabled();
  });

  it("steps with [ and ] and Alt+arrows, within the record's revisions", async () => {
    renderWithClient(<AsOfScreen id="o1" revision={2} />);
    await screen.findByTestId("asof-banner");
    fireEvent.keyDown(window, { key: "]" });
    expect(window.location.hash).toBe("#/history/o1/3");
    fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    expect(window.location.hash).toBe("#/history/o1/1");
  });

  it("does not step past the newest revision", async () => {
    renderWithClient(<AsOfScreen id="o1" revision={3} />);
    expect(await screen.findByTestId("asof-banner")).toHaveAttribute("data-current", "true");
    fireEvent.keyDown(window, { key: "]" });
    expect(window.location.hash).toBe("#/history/o1/2");
    expect(screen.getByTestId("asof-next")).toBeDisabled();
  });

  it("compares with the current version side by side, changes highlighted", async () => {
    const user = userEvent.setup();
    renderWithClient(<AsOfScreen id="o1" revision={2} />);
    await screen.findByTestId("asof-banner");
    expect(screen.queryByTestId("asof-current")).toBeNull();
    await user.click(screen.getByTestId("asof-compare"));
    const now = await screen.findByTestId("asof-current");
    await waitFor(() => expect(within(now).getAllByTestId("current-line")).toHaveLength(2));
    const status = (prefix: string) =>
      screen.getAllByTestId(`${prefix}-field`).find((f) => f.dataset.key === "status")!;
    expect(status("asof")).toHaveAttribute("data-changed", "true");
    expect(status("current")).toHaveAttribute("data-changed", "true");
    const number = screen.getAllByTestId("asof-field").find((f) => f.dataset.key === "number")!;
    expect(number).not.toHaveAttribute("data-changed");
    expect(within(now).getAllByTestId("current-line").map((l) => l.dataset.changed)).toEqual(["changed", "added"]);
    expect(screen.getByTestId("current-totals")).toHaveAttribute("data-changed", "true");
    fireEvent.keyDown(window, { key: "c" });
    await waitFor(() => expect(screen.queryByTestId("asof-current")).toBeNull());
  });
});
