//! `orders/new`: the customer picker. Typing a name or number and Enter picks the
//! customer; the draft order is created (with the customer's default delivery address,
//! the first of its addresses) and its screen opens with the focus on a new line. A name
//! nothing matches offers "Create customer …": a compact form with the name filled in,
//! and Enter there creates the customer and goes on as if it had been picked.

import { useRef, useState } from "react";
import { api } from "../../api";
import { Combobox } from "../../components/Combobox";
import { QuickCustomer } from "../../components/QuickCreate";
import { ErrorBanner, Field, PageHeader } from "../../components/ui";
import { useCommand } from "../../lib/commands";
import { fieldErrorsOf, type FieldErrors } from "../../lib/errors";
import { navigate } from "../../lib/router";
import { uuidv7 } from "../../lib/uuid";
import type { CustomerRow } from "../../types";

function customerLabel(c: CustomerRow) {
  return (
    <span className="option-row">
      <span>{c.name}</span>
      {c.city && <span className="muted" data-testid="customer-option-city">{c.city}</span>}
      <span className="muted mono">{c.number}</span>
      {c.blocked && <span className="badge status-cancelled">Blocked</span>}
    </span>
  );
}

/** `orders/new`: pick the customer, then the draft is created and its screen opens. */
export function NewOrder() {
  const { run, pending } = useCommand();
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [creating, setCreating] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const create = async (c: CustomerRow) => {
    setText(c.name);
    setErrors({});
    try {
      const number = await api.nextNumber("order");
      const id = uuidv7();
      await run({ type: "CreateOrder", order_id: id, number, customer_id: c.id });
      // The customer's default delivery address (the first one) is chosen for the order.
      const { addresses } = await api.getCustomer(c.id);
      const first = addresses[0];
      if (first) await run({ type: "SetDeliveryAddress", order_id: id, address_id: first.id });
      navigate(`orders/${id}?focus=line`, { replace: true });
    } catch (e) {
      setErrors(fieldErrorsOf(e, ["customer_id"]));
    }
  };
  return (
    <section className="screen order-entry">
      <PageHeader title="New order" sub="Pick the customer to start: type a name or number, then Enter." />
      <div className="card narrow">
        <Field label="Customer" name="customer_id" error={errors.customer_id}>
          <Combobox<CustomerRow>
            queryKey="order-customer"
            id="f-customer_id"
            testId="order-customer-input"
            optionTestId="customer-option"
            placeholder="Customer name or number"
            autoFocus
            text={text}
            onTextChange={setText}
            invalid={!!errors.customer_id}
            describedBy={errors.customer_id ? "err-customer_id" : undefined}
            search={(s) => api.listCustomers({ search: s, limit: 10 }).then((p) => p.rows)}
            itemKey={(c) => c.id}
            renderItem={customerLabel}
            onSelect={(c) => void create(c)}
            onCreate={(typed) => setCreating(typed)}
            createLabel={(typed) => `Create customer “${typed}”…`}
            createTestId="customer-create"
            inputRef={inputRef}
            disabled={pending}
          />
        </Field>
        <ErrorBanner message={errors._form} />
      </div>
      {creating !== null && (
        <QuickCustomer
          name={creating}
          onCreated={(c) => {
            setCreating(null);
            void create(c);
          }}
          onCancel={() => {
            setCreating(null);
            inputRef.current?.focus();
          }}
        />
      )}
    </section>
  );
}
