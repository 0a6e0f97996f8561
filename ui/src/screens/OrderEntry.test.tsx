import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { formatMoney, moneyToInput } from "../lib/money";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { Command } from "../types";
import { NewOrder, OrderScreen } from "./OrderEntry";

const CUSTOMER = "01900000-0000-7000-8000-0000000000c1";
const ORDER = "01900000-0000-7000-8000-0000000000a1";

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
  be.addCustomer({ id: CUSTOMER, name: "Acme Trading", number: "C-00001", city: "Rotterdam" });
  be.addProduct({ id: "p1", code: "P-100", description: "Widget", unit_price: 1250, vat_class: "standard" });
  be.addProduct({ id: "p2", code: "P-200", description: "Gadget", unit_price: 999, vat_class: "reduced" });
  be.addOrder(ORDER, CUSTOMER, "SO-00001");
});

const lastCommand = () => be.commands[be.commands.length - 1] as Command;

describe("order entry", () => {
  it("moves on with Enter and Tab: product -> quantity (Enter adds an untouched line) -> price -> discount -> next line", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    const product = await screen.findByTestId("line-product-input");
    await waitFor(() => expect(product).toHaveFocus());

    await user.type(product, "P-100{Enter}");
    const qty = screen.getByTestId("line-quantity-input");
    await waitFor(() => expect(qty).toHaveFocus());
    // The catalogue price, written as the user's locale writes it.
    expect(screen.getByTestId("line-price-input")).toHaveValue(moneyToInput(1250));

    await user.keyboard("3{Tab}");
    const price = screen.getByTestId("line-price-input");
    expect(price).toHaveFocus();
    await user.keyboard("{Tab}");
    const discount = screen.getByTestId("line-discount-input");
    expect(discount).toHaveFocus();
    await user.keyboard("10{Enter}");

    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(lastCommand()).toMatchObject({
      type: "AddOrderLine",
      order_id: ORDER,
      product_id: "p1",
      quantity: 3,
      unit_price: 1250,
      discount_bp: 1000,
    });
    // Back to a fresh product field for the next line.
    await waitFor(() => expect(screen.getByTestId("line-product-input")).toHaveFocus());
    expect(screen.getByTestId("line-product-input")).toHaveValue("");

    // Totals come from the back end: 3 x 12.50 - 10% = 33.75 net, 21% VAT = 7.09 (7.0875 rounded half up).
    await waitFor(() => expect(screen.getByTestId("order-total-net")).toHaveAttribute("data-cents", "3375"));
    expect(screen.getByTestId("order-total-vat")).toHaveAttribute("data-cents", "709");
    expect(screen.getByTestId("order-total-gross")).toHaveAttribute("data-cents", "4084");

    // A second line, by name this time, then its totals join the first's.
    await user.keyboard("Gadget{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    // Price and discount untouched: Enter on the quantity adds the line (2 keys per line).
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(2));
    expect(lastCommand()).toMatchObject({ type: "AddOrderLine", product_id: "p2", quantity: 1, unit_price: 999, discount_bp: 0 });
    await waitFor(() => expect(screen.getByTestId("order-total-gross")).toHaveAttribute("data-cents", String(4084 + 999 + 90)));
  });

  it("keeps keys typed ahead of the product search and of the save", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    const product = await screen.findByTestId("line-product-input");
    await waitFor(() => expect(product).toHaveFocus());
    // No waiting between keys: Enter hands focus on before the matches arrive.
    await user.keyboard("P-100{Enter}7{Enter}P-200{Enter}2{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(2));
    const adds = be.commands.filter((c) => c.type === "AddOrderLine");
    expect(adds).toMatchObject([
      { product_id: "p1", quantity: 7 },
      { product_id: "p2", quantity: 2 },
    ]);
  });

  it("offers to create a product no code matches, and comes back with it chosen", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    const product = await screen.findByTestId("line-product-input");
    await user.type(product, "MALT-7");
    // The dropdown's only entry: create what was typed.
    expect(await screen.findByTestId("product-create")).toHaveTextContent("Create product “MALT-7”…");
    await user.keyboard("{Enter}");
    // The compact form, the code filled in, the description next.
    expect(await screen.findByTestId("quick-product")).toBeInTheDocument();
    expect(screen.getByTestId("quick-product-code")).toHaveValue("MALT-7");
    expect(screen.getByTestId("quick-product-description")).toHaveFocus();
    await user.keyboard("Pale malt{Tab}");
    await user.keyboard(`${moneyToInput(1250)}{Enter}`);
    await waitFor(() => expect(screen.queryByTestId("quick-product")).not.toBeInTheDocument());
    const register = be.commands.find((c) => c.type === "RegisterProduct");
    expect(register).toMatchObject({ code: "MALT-7", description: "Pale malt", unit_price: 1250, vat_class: "standard" });
    // Back on the line: the new product chosen with its price, the focus on the quantity.
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    expect(product).toHaveValue("MALT-7 · Pale malt");
    expect(screen.getByTestId("line-price-input")).toHaveValue(moneyToInput(1250));
    await user.keyboard("1{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(lastCommand()).toMatchObject({ type: "AddOrderLine", quantity: 1, product_id: register && "product_id" in register ? register.product_id : "?" });
  });

  it("offers Create after the matches, and Escape in the form goes back to what was typed", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    const product = await screen.findByTestId("line-product-input");
    await user.type(product, "P-1");
    await screen.findByTestId("product-option");
    expect(await screen.findByTestId("product-create")).toHaveTextContent("Create product “P-1”…");
    // Enter picks the match; the create entry is reached with the arrows.
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    expect(await screen.findByTestId("quick-product")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("quick-product")).not.toBeInTheDocument());
    await waitFor(() => expect(product).toHaveFocus());
    expect(product).toHaveValue("P-1");
    expect(be.commands.some((c) => c.type === "RegisterProduct")).toBe(false);
  });

  it("shows 10 products, then the next 10 with More…, the highlight on the first of them", async () => {
    for (let i = 1; i <= 25; i++) {
      be.addProduct({ id: `bolt-${i}`, code: `BOLT-${String(i).padStart(2, "0")}`, description: `Bolt M${i}`, unit_price: 100 + i });
    }
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.type(await screen.findByTestId("line-product-input"), "BOLT");
    await waitFor(() => expect(screen.getAllByTestId("product-option")).toHaveLength(10));
    const more = screen.getByTestId("product-more");
    expect(more).toHaveTextContent("More…");
    // Each entry shows the code, the description and the price per unit.
    expect(screen.getAllByTestId("product-option")[0]).toHaveTextContent(`BOLT-01Bolt M1${formatMoney(101)}`);
    // Down to More… and Enter: 10 more, the 11th highlighted; Enter picks it.
    for (let i = 0; i < 10; i++) await user.keyboard("{ArrowDown}");
    expect(more).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("product-option")).toHaveLength(20));
    expect(screen.getAllByTestId("product-option")[10]).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("product-more")).toBeInTheDocument();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    expect(screen.getByTestId("line-product-input")).toHaveValue("BOLT-11 · Bolt M11");
    // The last page has no More….
    await user.clear(screen.getByTestId("line-product-input"));
    await user.type(screen.getByTestId("line-product-input"), "BOLT-2");
    await waitFor(() => expect(screen.getAllByTestId("product-option")).toHaveLength(6));
    expect(screen.queryByTestId("product-more")).not.toBeInTheDocument();
  });

  it("shows the domain's error next to the quantity and adds nothing", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    const product = await screen.findByTestId("line-product-input");
    await user.type(product, "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.clear(screen.getByTestId("line-quantity-input"));
    await user.keyboard("0{Enter}");

    const error = await screen.findByTestId("error-quantity");
    expect(error).toHaveTextContent("Quantity must be greater than 0 (got 0).");
    expect(screen.getByTestId("line-quantity-input")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("line-quantity-input")).toHaveFocus();
    expect(screen.queryAllByTestId("order-line")).toHaveLength(0);
    expect(be.commands.filter((c) => c.type === "AddOrderLine")).toHaveLength(0);
    expect(be.orders.get(ORDER)?.lines).toHaveLength(0);

    // Fixing it and pressing Enter adds the line and clears the error.
    await user.clear(screen.getByTestId("line-quantity-input"));
    await user.keyboard("2{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(screen.queryByTestId("error-quantity")).not.toBeInTheDocument();
  });

  it("catches a malformed price before sending anything", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.type(await screen.findByTestId("line-product-input"), "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Tab}");
    await user.clear(screen.getByTestId("line-price-input"));
    await user.keyboard("12.345{Enter}{Enter}");
    expect(await screen.findByTestId("error-unit_price")).toHaveTextContent("At most 2 decimals");
    expect(be.callsTo("execute_command")).toHaveLength(0);
  });

  it("warns before placing when the spending limit would be exceeded", async () => {
    const c = be.customers.get(CUSTOMER)!;
    c.customer = { ...c.customer, spending_limit: 5000, open_total: 3000 };
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.type(await screen.findByTestId("line-product-input"), "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    // 12.50 + 21% = 15.13 gross; 30.00 open + 15.13 > 50.00? No: 45.13. No warning yet.
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(screen.queryByTestId("spending-warning")).not.toBeInTheDocument();

    await user.keyboard("P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    const warning = await screen.findByTestId("spending-warning");
    // Amounts in the user's locale, and what placing will do.
    expect(warning).toHaveTextContent(`over the spending limit of ${formatMoney(5000, "EUR")}.`);
    expect(warning).toHaveTextContent("held until a manager releases it");

    // Removing a line removes the cause: the warning goes with it.
    const qty = within(screen.getAllByTestId("order-line")[1]!).getByRole("textbox", { name: "Quantity, line 2" });
    qty.focus();
    await user.keyboard("{Control>}{Delete}{/Control}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(screen.queryByTestId("spending-warning")).not.toBeInTheDocument();

    // Over the limit again and placed anyway: the order is held for a manager, not refused.
    await user.type(screen.getByTestId("line-product-input"), "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("spending-warning")).toHaveTextContent("over the spending limit");
    await user.click(screen.getByTestId("order-place"));
    await waitFor(() => expect(be.orders.get(ORDER)?.order.status).toBe("held"));
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "held"));
    expect(screen.queryByTestId("order-action-error")).not.toBeInTheDocument();
  });

  it("shows a refusal to place until the order changes: adding the missing line removes it", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.click(await screen.findByTestId("order-place"));
    expect(await screen.findByTestId("order-action-error")).toHaveTextContent("An order without lines cannot be placed.");
    await user.type(screen.getByTestId("line-product-input"), "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    expect(screen.queryByTestId("order-action-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "draft");
  });

  it("places, and then offers delivery instead of line editing", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.type(await screen.findByTestId("line-product-input"), "P-200{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "placed"));
    expect(screen.getByTestId("order-deliver")).toBeInTheDocument();
    expect(screen.queryByTestId("line-product-input")).not.toBeInTheDocument();
  });
});

describe("placing with Ctrl+Enter while a line is edited", () => {
  const addLine = async (user: ReturnType<typeof userEvent.setup>) => {
    await user.type(await screen.findByTestId("line-product-input"), "P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("order-line")).toHaveLength(1));
  };

  it("saves the edited line first, then places with what the screen shows", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await addLine(user);
    const qty = within(screen.getAllByTestId("order-line")[0]!).getByRole("textbox", { name: "Quantity, line 1" });
    await user.clear(qty);
    await user.type(qty, "7");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "placed"));
    const types = be.commands.map((c) => c.type);
    expect(types.slice(-2)).toEqual(["ChangeOrderLine", "PlaceOrder"]);
    expect(be.orders.get(ORDER)?.lines[0]).toMatchObject({ quantity: 7 });
  });

  it("refuses to place while the edited line cannot be saved", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await addLine(user);
    const qty = within(screen.getAllByTestId("order-line")[0]!).getByRole("textbox", { name: "Quantity, line 1" });
    await user.clear(qty);
    await user.type(qty, "x");
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(await screen.findByTestId("error-quantity")).toBeInTheDocument();
    expect(be.commands.some((c) => c.type === "PlaceOrder")).toBe(false);
    expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "draft");
  });

  it("adds a started new line first, then places", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} focusLine />);
    await user.type(await screen.findByTestId("line-product-input"), "P-200{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("order-status")).toHaveAttribute("data-status", "placed"));
    const types = be.commands.map((c) => c.type);
    expect(types.slice(-2)).toEqual(["AddOrderLine", "PlaceOrder"]);
    expect(be.orders.get(ORDER)?.lines[0]).toMatchObject({ quantity: 1 });
  });
});

describe("new order", () => {
  /** The commands recorded together by the one `execute_commands` call. */
  const batches = () => be.calls.filter((c) => c.cmd === "execute_commands").map((c) => c.args.commands as Command[]);

  /** Picks Acme by typing, then types a first line of `qty` x P-100 and Enter. */
  async function firstLine(user: ReturnType<typeof userEvent.setup>, qty = "2") {
    await user.type(screen.getByTestId("order-customer-input"), "acme");
    await screen.findByTestId("customer-option");
    await user.keyboard("{Enter}");
    const product = await screen.findByTestId("line-product-input");
    await waitFor(() => expect(product).toHaveFocus());
    await user.keyboard("P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard(`{Control>}a{/Control}${qty}{Enter}`);
  }

  it("writes nothing when the customer is picked; the order is recorded with its first line", async () => {
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    const input = screen.getByTestId("order-customer-input");
    expect(input).toHaveFocus();
    await user.type(input, "acme");
    const option = await screen.findByTestId("customer-option");
    expect(within(option).getByText("Acme Trading")).toBeInTheDocument();
    // The city tells two customers of the same name apart.
    expect(within(option).getByTestId("customer-option-city")).toHaveTextContent("Rotterdam");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("new-order-customer")).toHaveTextContent("Acme Trading");
    await waitFor(() => expect(screen.getByTestId("line-product-input")).toHaveFocus());
    // Picking wrote nothing, not even a number.
    expect(be.commands).toEqual([]);
    expect(be.calls.some((c) => c.cmd === "next_number")).toBe(false);

    await user.keyboard("P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Control>}a{/Control}2{Enter}");
    await waitFor(() => expect(batches()).toHaveLength(1));
    const [batch] = batches();
    expect(batch?.map((c) => c.type)).toEqual(["CreateOrder", "AddOrderLine"]);
    expect(batch?.[0]).toMatchObject({ type: "CreateOrder", customer_id: CUSTOMER, number: "SO-00001" });
    const id = batch?.[0] && "order_id" in batch[0] ? batch[0].order_id : "?";
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(batch?.[1]).toMatchObject({ order_id: id, product_id: "p1", quantity: 2 });
    await waitFor(() => expect(window.location.hash).toBe(`#/orders/${id}?focus=line`));
    expect(be.orders.get(id)?.lines).toHaveLength(1);
  });

  it("leaves no draft when the first line is refused, and keeps what was typed", async () => {
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    const before = be.orders.size;
    await firstLine(user, "0");
    expect(await screen.findByTestId("error-quantity")).toBeInTheDocument();
    expect(be.orders.size).toBe(before);
    expect(be.commands).toEqual([]);
    expect(screen.getByTestId("line-quantity-input")).toHaveValue("0");
    expect(screen.getByTestId("line-product-input")).toHaveValue("P-100 · Widget");
    expect(screen.getByTestId("new-order-draft")).toBeInTheDocument();
  });

  it("creates a customer nobody matches from the picker and starts the order for it", async () => {
    be.counters.customer = 1; // C-00001 is Acme's
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    await user.type(screen.getByTestId("order-customer-input"), "De Gouden Molen");
    expect(await screen.findByTestId("customer-create")).toHaveTextContent("Create customer “De Gouden Molen”…");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("quick-customer-name")).toHaveValue("De Gouden Molen");
    expect(screen.getByTestId("quick-customer-name")).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("new-order-customer")).toHaveTextContent("De Gouden Molen");
    const register = be.commands.find((c) => c.type === "RegisterCustomer");
    expect(register).toMatchObject({ name: "De Gouden Molen", number: "C-00002" });
    expect(be.commands.some((c) => c.type === "CreateOrder")).toBe(false);
    await waitFor(() => expect(screen.getByTestId("line-product-input")).toHaveFocus());
    await user.keyboard("P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(batches()).toHaveLength(1));
    expect(batches()[0]?.[0]).toMatchObject({
      type: "CreateOrder",
      customer_id: register && "customer_id" in register ? register.customer_id : "?",
    });
    await waitFor(() => expect(window.location.hash).toMatch(/^#\/orders\/[0-9a-f-]{36}\?focus=line$/));
  });

  it("chooses the customer's default delivery address for the new order, in the same batch", async () => {
    be.customers.get(CUSTOMER)!.addresses = [
      { id: "addr-1", label: "Warehouse", street: "Kade 1", postal_code: "3011", city: "Rotterdam", country: "NL" },
      { id: "addr-2", label: "Office", street: "Plein 2", postal_code: "1012", city: "Amsterdam", country: "NL" },
    ];
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    await firstLine(user);
    await waitFor(() => expect(batches()).toHaveLength(1));
    expect(batches()[0]?.map((c) => c.type)).toEqual(["CreateOrder", "SetDeliveryAddress", "AddOrderLine"]);
    expect(batches()[0]?.[1]).toMatchObject({ address_id: "addr-1" });
  });

  it("Ctrl+Enter on the first line records the order and has its screen place it", async () => {
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    await user.type(screen.getByTestId("order-customer-input"), "acme");
    await screen.findByTestId("customer-option");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-product-input")).toHaveFocus());
    await user.keyboard("P-100{Enter}");
    await waitFor(() => expect(screen.getByTestId("line-quantity-input")).toHaveFocus());
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(window.location.hash).toMatch(/^#\/orders\/[0-9a-f-]{36}\?focus=line&place=1$/));
    const id = window.location.hash.slice("#/orders/".length, "#/orders/".length + 36);
    renderWithClient(<OrderScreen id={id} focusLine place />);
    await waitFor(() => expect(be.orders.get(id)?.order.status).toBe("placed"));
    expect(window.location.hash).toBe(`#/orders/${id}?focus=line`);
  });

  it("goes back to the customer picker before the first line, writing nothing", async () => {
    const user = userEvent.setup();
    renderWithClient(<NewOrder />);
    await user.type(screen.getByTestId("order-customer-input"), "acme");
    await screen.findByTestId("customer-option");
    await user.keyboard("{Enter}");
    await user.click(await screen.findByTestId("new-order-change-customer"));
    await waitFor(() => expect(screen.getByTestId("order-customer-input")).toHaveFocus());
    expect(be.calls.filter((c) => c.cmd === "execute_command" || c.cmd === "execute_commands")).toEqual([]);
  });
});

describe("a draft's customer and discarding", () => {
  const OTHER = "01900000-0000-7000-8000-0000000000c3";

  it("changes the draft's customer from the order screen", async () => {
    be.addCustomer({ id: OTHER, name: "Bakkerij Jansen", number: "C-00002", city: "Utrecht" });
    be.customers.get(OTHER)!.addresses = [
      { id: "addr-9", label: "Shop", street: "Markt 9", postal_code: "3511", city: "Utrecht", country: "NL" },
    ];
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} />);
    await user.click(await screen.findByTestId("order-change-customer"));
    const input = await screen.findByTestId("change-customer-input");
    await waitFor(() => expect(input).toHaveFocus());
    await user.type(input, "bakker");
    await screen.findByTestId("customer-option");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("order-customer")).toHaveTextContent("Bakkerij Jansen"));
    expect(lastCommand()).toEqual({ type: "ChangeOrderCustomer", order_id: ORDER, customer_id: OTHER });
    expect(screen.queryByTestId("change-customer-form")).not.toBeInTheDocument();
    expect(be.orders.get(ORDER)?.delivery_address?.id).toBe("addr-9");
  });

  it("shows why a blocked customer cannot take the draft", async () => {
    be.addCustomer({ id: OTHER, name: "Bakkerij Jansen", number: "C-00002", blocked: true });
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} />);
    await user.click(await screen.findByTestId("order-change-customer"));
    await user.type(await screen.findByTestId("change-customer-input"), "bakker");
    await screen.findByTestId("customer-option");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("change-customer-error")).toHaveTextContent(/blocked/i);
    expect(screen.getByTestId("order-customer")).toHaveTextContent("Acme Trading");
  });

  it("discards a draft after a confirmation, by keyboard, and goes to the list", async () => {
    const user = userEvent.setup();
    renderWithClient(<OrderScreen id={ORDER} />);
    const button = await screen.findByTestId("order-discard");
    // A draft is discarded, not cancelled.
    expect(screen.queryByTestId("order-cancel")).not.toBeInTheDocument();
    button.focus();
    await user.keyboard("{Enter}");
    const confirm = await screen.findByTestId("discard-confirm");
    await waitFor(() => expect(confirm).toHaveFocus());
    // Esc keeps it.
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("discard-form")).not.toBeInTheDocument());
    expect(be.commands).toEqual([]);
    screen.getByTestId("order-discard").focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("discard-confirm")).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(lastCommand()).toEqual({ type: "DiscardOrder", order_id: ORDER }));
    await waitFor(() => expect(window.location.hash).toBe("#/orders"));
    expect(be.orders.get(ORDER)?.order.status).toBe("discarded");
  });

  it("shows a discarded order without draft actions", async () => {
    be.orders.get(ORDER)!.order.status = "discarded";
    renderWithClient(<OrderScreen id={ORDER} />);
    expect(await screen.findByTestId("order-status")).toHaveAttribute("data-status", "discarded");
    expect(screen.queryByTestId("order-discard")).not.toBeInTheDocument();
    expect(screen.queryByTestId("order-cancel")).not.toBeInTheDocument();
    expect(screen.queryByTestId("order-place")).not.toBeInTheDocument();
    expect(screen.queryByTestId("new-line")).not.toBeInTheDocument();
  });
});
