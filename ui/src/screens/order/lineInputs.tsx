//! What the new line and a saved line share: the line's fields, parsing the typed text
//! (exact cents and basis points, never floats), the row of field errors under a line,
//! and the keys (Enter moves on, Escape resets).

import type { KeyboardEvent } from "react";
import type { FieldErrors } from "../../lib/errors";
import { parseDiscount, parseMoney, parseQuantity } from "../../lib/money";

/** The line fields a back-end error can name, in the order the focus visits them. */
export const LINE_FIELDS = ["product_id", "quantity", "unit_price", "discount_bp"] as const;

export type LineInputs = { quantity: string; unit_price: string; discount_bp: string };

export function parseLine(v: LineInputs, errors: FieldErrors) {
  const q = parseQuantity(v.quantity);
  const p = v.unit_price.trim() === "" ? null : parseMoney(v.unit_price);
  const d = parseDiscount(v.discount_bp);
  if (!q.ok) errors.quantity = q.error;
  if (p && !p.ok) errors.unit_price = p.error;
  if (!d.ok) errors.discount_bp = d.error;
  return {
    quantity: q.ok ? q.value : 0,
    unit_price: p === null ? null : p.ok ? p.value : 0,
    discount_bp: d.ok ? d.value : 0,
  };
}

export function LineError({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <tr className="line-errors">
      <td />
      <td colSpan={7}>
        {entries.map(([field, msg]) => (
          <div key={field} className="field-error" role="alert" data-testid={`error-${field}`} data-field={field}>
            {msg}
          </div>
        ))}
      </td>
    </tr>
  );
}

/** Keys shared by the line inputs: Enter moves on, Escape resets. */
export function onLineKey(e: KeyboardEvent<HTMLInputElement>, next: () => void, reset: () => void) {
  if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    next();
  } else if (e.key === "Escape") {
    e.preventDefault();
    e.stopPropagation();
    reset();
  }
}

/** The event a line dispatches after saving itself on Ctrl+Enter: place the order now. */
export const PLACE_EVENT = "daybook:place";

/** Whether the key is Ctrl+Enter (Cmd+Enter on a Mac): place the order. */
export function isPlaceKey(e: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return e.key === "Enter" && (e.ctrlKey || e.metaKey);
}

/**
 * Ctrl+Enter in a line being edited: the line is saved first (`save` resolves to
 * whether it was), and only then is the order placed; a refused line stops the
 * placing, with its error at its field. The window's own Ctrl+Enter handler sees the
 * default prevented and leaves it to this.
 */
export function placeAfter(e: KeyboardEvent<HTMLInputElement>, save: () => Promise<boolean>) {
  e.preventDefault();
  void save().then((ok) => {
    if (ok) window.dispatchEvent(new Event(PLACE_EVENT));
  });
}

export function focusSelect(el: HTMLInputElement | null) {
  el?.focus();
  el?.select();
}
