//! One change that needs attention (Sync screen): what it was and why it was refused,
//! with Retry (as it was), Edit… (its values in the user's terms: amounts, percentages,
//! quantities and texts, then retried in its place, as `daybook retry --edited` does)
//! and Discard. A refused edit keeps the form open with the error at its field.

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { ErrorBanner, Field } from "../components/ui";
import { fieldErrorsOf, type FieldErrors } from "../lib/errors";
import { humanize } from "../lib/format";
import { errorMessage } from "../lib/messages";
import { bpToInput, moneyToInput, parseDiscount, parseMoney, parseQuantity } from "../lib/money";
import { href } from "../lib/router";
import type { Command, NeedsAttention } from "../types";

type Kind = "money" | "percent" | "quantity" | "text";

/** The values of a command a person can correct, by field name (ids, numbers assigned
 *  by the app, and what the user saw are kept as they were). */
const KINDS: Record<string, Kind> = {
  quantity: "quantity",
  unit_price: "money",
  discount_bp: "percent",
  spending_limit: "money",
  limit: "money",
  name: "text",
  email: "text",
  vat_number: "text",
  code: "text",
  description: "text",
  customer_reference: "text",
  notes: "text",
  reason: "text",
};

const LABELS: Record<string, string> = {
  discount_bp: "Discount %",
  limit: "Spending limit",
  vat_number: "VAT number",
  customer_reference: "Customer reference",
};

const kindOf = (field: string): Kind => KINDS[field] ?? "text";

/** The fields of `command` the edit form offers, in the command's order. */
export function editableFields(command: Command): string[] {
  return Object.keys(command).filter((k) => k in KINDS);
}

function toInput(kind: Kind, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (kind === "money") return moneyToInput(value as number);
  if (kind === "percent") return bpToInput(value as number);
  return typeof value === "number" || typeof value === "string" ? String(value) : "";
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The typed text back as the command's value; blank is "none" where the command had none. */
function fromInput(kind: Kind, text: string, original: unknown): Parsed {
  if (text.trim() === "" && original === null) return { ok: true, value: null };
  if (kind === "money") return parseMoney(text);
  if (kind === "percent") return parseDiscount(text);
  if (kind === "quantity") return parseQuantity(text);
  return { ok: true, value: text };
}

export function AttentionItem({ n, act }: { n: NeedsAttention; act: (f: () => Promise<unknown>) => Promise<void> }) {
  const qc = useQueryClient();
  const fields = editableFields(n.sent);
  const original = n.sent as unknown as Record<string, unknown>;
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const startEdit = () => {
    setValues(Object.fromEntries(fields.map((f) => [f, toInput(kindOf(f), original[f])])));
    setErrors({});
    setEditing(true);
  };

  const retryEdited = async () => {
    const errs: FieldErrors = {};
    const edited: Record<string, unknown> = { ...original };
    for (const f of fields) {
      const p = fromInput(kindOf(f), values[f] ?? "", original[f]);
      if (p.ok) edited[f] = p.value;
      else errs[f] = p.error;
    }
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    try {
      await api.retryCommand(n.command_id, edited as unknown as Command);
      setEditing(false);
      await qc.invalidateQueries();
    } catch (e) {
      setErrors(fieldErrorsOf(e, fields));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li data-testid="attention-item" data-command={n.command}>
      <div className="attention-what">
        <div className="strong">{humanize(n.command)}</div>
        <div>{errorMessage({ code: n.code, message: n.reason, params: n.params })}</div>
        <div className="muted small">
          <a href={href(`history/${n.stream_id}`)}>Record history</a>
        </div>
        {editing && (
          <form
            className="attention-edit form-grid"
            data-testid="attention-edit"
            onSubmit={(e) => {
              e.preventDefault();
              void retryEdited();
            }}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.stopPropagation();
                setEditing(false);
              }
            }}
          >
            {fields.map((f, i) => (
              <Field key={f} label={LABELS[f] ?? humanize(f)} name={`${n.command_id}-${f}`} error={errors[f]}>
                <input
                  id={`f-${n.command_id}-${f}`}
                  data-testid={`attention-field-${f}`}
                  className={kindOf(f) === "text" ? "" : "num right"}
                  inputMode={kindOf(f) === "quantity" ? "numeric" : kindOf(f) === "text" ? undefined : "decimal"}
                  aria-invalid={!!errors[f] || undefined}
                  autoFocus={i === 0}
                  value={values[f] ?? ""}
                  onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                />
              </Field>
            ))}
            <ErrorBanner message={errors._form} testId="attention-edit-error" />
            <div className="address-actions">
              <button type="submit" className="btn small primary" disabled={busy} data-testid="attention-retry-edited">
                Retry with these values
              </button>
              <button type="button" className="btn small" onClick={() => setEditing(false)} data-testid="attention-edit-cancel">
                Cancel
              </button>
            </div>
          </form>
        )}
      </div>
      {!editing && (
        <div className="address-actions">
          <button type="button" className="btn small" onClick={() => void act(() => api.retryCommand(n.command_id, null))} data-testid="attention-retry">
            Retry
          </button>
          {fields.length > 0 && (
            <button type="button" className="btn small" onClick={startEdit} data-testid="attention-edit-open">
              Edit…
            </button>
          )}
          <button type="button" className="btn small danger" onClick={() => void act(() => api.discardCommand(n.command_id))} data-testid="attention-discard">
            Discard
          </button>
        </div>
      )}
    </li>
  );
}
