import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { fieldErrorsOf } from "../lib/errors";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import { CustomerForm, CustomerScreen, validateCustomer, type CustomerValues } from "./Customers";

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
});

const values = (v: Partial<CustomerValues>): CustomerValues => ({
  number: "C-1", kind: "organisation", name: "Acme", vat_number: "", email: "", spending_limit: "", ...v,
});

describe("validateCustomer", () => {
  it("requires number and name, checks e-mail and limit formats", () => {
    expect(validateCustomer(values({}), "create")).toEqual({});
    expect(validateCustomer(values({ number: " ", name: "" }), "create")).toEqual({
      number: "Customer number is required.",
      name: "Name is required.",
    });
    expect(validateCustomer(values({ email: "not an address" }), "create").email).toMatch(/not an e-mail address/);
    expect(validateCustomer(values({ spending_limit: "1.234,567" }), "create").spending_limit).toBeDefined();
    expect(validateCustomer(values({ spending_limit: "-10" }), "create").spending_limit).toMatch(/negative/);
    // Editing: the number cannot change and the limit is set elsewhere.
    expect(validateCustomer(values({ number: "", spending_limit: "x" }), "edit")).toEqual({});
  });
});

describe("fieldErrorsOf", () => {
  it("puts a server error under the field it names, or on the form", () => {
    const fields = ["number", "name", "spending_limit"];
    expect(fieldErrorsOf({ code: "required", message: "name is required", field: "name" }, fields)).toEqual({
      name: "Name is required.",
    });
    expect(fieldErrorsOf({ code: "x", message: "bad limit", field: "limit" }, fields, { limit: "spending_limit" })).toEqual({
      spending_limit: "Bad limit.",
    });
    expect(fieldErrorsOf({ code: "conflict", message: "the record was changed meanwhile; try again" }, fields)).toEqual({
      _form: "The record was changed meanwhile; try again.",
    });
    expect(fieldErrorsOf({ code: "x", message: "m", field: "address.street" }, fields)).toEqual({ _form: "M." });
  });
});

describe("customer form", () => {
  it("shows required-field errors at their fields and sends nothing", async () => {
    const user = userEvent.setup();
    renderWithClient(<CustomerForm />);
    await waitFor(() => expect(screen.getByTestId("customer-number")).toHaveValue("C-00001"));
    await user.type(screen.getByTestId("customer-email"), "nope");
    await user.click(screen.getByTestId("customer-save"));
    expect(screen.getByTestId("error-name")).toHaveTextContent("Name is required.");
    expect(screen.getByTestId("error-email")).toHaveTextContent("'nope' is not an e-mail address.");
    expect(screen.getByTestId("customer-name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("customer-name")).toHaveFocus();
    expect(be.callsTo("execute_command")).toHaveLength(0);
  });

  it("shows the server's error next to the field it names", async () => {
    be.addCustomer({ id: "c0", name: "Existing", number: "C-00001" });
    const user = userEvent.setup();
    renderWithClient(<CustomerForm />);
    await waitFor(() => expect(screen.getByTestId("customer-number")).toHaveValue("C-00001"));
    await user.type(screen.getByTestId("customer-name"), "Bakker BV");
    await user.type(screen.getByTestId("customer-spending-limit"), "2.500,00");
    await user.click(screen.getByTestId("customer-save"));
    const err = await screen.findByTestId("error-number");
    expect(err).toHaveTextContent("Customer number “C-00001” is already used.");
    expect(screen.getByTestId("customer-number")).toHaveAttribute("aria-describedby", "err-number");
    expect(screen.queryByTestId("error-name")).not.toBeInTheDocument();
    expect(be.customers.size).toBe(1);
    // The command carried exact cents parsed from the text.
    expect(be.callsTo("execute_command")[0]?.args).toMatchObject({
      command: { type: "RegisterCustomer", name: "Bakker BV", spending_limit: 250000 },
    });
  });

  it("creates the customer and opens it", async () => {
    const user = userEvent.setup();
    renderWithClient(<CustomerForm />);
    await waitFor(() => expect(screen.getByTestId("customer-number")).toHaveValue("C-00001"));
    await user.type(screen.getByTestId("customer-name"), "Bakker BV");
    await user.click(screen.getByTestId("customer-save"));
    await waitFor(() => expect(be.customers.size).toBe(1));
    const created = [...be.customers.values()][0]!.customer;
    expect(created).toMatchObject({ name: "Bakker BV", number: "C-00001", spending_limit: null });
    await waitFor(() => expect(window.location.hash).toBe(`#/customers/${created.id}`));
  });

  it("saves and starts the next customer with Shift+Enter, focus on the name", async () => {
    const user = userEvent.setup();
    window.location.hash = "#/customers/new";
    renderWithClient(<CustomerForm />);
    await waitFor(() => expect(screen.getByTestId("customer-number")).toHaveValue("C-00001"));
    await user.type(screen.getByTestId("customer-name"), "Bakker BV{Shift>}{Enter}{/Shift}");
    await waitFor(() => expect(be.customers.size).toBe(1));
    expect(await screen.findByTestId("customer-saved")).toHaveTextContent("Created Bakker BV.");
    await waitFor(() => expect(screen.getByTestId("customer-number")).toHaveValue("C-00002"));
    expect(screen.getByTestId("customer-name")).toHaveValue("");
    expect(screen.getByTestId("customer-name")).toHaveFocus();
    expect(window.location.hash).toBe("#/customers/new");
    // The button does the same.
    await user.type(screen.getByTestId("customer-name"), "Visser & Zn");
    await user.click(screen.getByTestId("customer-save-new"));
    await waitFor(() => expect(be.customers.size).toBe(2));
    await waitFor(() => expect(screen.getByTestId("customer-name")).toHaveFocus());
  });
});

describe("customer detail", () => {
  it("shows open orders against the limit and sets a new limit", async () => {
    be.addCustomer({ id: "c1", name: "Acme", spending_limit: 100000, open_total: 25000 });
    const user = userEvent.setup();
    renderWithClient(<CustomerScreen id="c1" />);
    const bar = await screen.findByRole("meter");
    expect(bar).toHaveAttribute("aria-valuenow", "25000");
    expect(bar).toHaveAttribute("aria-valuemax", "100000");
    const input = screen.getByTestId("customer-limit-input");
    await user.clear(input);
    await user.type(input, "-5");
    await user.click(screen.getByTestId("customer-limit-save"));
    expect(await screen.findByTestId("error-spending_limit")).toHaveTextContent("Spending limit must not be negative (got -5.00).");
    await user.clear(input);
    await user.type(input, "2000");
    await user.click(screen.getByTestId("customer-limit-save"));
    await waitFor(() => expect(screen.getByRole("meter")).toHaveAttribute("aria-valuemax", "200000"));
  });
});
