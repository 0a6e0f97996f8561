//! What only a draft offers beside its lines: "Change customer…" (the customer picker;
//! the delivery address becomes the new customer's first address) and "Discard draft…"
//! (a confirmation; the draft leaves the lists, its history stays). Both open in place,
//! take the focus, and close with Esc or "Keep it".

import { useState } from "react";
import { useCommand } from "../../lib/commands";
import { messageOf } from "../../lib/errors";
import { navigate } from "../../lib/router";
import type { CustomerRow, OrderRow } from "../../types";
import { CustomerPicker } from "./CustomerPicker";

function onEscape(close: () => void) {
  return (e: React.KeyboardEvent) => {
    if (e.key === "Escape" && !e.defaultPrevented) {
      e.preventDefault();
      close();
    }
  };
}

/** Picks another customer for the draft `o`. */
export function ChangeCustomerForm({ order: o, onClose }: { order: OrderRow; onClose: () => void }) {
  const { run, pending } = useCommand();
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const change = async (c: CustomerRow) => {
    setText(c.name);
    setError(undefined);
    try {
      await run({ type: "ChangeOrderCustomer", order_id: o.id, customer_id: c.id });
      onClose();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="inline-form card" data-testid="change-customer-form" onKeyDown={onEscape(onClose)}>
      <label htmlFor="change-customer-input">New customer for {o.number}</label>
      <CustomerPicker
        id="change-customer-input"
        testId="change-customer-input"
        autoFocus
        text={text}
        onTextChange={setText}
        onSelect={(c) => void change(c)}
        invalid={!!error}
        describedBy={error ? "change-customer-error" : undefined}
        disabled={pending}
      />
      <button type="button" className="btn ghost" onClick={onClose}>
        Keep {o.customer_name}
      </button>
      {error && (
        <span className="field-error" id="change-customer-error" role="alert" data-testid="change-customer-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Asks before discarding the draft `o`; then goes to the order list. */
export function DiscardForm({ order: o, onClose }: { order: OrderRow; onClose: () => void }) {
  const { run, pending } = useCommand();
  const [error, setError] = useState<string>();
  const discard = async () => {
    setError(undefined);
    try {
      await run({ type: "DiscardOrder", order_id: o.id });
      navigate("orders");
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form
      className="inline-form card"
      data-testid="discard-form"
      onKeyDown={onEscape(onClose)}
      onSubmit={(e) => {
        e.preventDefault();
        void discard();
      }}
    >
      <span>
        Discard draft {o.number}? It leaves the order lists; its history stays.
      </span>
      <button type="submit" className="btn danger" autoFocus disabled={pending} data-testid="discard-confirm">
        Discard draft
      </button>
      <button type="button" className="btn ghost" onClick={onClose} data-testid="discard-keep">
        Keep it
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid="discard-error">
          {error}
        </span>
      )}
    </form>
  );
}
