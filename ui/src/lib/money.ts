//! Money in the UI: integer cents in, integer cents out. Amounts typed by a person are
//! parsed as decimal *strings* (never through a float), in the user's locale or in the
//! "other" common notation, and formatted with Intl from an exact decimal string.

import { separators, userLocale } from "./locale";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Characters people paste around amounts: currency signs and codes, spaces, apostrophes. */
const NOISE = /^[A-Z]{3}(?=[\s\d.,-])|(?<=[\s\d.,])[A-Z]{3}$|[\s\u00a0\u202f'’€$£¥%]/g;

/**
 * Splits a digit string with `.`/`,` separators into integer and fraction digits.
 * Rules: with both separators, the last one is the decimal separator. With one kind
 * only: the locale's decimal separator is decimal (if it occurs once); the other one is
 * a grouping separator when it occurs more than once or is followed by exactly three
 * digits ("1.234" in nl-NL, "1,234" in en-US), and decimal otherwise ("12.5" in nl-NL).
 */
function splitDecimal(
  s: string,
  locale: string,
): { int: string; frac: string } | { error: string } {
  if (!/^[0-9.,]+$/.test(s)) return { error: "Not a number" };
  const { decimal } = separators(locale);
  const lastDot = s.lastIndexOf(".");
  const lastComma = s.lastIndexOf(",");
  let dec: string | null = null;
  if (lastDot >= 0 && lastComma >= 0) {
    dec = lastDot > lastComma ? "." : ",";
    if (s.split(dec).length > 2) return { error: "Not a number" };
  } else if (lastDot >= 0 || lastComma >= 0) {
    const c = lastDot >= 0 ? "." : ",";
    const count = s.split(c).length - 1;
    const after = s.length - s.lastIndexOf(c) - 1;
    if (c === decimal) {
      if (count > 1) return { error: "Not a number" };
      dec = c;
    } else if (count === 1 && after !== 3) {
      dec = c;
    }
  }
  let int = s;
  let frac = "";
  if (dec) {
    const at = s.lastIndexOf(dec);
    int = s.slice(0, at);
    frac = s.slice(at + 1);
  }
  int = int.replace(/[.,]/g, "");
  if (int === "" && frac === "") return { error: "Not a number" };
  return { int: int || "0", frac };
}

function stripSign(input: string): { negative: boolean; rest: string } {
  const s = input.replace(NOISE, "");
  if (/^[-−]/.test(s)) return { negative: true, rest: s.slice(1) };
  if (/[-−]$/.test(s)) return { negative: true, rest: s.slice(0, -1) };
  return { negative: false, rest: s };
}

/**
 * Parses an amount typed by a person into integer minor units, exactly.
 * `"1.234,56"` (nl-NL) and `"1,234.56"` (en-US) are both 123456; `"12,5"` is 1250.
 * More than `fractionDigits` decimals is an error, never rounded.
 */
export function parseMoney(input: string, locale = userLocale(), fractionDigits = 2): Parsed<number> {
  const { negative, rest } = stripSign(input.trim());
  if (rest === "") return { ok: false, error: "Enter an amount" };
  const parts = splitDecimal(rest, locale);
  if ("error" in parts) return { ok: false, error: "Not an amount" };
  if (parts.frac.length > fractionDigits) {
    return {
      ok: false,
      error: fractionDigits === 0 ? "No decimals allowed" : `At most ${fractionDigits} decimals`,
    };
  }
  const cents =
    BigInt(parts.int) * 10n ** BigInt(fractionDigits) +
    BigInt(parts.frac.padEnd(fractionDigits, "0") || "0");
  if (cents > MAX_SAFE) return { ok: false, error: "The amount is too large" };
  const value = Number(cents);
  return { ok: true, value: negative && value !== 0 ? -value : value };
}

/** `"12,5"` / `"12.5%"` -> 1250 basis points. Blank is 0. At most two decimals. */
export function parseDiscount(input: string, locale = userLocale()): Parsed<number> {
  const { negative, rest } = stripSign(input.trim());
  if (rest === "") return { ok: true, value: 0 };
  const parts = splitDecimal(rest, locale);
  if ("error" in parts) return { ok: false, error: "Not a percentage" };
  if (parts.frac.length > 2) return { ok: false, error: "At most 2 decimals" };
  if (parts.int.length > 6) return { ok: false, error: "Discount must be between 0% and 100%" };
  const bp = Number(parts.int) * 100 + Number(parts.frac.padEnd(2, "0"));
  return { ok: true, value: negative && bp !== 0 ? -bp : bp };
}

/** A whole number of units. Zero and negatives parse: the domain says why they are wrong. */
export function parseQuantity(input: string, locale = userLocale()): Parsed<number> {
  const s = input.trim().replace(/[\s\u00a0\u202f']/g, "");
  if (s === "") return { ok: false, error: "Enter a quantity" };
  const { group } = separators(locale);
  const plain = s.split(group).join("");
  if (!/^[-−]?\d+$/.test(plain)) return { ok: false, error: "Quantity is a whole number" };
  const n = BigInt(plain.replace("−", "-"));
  if (n > MAX_SAFE || n < -MAX_SAFE) return { ok: false, error: "Quantity is too large" };
  return { ok: true, value: Number(n) };
}

/** Exact decimal text of an amount in cents: 123456 -> "1234.56", -5 -> "-0.05". */
export function centsToDecimal(cents: number, fractionDigits = 2): string {
  const negative = cents < 0;
  const abs = BigInt(Math.abs(cents));
  const unit = 10n ** BigInt(fractionDigits);
  const int = (abs / unit).toString();
  const frac = (abs % unit).toString().padStart(fractionDigits, "0");
  return `${negative ? "-" : ""}${int}${fractionDigits > 0 ? `.${frac}` : ""}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/** 123456 cents EUR in nl-NL -> "€ 1.234,56". Formats the exact decimal string. */
export function formatMoney(cents: number, currency = "EUR", locale = userLocale()): string {
  return moneyFormat(locale, currency).format(centsToDecimal(cents) as `${number}`);
}

/** An amount without a known currency: 123456 cents -> "1,234.56" (en-US), "1.234,56" (nl-NL). */
export function formatAmount(cents: number, locale = userLocale()): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    centsToDecimal(cents) as `${number}`,
  );
}

/** An amount as a person would type it back in: no grouping, the locale's decimal mark. */
export function moneyToInput(cents: number, locale = userLocale()): string {
  const { decimal } = separators(locale);
  return centsToDecimal(cents).replace(".", decimal);
}

/** 1250 basis points -> "12.5%" (en-US) / "12,5%" (nl-NL). */
export function formatBp(bp: number, locale = userLocale()): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(
    bp / 10_000,
  );
}

/** Basis points back to input text: 1250 -> "12.5" / "12,5"; 0 -> "". */
export function bpToInput(bp: number, locale = userLocale()): string {
  if (bp === 0) return "";
  const { decimal } = separators(locale);
  const int = Math.trunc(bp / 100);
  const frac = Math.abs(bp % 100);
  const fracText = frac === 0 ? "" : String(frac).padStart(2, "0").replace(/0$/, "");
  return fracText ? `${int}${decimal}${fracText}` : String(int);
}
