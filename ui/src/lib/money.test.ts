import { describe, expect, it } from "vitest";
import {
  bpToInput,
  centsToDecimal,
  formatBp,
  formatMoney,
  moneyToInput,
  parseDiscount,
  parseMoney,
  parseQuantity,
} from "./money";

const ok = (value: number) => ({ ok: true, value });

describe("parseMoney", () => {
  it("parses exactly, without float artefacts", () => {
    // parseFloat("0.29") * 100 === 28.999999999999996; "1.005" rounds badly as a float.
    expect(parseMoney("0.29", "en-US")).toEqual(ok(29));
    expect(parseMoney("19.99", "en-US")).toEqual(ok(1999));
    expect(parseMoney("1.1", "en-US")).toEqual(ok(110));
    expect(parseMoney("90071992547409.91", "en-US")).toEqual(ok(9007199254740991));
  });

  it("reads the user's locale: grouping and decimal separators", () => {
    expect(parseMoney("1,234.56", "en-US")).toEqual(ok(123456));
    expect(parseMoney("1.234,56", "nl-NL")).toEqual(ok(123456));
    expect(parseMoney("1.234.567,8", "de-DE")).toEqual(ok(123456780));
    expect(parseMoney("12,5", "nl-NL")).toEqual(ok(1250));
    expect(parseMoney("1 234,56", "fr-FR")).toEqual(ok(123456));
    expect(parseMoney("1\u202f234,56", "fr-FR")).toEqual(ok(123456));
    expect(parseMoney("1'234.50", "de-CH")).toEqual(ok(123450));
  });

  it("accepts the other common notation when it is unambiguous", () => {
    // A dot followed by one or two digits is a decimal point even in nl-NL...
    expect(parseMoney("12.50", "nl-NL")).toEqual(ok(1250));
    // ...but followed by exactly three digits it groups thousands, as nl-NL writes them.
    expect(parseMoney("1.234", "nl-NL")).toEqual(ok(123400));
    expect(parseMoney("1,234", "en-US")).toEqual(ok(123400));
    expect(parseMoney("1,5", "en-US")).toEqual(ok(150));
  });

  it("strips currency signs and codes, keeps the sign", () => {
    expect(parseMoney("€ 12,50", "nl-NL")).toEqual(ok(1250));
    expect(parseMoney("EUR 7", "en-US")).toEqual(ok(700));
    expect(parseMoney("-0.05", "en-US")).toEqual(ok(-5));
    expect(parseMoney(".5", "en-US")).toEqual(ok(50));
  });

  it("refuses what it cannot read exactly", () => {
    expect(parseMoney("12.345", "nl-NL")).toEqual(ok(1234500)); // grouping, not 3 decimals
    expect(parseMoney("1.2.3,456", "nl-NL")).toMatchObject({ ok: false, error: "At most 2 decimals" });
    expect(parseMoney("0.001", "en-US")).toMatchObject({ ok: false, error: "At most 2 decimals" });
    expect(parseMoney("12,3,4", "nl-NL")).toMatchObject({ ok: false });
    expect(parseMoney("abc", "en-US")).toMatchObject({ ok: false, error: "Not an amount" });
    expect(parseMoney("", "en-US")).toMatchObject({ ok: false, error: "Enter an amount" });
    expect(parseMoney("99999999999999999", "en-US")).toMatchObject({ ok: false, error: "The amount is too large" });
  });
});

describe("formatMoney", () => {
  it("formats cents exactly in the user's locale", () => {
    expect(formatMoney(123456, "EUR", "en-US")).toBe("€1,234.56");
    expect(formatMoney(123456, "EUR", "nl-NL")).toBe("€\u00a01.234,56");
    expect(formatMoney(123456, "EUR", "de-DE")).toBe("1.234,56\u00a0€");
    expect(formatMoney(-5, "EUR", "en-US")).toBe("-€0.05");
    expect(formatMoney(0, "USD", "en-US")).toBe("$0.00");
  });

  it("keeps every cent of large amounts", () => {
    expect(formatMoney(9007199254740991, "EUR", "en-US")).toBe("€90,071,992,547,409.91");
  });

  it("round-trips through the input form", () => {
    for (const locale of ["en-US", "nl-NL", "de-DE", "fr-FR"]) {
      for (const cents of [0, 5, 99, 1250, 123456, 100000000]) {
        const parsed = parseMoney(moneyToInput(cents, locale), locale);
        expect(parsed).toEqual(ok(cents));
      }
    }
    expect(moneyToInput(1250, "nl-NL")).toBe("12,50");
    expect(centsToDecimal(-123456)).toBe("-1234.56");
  });
});

describe("parseDiscount", () => {
  it("turns a percentage into basis points exactly", () => {
    expect(parseDiscount("10", "en-US")).toEqual(ok(1000));
    expect(parseDiscount("12.5", "en-US")).toEqual(ok(1250));
    expect(parseDiscount("12,5", "nl-NL")).toEqual(ok(1250));
    expect(parseDiscount("0.01%", "en-US")).toEqual(ok(1));
    expect(parseDiscount("100", "en-US")).toEqual(ok(10000));
    expect(parseDiscount("", "en-US")).toEqual(ok(0));
  });

  it("leaves the range to the domain but refuses sub-basis-point precision", () => {
    expect(parseDiscount("150", "en-US")).toEqual(ok(15000));
    expect(parseDiscount("-5", "en-US")).toEqual(ok(-500));
    expect(parseDiscount("12.345", "en-US")).toMatchObject({ ok: false, error: "At most 2 decimals" });
    expect(parseDiscount("ten", "en-US")).toMatchObject({ ok: false });
  });

  it("formats basis points back", () => {
    expect(formatBp(1250, "en-US")).toBe("12.5%");
    expect(formatBp(2100, "nl-NL")).toBe("21%");
    expect(bpToInput(1250, "nl-NL")).toBe("12,5");
    expect(bpToInput(1005, "en-US")).toBe("10.05");
    expect(bpToInput(0, "en-US")).toBe("");
  });
});

describe("parseQuantity", () => {
  it("takes whole numbers, and lets the domain judge zero", () => {
    expect(parseQuantity("3", "en-US")).toEqual(ok(3));
    expect(parseQuantity("1,000", "en-US")).toEqual(ok(1000));
    expect(parseQuantity("0", "en-US")).toEqual(ok(0));
    expect(parseQuantity("1.5", "en-US")).toMatchObject({ ok: false, error: "Quantity is a whole number" });
    expect(parseQuantity("", "en-US")).toMatchObject({ ok: false });
  });
});
