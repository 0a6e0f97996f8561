//! `orders/new`: a new order. Typing a name or number and Enter picks the customer; this
//! writes nothing. The order is recorded with its first line: `CreateOrder`, the
//! customer's default delivery address (the first of its addresses) and that line in one
//! transaction (`execute_commands`), and its screen then opens with the focus on the
//! next line. Leaving before the first line leaves no draft; a refused line stays typed,
//! with its error. A name nothing matches offers "Create customer …": a compact form
//! with the name filled in, and Enter there creates the customer and picks it.

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../../api";
import { QuickCustomer } from "../../components/QuickCreate";
import { ErrorBanner, Field, PageHeader } from "../../components/ui";
import { fieldErrorsOf, type FieldErrors } from "../../lib/errors";
import { navigate } from "../../lib/router";
import { uuidv7 } from "../../lib/uuid";
import type { Command, CustomerRow } from "../../types";
import { CustomerPicker } from "./CustomerPicker";
import { LinesHead } from "./LineGrid";
import { NewLine, type AddLine } from "./NewLine";
import { PLACE_EVENT } from "./lineInputs";

/** `orders/new`: pick the customer, then type the first line. */
export function NewOrder() {
  const [customer, setCustomer] = useState<CustomerRow | null>(null);
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [creating, setCreating] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const pick = (c: CustomerRow) => {
    setText(c.name);
    setErrors({});
    setCustomer(c);
  };
  if (customer) {
    return (
      <FirstLine
        customer={customer}
        onChangeCustomer={() => {
          setCustomer(null);
          setTimeout(() => inputRef.current?.select(), 0);
        }}
      />
    );
  }
  return (
    <section className="screen order-entry">
      <PageHeader title="New order" sub="Pick the customer to start: type a name or number, then Enter." />
      <div className="card narrow">
        <Field label="Customer" name="customer_id" error={errors.customer_id}>
          <CustomerPicker
            id="f-customer_id"
            testId="order-customer-input"
            autoFocus
            text={text}
            onTextChange={setText}
            invalid={!!errors.customer_id}
            describedBy={errors.customer_id ? "err-customer_id" : undefined}
            onSelect={pick}
            onCreate={(typed) => setCreating(typed)}
            inputRef={inputRef}
          />
        </Field>
        <ErrorBanner message={errors._form} />
      </div>
      {creating !== null && (
        <QuickCustomer
          name={creating}
          onCreated={(c) => {
            setCreating(null);
            pick(c);
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

/** The new order before it exists: its customer and the first line's row. */
function FirstLine({ customer, onChangeCustomer }: { customer: CustomerRow; onChangeCustomer: () => void }) {
  const qc = useQueryClient();
  const productRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string>();
  // The order once recorded, and whether Ctrl+Enter asked to place it as well.
  const created = useRef<string | null>(null);
  const placeToo = useRef(false);

  useEffect(() => {
    productRef.current?.focus();
    // Ctrl+Enter on the first line: the line is recorded first (with the order), then
    // the order's own screen places it.
    const onPlace = () => {
      if (created.current) placeToo.current = true;
    };
    window.addEventListener(PLACE_EVENT, onPlace);
    return () => window.removeEventListener(PLACE_EVENT, onPlace);
  }, []);

  const record = async (line: AddLine) => {
    setError(undefined);
    const id = uuidv7();
    const number = await api.nextNumber("order");
    const { addresses } = await api.getCustomer(customer.id);
    const commands: Command[] = [{ type: "CreateOrder", order_id: id, number, customer_id: customer.id }];
    const first = addresses[0];
    if (first) commands.push({ type: "SetDeliveryAddress", order_id: id, address_id: first.id });
    commands.push({ ...line, order_id: id });
    try {
      await api.executeCommands(commands);
    } catch (e) {
      // A refusal of the order itself (not of a line field) shows above the lines.
      const errs = fieldErrorsOf(e, ["customer_id", "number"]);
      setError(errs.customer_id ?? errs.number);
      throw e;
    }
    created.current = id;
    await qc.invalidateQueries();
    // After the Ctrl+Enter that may follow the line (see `placeAfter`).
    setTimeout(() => navigate(`orders/${id}?focus=line${placeToo.current ? "&place=1" : ""}`, { replace: true }), 0);
  };

  return (
    <section className="screen order-entry" data-testid="new-order-draft">
      <PageHeader
        title="New order"
        sub={
          <>
            <span data-testid="new-order-customer">{customer.name}</span>
            <span className="muted"> · nothing is saved until the first line is added</span>
          </>
        }
      >
        <button type="button" className="btn" onClick={onChangeCustomer} data-testid="new-order-change-customer">
          Change customer
        </button>
      </PageHeader>
      <ErrorBanner message={error} testId="new-order-error" />
      <div className="order-body">
        <div className="card lines-card">
          <table className="lines" data-testid="order-lines">
            <LinesHead />
            <tbody>
              <NewLine orderId="" index={0} productRef={productRef} record={record} />
            </tbody>
          </table>
          <p className="hint">
            Type a product code or name, <kbd className="kbd">↵</kbd> to move on: quantity, price, discount.{" "}
            <kbd className="kbd">↵</kbd> adds the line and records the order.
          </p>
        </div>
      </div>
    </section>
  );
}
