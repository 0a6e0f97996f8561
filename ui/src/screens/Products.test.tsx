import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import { ProductScreen } from "./Products";

beforeEach(() => {
  new FakeBackend().install();
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
});
