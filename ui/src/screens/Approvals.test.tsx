import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { formatMoney } from "../lib/money";
import { FakeBackend } from "../test/fakeBackend";
import { goldenError } from "../test/golden";
import { renderWithClient } from "../test/render";
import type { Command } from "../types";
import { ApprovalsScreen } from "./Approvals";
import { OrderScreen } from "./OrderEntry";

const ACME = "01900000-0000-7000-8000-0000000000c1";
const BETA = "01900000-0000-7000-8000-0000000000c2";
const FIRST = "01900000-0000-7000-8000-0000000000a1";
const SECOND = "01900000-0000-7000-8000-0000000000a2";

let be: FakeBackend;

/** Two orders of 7 x 12.50 + 21 % VAT = 105.88, placed over their customers' limits, so both held. */
beforeEach(() => {
  be = new FakeBackend().install();
  be.addCustomer({ id: ACME, name: "Acme Trading", spending_limit: 10_000, open_total: 5_000 });
  be.addCustomer({ id: BETA, name: "Beta Supplies", spending_limit: 1_000 });
  be.addProduct({ id: "p1", code: "P-100", description: "Widget", unit_price: 1250, vat_class: "standard" });
  for (const [order, customer, number] of [
    [FIRST, ACME, "SO-00001"],
    [SECOND, BETA, "SO-00002"],
  ] as const) {
    be.addOrder(order, customer, number);
    be.execute({ type: "AddOrderLine", order_id: order, line_id: `${order}-1`, product_id: "p1", quantity: 7, unit_price: null, discount_bp: 0, description: null });
    be.execute({ type: "PlaceOrder", order_id: order });
  }
  be.commands = [];
});

const rows = () => screen.getAllByTestId("approval-row").map((r) => r.dataset.number);
const lastCommand = () => be.commands.at(-1) as Command;

describe("approvals", () => {
  it("lists held orders with the amount, the open total and the limit as they are now", async () => {
    renderWithClient(<ApprovalsScreen />);
    await waitFor(() => expect(rows()).toEqual(["SO-00001", "SO-00002"]));
    const first = screen.getAllByTestId("approval-row")[0]!;
    expect(first).toHaveTextContent("Acme Trading");
    expect(first).toHaveTextContent(formatMoney(10_588));
    expect(first).toHaveTextContent(formatMoney(5_000));
    expect(first).toHaveTextContent(formatMoney(10_000));
    expect(first).toHaveTextContent("anna");
  });

  it("releases the chosen order with r and refuses the next with f and a reason, by keyboard only", async () => {
    const user = userEvent.setup();
    renderWithClient(<ApprovalsScreen />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.keyboard("j");
    expect(screen.getAllByTestId("approval-row")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("k");
    expect(screen.getAllByTestId("approval-row")[0]).toHaveAttribute("aria-selected", "true");

    await user.keyboard("r");
    await waitFor(() => expect(rows()).toEqual(["SO-00002"]));
    expect(lastCommand()).toEqual({ type: "ReleaseOrder", order_id: FIRST });
    expect(screen.getByTestId("approvals-done")).toHaveTextContent("SO-00001 released: it is placed.");
    expect(be.orders.get(FIRST)?.order.status).toBe("placed");

    // Escape closes the reason without refusing.
    await user.keyboard("f");
    await waitFor(() => expect(screen.getByTestId("refuse-reason")).toHaveFocus());
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("refuse-form")).toBeNull();
    expect(be.commands).toHaveLength(1);

    await user.keyboard("f");
    await waitFor(() => expect(screen.getByTestId("refuse-reason")).toHaveFocus());
    await user.keyboard("Ask for a prepayment first{Enter}");
    await waitFor(() => expect(screen.getByTestId("approvals-empty")).toBeInTheDocument());
    expect(lastCommand()).toEqual({ type: "RefuseHeldOrder", order_id: SECOND, reason: "Ask for a prepayment first" });
    expect(be.orders.get(SECOND)?.order.status).toBe("draft");
  });

  it("says which role may release when a clerk tries, and keeps the order waiting", async () => {
    const user = userEvent.setup();
    be.extra.execute_command = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw goldenError("role_required");
    };
    renderWithClient(<ApprovalsScreen />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.click(within(screen.getAllByTestId("approval-row")[0]!).getByTestId("approval-release"));
    expect(await screen.findByTestId("approvals-error")).toHaveTextContent(
      "A clerk may not release a held order; ask a manager or an admin.",
    );
    expect(rows()).toEqual(["SO-00001", "SO-00002"]);
  });

  it("shows a held order's wait on the order screen, with Release and Refuse", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={FIRST} focusLine={false} />);
    await waitFor(() =>
      expect(screen.getByTestId("held-notice")).toHaveTextContent(
        `Held for a manager: with this order (${formatMoney(10_588)}) Acme Trading's open orders (${formatMoney(5_000)}) would go over the spending limit of ${formatMoney(10_000)}.`,
      ),
    );
    await user.click(screen.getByTestId("order-refuse"));
    await user.type(screen.getByTestId("order-refuse-reason"), "Not this month{Enter}");
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "draft"));
    expect(lastCommand()).toEqual({ type: "RefuseHeldOrder", order_id: FIRST, reason: "Not this month" });
    expect(screen.queryByTestId("held-notice")).toBeNull();
    await user.click(screen.getByTestId("order-place"));
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "held"));
    await user.click(screen.getByTestId("order-release"));
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "placed"));
    expect(lastCommand()).toEqual({ type: "ReleaseOrder", order_id: FIRST });
  });

  it("says so when nothing waits", async () => {
    be.orders.clear();
    renderWithClient(<ApprovalsScreen />);
    expect(await screen.findByTestId("approvals-empty")).toHaveTextContent("Nothing waits for approval");
  });
});
