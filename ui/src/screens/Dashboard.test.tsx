import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { formatMoney } from "../lib/money";
import { utcDay } from "../lib/format";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { Dashboard } from "../types";
import { DashboardScreen, currenciesOf } from "./Dashboard";

const today = utcDay(0);
const dashboard: Dashboard = {
  days: [
    { day: today, currency: "EUR", orders: 2, net: 30000, gross: 36300 },
    { day: today, currency: "USD", orders: 1, net: 10000, gross: 10000 },
  ],
  top_customers: [
    { id: "00000000-0000-7000-8000-000000000001", name: "Noord BV", currency: "EUR", orders: 2, gross: 36300 },
    { id: "00000000-0000-7000-8000-000000000002", name: "Acme Inc.", currency: "USD", orders: 1, gross: 10000 },
  ],
  open_orders: 3,
  open: [
    { currency: "EUR", count: 2, net: 30000, vat: 6300, gross: 36300 },
    { currency: "USD", count: 1, net: 10000, vat: 0, gross: 10000 },
  ],
  drafts: 0,
};

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
  be.extra.dashboard = () => dashboard;
});

describe("dashboard", () => {
  it("never adds two currencies: revenue, open work and top customers each keep theirs", async () => {
    const user = userEvent.setup();
    renderWithClient(<DashboardScreen />);
    const revenue = await screen.findByTestId("kpi-revenue");
    expect(revenue).toHaveTextContent(formatMoney(36300, "EUR"));
    expect(revenue).toHaveTextContent(formatMoney(10000, "USD"));
    expect(revenue).not.toHaveTextContent(formatMoney(46300, "EUR"));
    const open = screen.getByTestId("kpi-open");
    expect(open).toHaveTextContent(formatMoney(36300, "EUR"));
    expect(open).toHaveTextContent(formatMoney(10000, "USD"));
    expect(screen.getByTestId("kpi-orders")).toHaveTextContent("3");
    expect(screen.getByTestId("top-customers")).toHaveTextContent(formatMoney(10000, "USD"));
    // The revenue chart shows one currency at a time.
    expect(screen.getByTestId("chart-revenue")).toHaveTextContent("gross, EUR");
    await user.click(screen.getByTestId("revenue-currency-USD"));
    expect(screen.getByTestId("chart-revenue")).toHaveTextContent("gross, USD");
  });

  it("orders currencies by their orders", () => {
    expect(currenciesOf(dashboard.days).map((c) => c.currency)).toEqual(["EUR", "USD"]);
  });
});
