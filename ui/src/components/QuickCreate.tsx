//! Compact forms that create a customer or a product from where it was typed (the
//! order's customer picker, a line's product): what was typed is filled in, Enter
//! creates, and the caller gets the new record to choose; Escape goes back unchanged.

import { useState, type FormEvent, type ReactNode } from "react";
import { api } from "../api";
import { useCommand } from "../lib/commands";
import { fieldErrorsOf, type FieldErrors } from "../lib/errors";
import { parseMoney } from "../lib/money";
import { uuidv7 } from "../lib/uuid";
import { PRODUCT_FIELDS, validateProduct, type ProductValues } from "../screens/Products";
import type { CustomerRow, ProductRow, VatClass } from "../types";
import { ErrorBanner, Field, fieldProps } from "./ui";

function QuickDialog(props: { title: string; testId: string; onCancel: () => void; onSubmit: (e: FormEvent) => void; children: ReactNode; pending: boolean }) {
  return (
    <div className="overlay" role="presentation" onMouseDown={props.onCancel}>
      <form
        className="dialog quick-create"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
        noValidate
        onMouseDown={(e) => e.stopPropagation()}
        onSubmit={props.onSubmit}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            props.onCancel();
          }
        }}
      >
        <div className="dialog-head">
          <h2>{props.title}</h2>
        </div>
        <div className="form-grid">{props.children}</div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel <kbd className="kbd">Esc</kbd>
          </button>
          <button type="submit" className="btn primary" disabled={props.pending} data-testid={`${props.testId}-save`}>
            Create <kbd className="kbd">Enter</kbd>
          </button>
        </div>
      </form>
    </div>
  );
}

/** A new customer by name (its number is the next free one). */
export function QuickCustomer({ name, onCreated, onCancel }: { name: string; onCreated: (c: CustomerRow) => void; onCancel: () => void }) {
  const { run, pending } = useCommand();
  const [value, setValue] = useState(name);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() === "") {
      setErrors({ name: "Name is required." });
      return;
    }
    try {
      const id = uuidv7();
      const number = await api.nextNumber("customer");
      await run({
        type: "RegisterCustomer",
        customer_id: id,
        number,
        kind: "organisation",
        name: value.trim(),
        vat_number: null,
        email: null,
        spending_limit: null,
      });
      onCreated((await api.getCustomer(id)).customer);
    } catch (err) {
      setErrors(fieldErrorsOf(err, ["name", "number"]));
    }
  };
  return (
    <QuickDialog title="New customer" testId="quick-customer" onCancel={onCancel} onSubmit={(e) => void submit(e)} pending={pending}>
      <Field label="Name" name="name" error={errors.name} className="span-2">
        <input {...fieldProps("name", errors.name)} value={value} onChange={(e) => setValue(e.target.value)} autoFocus
          data-testid="quick-customer-name" />
      </Field>
      <ErrorBanner message={errors._form ?? errors.number} />
    </QuickDialog>
  );
}

/** A new product: the typed code filled in, the description next. */
export function QuickProduct({ code, onCreated, onCancel }: { code: string; onCreated: (p: ProductRow) => void; onCancel: () => void }) {
  const { run, pending } = useCommand();
  const [v, setV] = useState<ProductValues>({ code, description: "", unit_price: "", vat_class: "standard" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (k: keyof ProductValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setV({ ...v, [k]: e.target.value });
  const focusFirst = (errs: FieldErrors) => {
    const f = PRODUCT_FIELDS.find((k) => errs[k]);
    if (f) document.getElementById(`f-quick-${f}`)?.focus();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateProduct(v, "create");
    setErrors(errs);
    if (Object.keys(errs).length) return focusFirst(errs);
    const price = parseMoney(v.unit_price);
    if (!price.ok) return;
    try {
      const id = uuidv7();
      await run({ type: "RegisterProduct", product_id: id, code: v.code.trim(), description: v.description.trim(), unit_price: price.value, vat_class: v.vat_class });
      onCreated(await api.getProduct(id));
    } catch (err) {
      const errs2 = fieldErrorsOf(err, PRODUCT_FIELDS);
      setErrors(errs2);
      focusFirst(errs2);
    }
  };
  const props = (name: string) => ({ ...fieldProps(`quick-${name}`, errors[name]), name });
  return (
    <QuickDialog title="New product" testId="quick-product" onCancel={onCancel} onSubmit={(e) => void submit(e)} pending={pending}>
      <Field label="Code" name="quick-code" error={errors.code}>
        <input {...props("code")} className="mono" value={v.code} onChange={set("code")} data-testid="quick-product-code" />
      </Field>
      <Field label="Description" name="quick-description" error={errors.description}>
        <input {...props("description")} value={v.description} onChange={set("description")} autoFocus data-testid="quick-product-description" />
      </Field>
      <Field label="Unit price (excl. VAT)" name="quick-unit_price" error={errors.unit_price}>
        <input {...props("unit_price")} inputMode="decimal" className="num" value={v.unit_price} onChange={set("unit_price")}
          data-testid="quick-product-unit-price" />
      </Field>
      <Field label="VAT" name="quick-vat_class" error={errors.vat_class}>
        <select {...props("vat_class")} value={v.vat_class} onChange={(e) => setV({ ...v, vat_class: e.target.value as VatClass })}
          data-testid="quick-product-vat-class">
          <option value="standard">Standard</option>
          <option value="reduced">Reduced</option>
          <option value="zero">Zero</option>
        </select>
      </Field>
      <ErrorBanner message={errors._form} />
    </QuickDialog>
  );
}
