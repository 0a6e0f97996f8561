//! The golden files the Rust tests generate (`crates/app/tests/it/golden.rs`), for the
//! test backend: line nets and totals computed by the domain's rounding rule, the VAT
//! rate of each class, and real `ErrorBody` values with the commands that produced them.
//! Nothing here computes a rule: a case that is not in a file is an error that says
//! where to add it.

import type { Command, ErrorBody, ErrorCode, ErrorParams, Totals } from "../types";
import errorsFile from "./golden/errors.json";
import roundingFile from "./golden/rounding.json";

const REFRESH =
  "add it to crates/app/tests/it/golden.rs and refresh with `UPDATE_EXPECT=1 cargo test -p daybook-app --test it golden`";

export type LineCase = { quantity: number; unit_price: number; discount_bp: number; net: number };
export type TotalsCase = { lines: { vat_rate_bp: number; net: number }[]; totals: Totals };
export type ErrorCase = {
  /** What the case shows, e.g. `quantity_zero`. */
  name: string;
  /** The command a real Daybook refused (absent for `call`s such as a backup). */
  command?: Command;
  /** The application call that failed, in words, when it was not a command. */
  call?: string;
  /** The command's fields that alone cause the refusal (with its `type`), if any. */
  input?: Record<string, unknown>;
  /** What the real Daybook answered. */
  error: ErrorBody;
};

const rounding = roundingFile as unknown as {
  vat_rates: Record<string, number | undefined>;
  lines: LineCase[];
  totals: TotalsCase[];
};

/** Every rounding case, as generated. */
export const lineCases: readonly LineCase[] = rounding.lines;
export const totalsCases: readonly TotalsCase[] = rounding.totals;
/** Every refusal, as generated. */
export const errorCases: readonly ErrorCase[] = (errorsFile as unknown as { cases: ErrorCase[] }).cases;

/** The VAT rate (basis points) of a class, as the domain has it. */
export function vatRateOf(vatClass: string): number {
  const rate = rounding.vat_rates[vatClass];
  if (rate === undefined) throw new Error(`no VAT class ${vatClass} in the golden file`);
  return rate;
}

/** The net of a line, from the rounding golden file. */
export function lineNet(quantity: number, unitPrice: number, discountBp: number): number {
  const found = rounding.lines.find(
    (c) => c.quantity === quantity && c.unit_price === unitPrice && c.discount_bp === discountBp,
  );
  if (!found) {
    throw new Error(`no golden line net for ${quantity} x ${unitPrice} cents - ${discountBp} bp: ${REFRESH}`);
  }
  return found.net;
}

const linesKey = (lines: readonly { vat_rate_bp: number; net: number }[]) =>
  lines
    .map((l) => [l.vat_rate_bp, l.net] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .join(";");

/** The totals of a document's lines, from the rounding golden file. */
export function totalsOf(lines: readonly { vat_rate_bp: number; net: number }[]): Totals {
  const key = linesKey(lines);
  const found = rounding.totals.find((c) => linesKey(c.lines) === key);
  if (!found) throw new Error(`no golden totals for lines (rate, net) ${key || "(none)"}: ${REFRESH}`);
  return structuredClone(found.totals);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The refusal of a command whose input alone is wrong (quantity 0, discount 150 %...). */
export function inputRefusal(command: Command): ErrorBody | undefined {
  const fields = command as unknown as Record<string, unknown>;
  const found = errorCases.find(
    (c) => c.input && Object.entries(c.input).every(([key, value]) => same(fields[key], value)),
  );
  return found && structuredClone(found.error);
}

/** The real refusal with `code` whose parameters include `params` (a state's refusal). */
export function refusal(code: ErrorCode, params: Partial<ErrorParams> = {}): ErrorBody {
  const found = errorCases.find(
    (c) =>
      c.error.code === code &&
      Object.entries(params).every(([key, value]) => same(c.error.params?.[key as keyof ErrorParams], value)),
  );
  if (!found) throw new Error(`no golden error ${code} with params ${JSON.stringify(params)}: ${REFRESH}`);
  return structuredClone(found.error);
}

/** A golden error by its case name. */
export function goldenError(name: string): ErrorBody {
  const found = errorCases.find((c) => c.name === name);
  if (!found) throw new Error(`no golden error case ${name}: ${REFRESH}`);
  return structuredClone(found.error);
}
