import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import { ProductScreen } from "./Products";

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
});

describe("product form", () => {
  it("tabs in reading order: code, description, unit price, VAT class", async () => {
    const user = userEvent.setup();
    renderWithClient(<ProductScreen id={null} />);
    const code = await screen.findByTestId("product-code");
    expect(code).toHaveFocus();
    await user.type(code, "P-1");
    await user.tab();
    expect(screen.getByTestId("product-description")).toHaveFocus();
    // Typed text lands in the description, not in the VAT select.
    await user.keyboard("Widget");
    expect(screen.getByTestId("product-description")).toHaveValue("Widget");
    await user.tab();
    expect(screen.getByTestId("product-unit-price")).toHaveFocus();
    await user.tab();
    expect(screen.getByTestId("product-vat-class")).toHaveFocus();
    expect(screen.getByTestId("product-vat-class")).toHaveValue("standard");
  });

  it("saves and starts the next product with Save & new, focus on the code", async () => {
    const user = userEvent.setup();
    window.location.hash = "#/products/new";
    renderWithClient(<ProductScreen id={null} />);
    const code = await screen.findByTestId("product-code");
    await user.type(code, "P-1");
    await user.type(screen.getByTestId("product-description"), "Widget");
    await user.type(screen.getByTestId("product-unit-price"), "12.50");
    await user.click(screen.getByTestId("product-save-new"));
    await waitFor(() => expect(be.products.size).toBe(1));
    expect(await screen.findByTestId("product-saved")).toHaveTextContent("Created P-1.");
    expect(code).toHaveValue("");
    expect(code).toHaveFocus();
    expect(window.location.hash).toBe("#/products/new");
    // Shift+Enter does the same.
    await user.type(code, "P-2");
    await user.type(screen.getByTestId("product-description"), "Gadget");
    await user.type(screen.getByTestId("product-unit-price"), "9.99{Shift>}{Enter}{/Shift}");
    await waitFor(() => expect(be.products.size).toBe(2));
    await waitFor(() => expect(code).toHaveFocus());
  });
});
