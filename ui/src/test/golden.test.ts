import { describe, expect, it } from "vitest";
import { errorCases, inputRefusal, lineCases, lineNet, refusal, totalsCases, totalsOf, vatRateOf } from "./golden";

describe("golden files", () => {
  it("answer lines and totals as generated, whatever the order of the lines", () => {
    expect(lineCases.length).toBeGreaterThan(10);
    for (const c of lineCases) expect(lineNet(c.quantity, c.unit_price, c.discount_bp)).toBe(c.net);
    for (const c of totalsCases) {
      expect(totalsOf([...c.lines].reverse())).toEqual(c.totals);
      expect(c.totals.gross).toBe(c.totals.net + c.totals.vat);
    }
    expect(vatRateOf("standard")).toBe(2100);
  });

  it("say where to add a case they do not have", () => {
    expect(() => lineNet(3, 1, 2)).toThrow(/crates\/app\/tests\/it\/golden\.rs/);
    expect(() => totalsOf([{ vat_rate_bp: 2100, net: 12345 }])).toThrow(/UPDATE_EXPECT=1/);
    expect(() => refusal("duplicate_customer_number", { value: "C-77777" })).toThrow(/golden\.rs/);
  });

  it("refuse a command by the input that alone caused a real refusal", () => {
    for (const c of errorCases) {
      if (!c.input || !c.command) continue;
      expect(inputRefusal(c.command), c.name).toEqual(c.error);
    }
    const ok = errorCases.find((c) => c.name === "quantity_zero")!.command!;
    expect(inputRefusal({ ...ok, quantity: 2 } as typeof ok)).toBeUndefined();
  });
});
