//! Messages for a person, built from the error contract's `code` and `params` (never
//! from the back end's English `message`): amounts in the user's locale with their
//! currency, discounts as percentages, counts grouped, never cents or basis points.
//!
//! `errorMessage` switches over every `ErrorCode` with no default arm, so adding a code
//! in Rust (and refreshing `bindings.ts`) fails the type check here until the code has
//! a message. The back end's `message` is used only where the contract carries nothing
//! else: for `unknown` (a code from a newer peer), for a body whose `params` lack what
//! its code needs (an older peer), and for the few codes whose detail exists only as
//! text (`invalid_input`, `invalid_backup`, `io_error`, `invalid_query`: the app words
//! those for a person and has no parameters to give).

import type { ErrorBody, ErrorCode, ErrorParams, OrderStatus, RecordKind, Role, TotalScope } from "../types";
import { formatCount, formatDateTime } from "./format";
import { userLocale } from "./locale";
import { formatAmount, formatBp, formatMoney } from "./money";

/** Capitalises the first letter and ends the sentence: the back end's messages are fragments. */
export function sentence(message: string): string {
  if (!message) return message;
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

const KINDS: Record<RecordKind, string> = {
  customer: "customer",
  product: "product",
  order: "order",
  line: "order line",
  address: "address",
  company: "company record",
};

/** Who may do what needs a role, as a person says it. */
const WHO: Record<Role, string> = {
  clerk: "anyone",
  manager: "a manager or an admin",
  admin: "an admin",
};

const SCOPES: Record<TotalScope, string> = {
  order: "The order's total",
  customer_open: "The customer's open orders",
  day: "The orders placed that day",
};

const STATUSES: Record<OrderStatus, string> = {
  draft: "a draft",
  held: "held for a manager",
  placed: "placed",
  delivered: "delivered",
  invoiced: "invoiced",
  cancelled: "cancelled",
  discarded: "discarded",
};

/** The values guarded against lost updates, by the field an error marks. */
const GUARDED: Record<string, string> = {
  quantity: "The quantity",
  unit_price: "The price",
  discount_bp: "The discount",
  customer_reference: "The customer's reference",
  notes: "The notes",
};

/** Fields named differently than their JSON key; the rest read as the key with spaces. */
const FIELD_LABELS: Record<string, string> = {
  number: "number",
  code: "product code",
  email: "e-mail address",
  vat_number: "VAT number",
  postal_code: "postal code",
  customer_reference: "customer reference",
  discount_bp: "discount",
  unit_price: "unit price",
  spending_limit: "spending limit",
};

/** A field's JSON name as a person reads it: `address.postal_code` is "postal code". */
export function fieldLabel(field: string | null | undefined): string {
  if (!field) return "this field";
  const key = field.split(".").pop() ?? field;
  return FIELD_LABELS[key] ?? key.replace(/_/g, " ");
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An amount with the currency when the error names one, as a plain number otherwise. */
function amount(cents: number, currency: string | null | undefined, locale: string): string {
  return currency ? formatMoney(cents, currency, locale) : formatAmount(cents, locale);
}

function bytes(n: number, locale: string): string {
  const [value, unit] = n >= 1e6 ? [n / 1e6, "megabyte"] : n >= 1e3 ? [n / 1e3, "kilobyte"] : [n, "byte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
}

function inSeconds(secs: number, locale: string): string {
  return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(secs, "second");
}

/** A quoted value as typed: “C-00001”. */
const quoted = (v: string) => `“${v}”`;

/** Present for sure: `null` and `undefined` are "the peer did not send it". */
function has<T>(v: T | null | undefined): v is T {
  return v !== null && v !== undefined;
}

/** The message for an error, in `locale` (the user's by default). */
export function errorMessage(body: ErrorBody, locale = userLocale()): string {
  const p: ErrorParams = body.params ?? {};
  const fallback = () => sentence(body.message) || "Something went wrong.";
  const money = (cents: number) => amount(cents, p.currency, locale);
  const n = (v: number) => formatCount(v, locale);
  const status = (s: OrderStatus | null | undefined) => (has(s) ? STATUSES[s] ?? s : null);
  const code: ErrorCode = body.code;
  switch (code) {
    case "not_found":
      return has(p.kind) ? `There is no such ${KINDS[p.kind] ?? p.kind}.` : "That record does not exist.";
    case "already_exists":
      return has(p.kind) ? `This ${KINDS[p.kind] ?? p.kind} already exists.` : "This record already exists.";
    case "required":
      return `${capital(fieldLabel(body.field))} is required.`;
    case "too_long":
      return has(p.max)
        ? `${capital(fieldLabel(body.field))} is longer than ${n(p.max)} characters.`
        : `${capital(fieldLabel(body.field))} is too long.`;
    case "invalid_character":
      return has(p.value)
        ? `${capital(fieldLabel(body.field))} contains a character that is not allowed there (${p.value}).`
        : `${capital(fieldLabel(body.field))} contains a character that is not allowed there.`;
    case "invalid_quantity":
      return has(p.quantity) ? `Quantity must be greater than 0 (got ${n(p.quantity)}).` : "Quantity must be greater than 0.";
    case "quantity_too_large":
      return has(p.quantity) && has(p.max)
        ? `Quantity ${n(p.quantity)} is larger than the maximum of ${n(p.max)}.`
        : "The quantity is too large.";
    case "negative_price":
      return has(p.amount) ? `Price must not be negative (got ${money(p.amount)}).` : "Price must not be negative.";
    case "price_too_large":
      return has(p.amount) && has(p.max_amount)
        ? `Price ${money(p.amount)} is larger than the maximum of ${money(p.max_amount)}.`
        : "The price is too large.";
    case "invalid_discount":
      return has(p.discount_bp)
        ? `Discount must be between ${formatBp(0, locale)} and ${formatBp(10_000, locale)} (got ${formatBp(p.discount_bp, locale)}).`
        : `Discount must be between ${formatBp(0, locale)} and ${formatBp(10_000, locale)}.`;
    case "negative_spending_limit":
      return has(p.amount)
        ? `Spending limit must not be negative (got ${money(p.amount)}).`
        : "Spending limit must not be negative.";
    case "invalid_email":
      return has(p.value) ? `${quoted(p.value)} is not an e-mail address.` : "That is not an e-mail address.";
    case "invalid_currency":
      return `${has(p.value) ? quoted(p.value) : "That"} is not a currency code (three letters, e.g. EUR).`;
    case "amount_too_large":
      return "The amount is too large.";
    case "total_too_large": {
      const what = has(p.scope) ? SCOPES[p.scope] : "The total";
      return has(p.max_amount)
        ? `${what} would come to more than the maximum of ${amount(p.max_amount, p.currency, locale)}.`
        : `${what} would be too large.`;
    }
    case "changed_meanwhile": {
      const what = (body.field && GUARDED[body.field]) || "The value";
      return has(p.seen) && has(p.current) && has(p.value)
        ? `${what} was changed by someone else from ${p.seen} to ${p.current} meanwhile; your change to ${p.value} was not made.`
        : `${what} was changed by someone else meanwhile; your change was not made.`;
    }
    case "too_many_lines":
      return has(p.max) ? `An order can have at most ${n(p.max)} lines.` : "The order has too many lines.";
    case "order_not_draft":
      return has(p.status)
        ? `The order is ${status(p.status)}; only draft orders can be changed.`
        : "Only draft orders can be changed.";
    case "empty_order":
      return "An order without lines cannot be placed.";
    case "customer_blocked":
      return "The customer is blocked and cannot place orders.";
    case "spending_limit_exceeded":
      return has(p.order_total) && has(p.open_total) && has(p.limit)
        ? `Placing this order (${money(p.order_total)}) would take the customer's open orders ` +
            `(${money(p.open_total)}) to ${money(p.open_total + p.order_total)}, over the spending limit of ${money(p.limit)}.`
        : fallback();
    case "cannot_cancel_invoiced":
      return "An invoiced order cannot be cancelled.";
    case "invalid_logo":
      // `max` is the byte limit for a file too large, the pixel limit for an image too big.
      if (has(p.max) && p.max > 100_000) return `The logo is too large: at most ${n(Math.floor(p.max / 1024))} KB fits.`;
      if (has(p.max)) return `The logo is too big: at most ${n(p.max)} pixels wide and high fit.`;
      return "The logo must be a readable PNG or JPEG image.";
    case "company_details_missing":
      return "Save the company's name and address before adding a logo.";
    case "already_cancelled":
      return "The order is already cancelled.";
    case "order_discarded":
      return "The order was discarded: nothing more can be done to it.";
    case "not_placed":
      return has(p.status)
        ? `The order is ${status(p.status)}; it can only be delivered once placed.`
        : "An order can only be delivered once placed.";
    case "not_delivered":
      return has(p.status)
        ? `The order is ${status(p.status)}; it can only be invoiced once delivered.`
        : "An order can only be invoiced once delivered.";
    case "not_held":
      return has(p.status)
        ? `The order is ${status(p.status)}; only a held order can be released or refused.`
        : "Only a held order can be released or refused.";
    case "role_required": {
      const ask = has(p.required_role) ? `; ask ${WHO[p.required_role]}` : "";
      return has(p.role) && has(p.value)
        ? `A ${p.role} may not ${p.value}${ask}.`
        : `Your role may not do this${ask}.`;
    }
    case "duplicate_product_code":
      return has(p.value) ? `Product code ${quoted(p.value)} is already used.` : "This product code is already used.";
    case "duplicate_address_label":
      return has(p.value) ? `This customer already has an address labelled ${quoted(p.value)}; give it another label.` : "This customer already has an address with this label.";
    case "duplicate_customer_number":
      return has(p.value) ? `Customer number ${quoted(p.value)} is already used.` : "This customer number is already used.";
    case "duplicate_order_number":
      return has(p.value) ? `Order number ${quoted(p.value)} is already used.` : "This order number is already used.";
    case "address_not_of_customer":
      return "The address is not one of this customer's addresses.";
    case "product_discontinued":
      return has(p.value) ? `Product ${quoted(p.value)} is discontinued.` : "The product is discontinued.";
    case "currency_mismatch":
      return has(p.currency) && has(p.other_currency)
        ? `The order is in ${p.currency}, the customer pays in ${p.other_currency}.`
        : "The order's currency differs from the customer's.";
    case "conflict":
      return "The record was changed meanwhile; try again.";
    case "store_too_new":
      return "The data was written by a newer version of Daybook; update the app to open it.";
    case "store_read_only":
      return "The data is on storage that cannot be written (a read-only folder or disk): it can be looked at, printed and backed up, not changed.";
    case "store_corrupt":
      return "The local database file is damaged; restore a backup or start again from the server.";
    case "internal":
      return "Something went wrong inside Daybook (an internal error); no data was changed.";
    case "demo_data":
      return "This store holds demo data, which never goes to a server. Start a clean store (keeping none of the demo data) to connect.";
    case "file_not_chosen":
      return "Choose the file in the file dialog first.";
    case "sign_in_required":
      return "Nobody is signed in, so no change can be made: sign in on the Sync screen first.";
    case "unauthorized":
      return "The server did not accept this device's token; connect the device again.";
    case "invalid_credentials":
      return "The login or the password is not right (or this person may not sign in).";
    case "device_not_usable":
      return has(p.value)
        ? `This store belongs to the account ${quoted(p.value)}; sign in there, or start a clean store to join this account.`
        : "This store's device was revoked or is not known to the server; start a clean store to sign in.";
    case "account_not_empty":
      return `This computer holds work of its own, and the account${has(p.value) ? ` ${quoted(p.value)}` : ""} has data already: joining it needs an empty store. Start a clean store (this one is kept aside as a file), then sign in.`;
    case "user_mismatch":
      return has(p.value)
        ? `This change was made by ${quoted(p.value)}; it is sent only when they are signed in.`
        : "This change was made by someone else; it is sent only when they are signed in.";
    case "method_not_allowed":
    case "unsupported_media_type":
    case "malformed_json":
    case "invalid_body":
      return "The server could not read the request; this version of Daybook may be too old for it.";
    case "request_timeout":
      return "The request took too long to reach the server; try again.";
    case "payload_too_large":
      return has(p.max_bytes)
        ? `The request is larger than the server accepts (${bytes(p.max_bytes, locale)}).`
        : "The request is larger than the server accepts.";
    case "stale_device_seq":
      return "The server has already seen newer changes from this device.";
    case "device_seq_too_far":
      return has(p.last_seq)
        ? `This device numbered its changes past what the server expects (it last recorded ${n(p.last_seq)}); sync again.`
        : "This device numbered its changes past what the server expects; sync again.";
    case "command_id_reused":
      return "Another change already used this change's id; try it again as a new change.";
    case "issued_at_out_of_range":
      return has(p.earliest) && has(p.latest)
        ? `This change is dated outside what the server accepts (${formatDateTime(p.earliest, locale)} to ${formatDateTime(p.latest, locale)}); check this device's clock, then try it again.`
        : "This change is dated outside what the server accepts; check this device's clock, then try it again.";
    case "unknown_command":
      return "The server is older than this app and cannot take this change yet; it can be sent again once the server is updated.";
    case "bad_request":
      return "The server could not read the request; this version of Daybook may be too old for it.";
    case "rate_limited":
      return has(p.retry_after_secs)
        ? `Too many requests; try again ${inSeconds(p.retry_after_secs, locale)}.`
        : "Too many requests; try again in a moment.";
    case "unavailable":
      return "The server is busy or shutting down; try again.";
    // The detail of the first four exists only as the app's own sentence (no
    // parameters); `unknown` is a code from a newer peer: its message is all there is.
    case "invalid_input":
    case "invalid_backup":
    case "io_error":
    case "invalid_query":
    case "unknown":
      return fallback();
    default: {
      // A code this build does not know (the type says it cannot happen; a newer peer
      // can still send one): its message is all there is.
      const unhandled: never = code;
      void unhandled;
      return fallback();
    }
  }
}
