import { describe, expect, it } from "vitest";
import { errorCases, goldenError } from "../test/golden";
import type { ErrorBody, ErrorCode } from "../types";
import { errorMessage, fieldLabel } from "./messages";

/** The codes whose detail exists only as the back end's text (see messages.ts). */
const TEXT_ONLY: ErrorCode[] = ["invalid_input", "invalid_backup", "io_error", "invalid_query", "unknown"];

describe("errorMessage", () => {
  it("builds every real refusal from its code and parameters, never from the English message", () => {
    for (const { name, error } of errorCases) {
      if (TEXT_ONLY.includes(error.code)) continue;
      for (const locale of ["en-US", "nl-NL", "de-DE"]) {
        const text = errorMessage({ ...error, message: "SERVER TEXT" }, locale);
        expect(text, name).not.toContain("SERVER TEXT");
        expect(text, name).toMatch(/^[A-Z“].*[.]$/);
        expect(text, name).not.toMatch(/basis points|\bbp\b/);
      }
    }
  });

  it("never shows cents or basis points: amounts and percentages in the user's locale", () => {
    // No longer given by this build (over the limit an order is held), but an older
    // peer may still report it.
    const limit: ErrorBody = {
      code: "spending_limit_exceeded",
      message: "SERVER TEXT",
      params: { currency: "EUR", limit: 5000, open_total: 3000, order_total: 3025 },
    };
    expect(errorMessage(limit, "en-US")).toBe(
      "Placing this order (€30.25) would take the customer's open orders (€30.00) to €60.25, over the spending limit of €50.00.",
    );
    expect(errorMessage(limit, "nl-NL")).toBe(
      "Placing this order (€\u00a030,25) would take the customer's open orders (€\u00a030,00) to €\u00a060,25, over the spending limit of €\u00a050,00.",
    );
    expect(errorMessage(goldenError("discount_over_100"), "en-US")).toBe("Discount must be between 0% and 100% (got 150%).");
    expect(errorMessage(goldenError("discount_over_100"), "de-DE")).toBe("Discount must be between 0\u00a0% and 100\u00a0% (got 150\u00a0%).");
    expect(errorMessage(goldenError("price_negative"), "nl-NL")).toBe("Price must not be negative (got -1,00).");
    expect(errorMessage(goldenError("price_too_large"), "en-US")).toBe(
      "Price 10,000,000,000.01 is larger than the maximum of 10,000,000,000.00.",
    );
    expect(errorMessage(goldenError("quantity_too_large"), "en-US")).toBe(
      "Quantity 1,000,000,001 is larger than the maximum of 1,000,000,000.",
    );
    expect(errorMessage(goldenError("quantity_zero"), "en-US")).toBe("Quantity must be greater than 0 (got 0).");
  });

  it("names fields, records and statuses in words", () => {
    expect(errorMessage(goldenError("customer_name_empty"))).toBe("Name is required.");
    expect(errorMessage(goldenError("product_code_empty"))).toBe("Product code is required.");
    expect(errorMessage(goldenError("customer_number_too_long"))).toBe("Number is longer than 32 characters.");
    expect(errorMessage(goldenError("line_not_found"))).toBe("There is no such order line.");
    expect(errorMessage(goldenError("deliver_draft"))).toBe("The order is a draft; it can only be delivered once placed.");
    expect(errorMessage(goldenError("customer_number_taken"))).toBe("Customer number “C-00001” is already used.");
    expect(fieldLabel("address.postal_code")).toBe("postal code");
    expect(errorMessage(goldenError("change_quantity_changed_meanwhile"))).toBe(
      "The quantity was changed by someone else from 3 to 1 meanwhile; your change to 4 was not made.",
    );
  });

  it("formats the server's limits: waiting time and body size", () => {
    const rate: ErrorBody = { code: "rate_limited", message: "too many requests", params: { retry_after_secs: 30 } };
    expect(errorMessage(rate, "en-US")).toBe("Too many requests; try again in 30 seconds.");
    const big: ErrorBody = { code: "payload_too_large", message: "too large", params: { max_bytes: 8_388_608 } };
    expect(errorMessage(big, "en-US")).toBe("The request is larger than the server accepts (8.4 MB).");
  });

  it("says a change from a newer app waits for the server's update", () => {
    const older: ErrorBody = {
      code: "unknown_command",
      message: "this server knows BlockCustomer up to version 1, not version 2",
      params: { value: "BlockCustomer", max: 1 },
    };
    expect(errorMessage(older, "en-US")).toBe(
      "The server is older than this app and cannot take this change yet; it can be sent again once the server is updated.",
    );
  });

  it("uses the message for a code from a newer peer, and when parameters are missing", () => {
    const newer = { code: "brand_new_rule", message: "the server refused it for a new reason" } as unknown as ErrorBody;
    expect(errorMessage(newer)).toBe("The server refused it for a new reason.");
    expect(errorMessage({ code: "unknown", message: "" })).toBe("Something went wrong.");
    expect(errorMessage({ code: "spending_limit_exceeded", message: "over the limit" })).toBe("Over the limit.");
    expect(errorMessage({ code: "invalid_quantity", message: "whatever" })).toBe("Quantity must be greater than 0.");
  });
});
