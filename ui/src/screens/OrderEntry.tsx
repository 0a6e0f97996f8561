//! Order entry, keyboard-first. A new order starts with the customer picker; an order's
//! screen has the line grid where Enter moves on (product -> quantity -> price ->
//! discount -> next line), totals computed by the back end after every command, the
//! spending-limit warning, and the life-cycle actions. Domain errors are shown next to
//! the field that caused them.

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { api } from "../api";
import { Combobox } from "../components/Combobox";
import { ErrorBanner, Field, MoneyText, PageHeader, Spinner, StatusBadge, fieldProps } from "../components/ui";
import { useCommand } from "../lib/commands";
import { fieldErrorsOf, messageOf, type FieldErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { bpToInput, formatBp, formatMoney, moneyToInput, parseDiscount, parseMoney, parseQuantity } from "../lib/money";
import { href, navigate } from "../lib/router";
import { uuidv7 } from "../lib/uuid";
import type { CustomerDetail, CustomerRow, LineRow, OrderDetail, ProductRow } from "../types";

const LINE_FIELDS = ["product_id", "quantity", "unit_price", "discount_bp"] as const;

function customerLabel(c: CustomerRow) {
  return (
    <span className="option-row">
      <span>{c.name}</span>
      <span className="muted mono">{c.number}</span>
      {c.blocked && <span className="badge status-cancelled">Blocked</span>}
    </span>
  );
}

function productLabel(p: ProductRow) {
  return (
    <span className="option-row">
      <span className="mono">{p.code}</span>
      <span className="ellipsis">{p.description}</span>
      <span className="num muted">{formatMoney(p.unit_price)}</span>
    </span>
  );
}

/** `orders/new`: pick the customer, then the draft is created and its screen opens. */
export function NewOrder() {
  const { run, pending } = useCommand();
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = async (c: CustomerRow) => {
    setText(c.name);
    setErrors({});
    try {
      const number = await api.nextNumber("order");
      const id = uuidv7();
      await run({ type: "CreateOrder", order_id: id, number, customer_id: c.id });
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
            disabled={pending}
          />
        </Field>
        <ErrorBanner message={errors._form} />
      </div>
    </section>
  );
}

/** `orders/<id>`. */
export function OrderScreen({ id, focusLine }: { id: string; focusLine?: boolean }) {
  const order = useQuery({ queryKey: ["order", id], queryFn: () => api.getOrder(id) });
  const customerId = order.data?.order.customer_id;
  const customer = useQuery({
    queryKey: ["customer", customerId],
    queryFn: () => api.getCustomer(customerId ?? ""),
    enabled: !!customerId,
  });
  if (order.isLoading) return <Spinner label="Loading order…" />;
  if (order.error || !order.data)
    return <ErrorBanner message={order.error ? messageOf(order.error) : "Order not found."} />;
  return <OrderView detail={order.data} customer={customer.data} focusLine={focusLine ?? false} />;
}

function OrderView({
  detail,
  customer,
  focusLine,
}: {
  detail: OrderDetail;
  customer: CustomerDetail | undefined;
  focusLine: boolean;
}) {
  const o = detail.order;
  const draft = o.status === "draft";
  const { run, pending } = useCommand();
  const [actionError, setActionError] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState("");
  const newLineProductRef = useRef<HTMLInputElement>(null);
  const lineQtyRefs = useRef<Map<string, HTMLInputElement>>(new Map());

  const act = async (f: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await f();
    } catch (e) {
      setActionError(messageOf(e));
    }
  };
  const place = () => act(() => run({ type: "PlaceOrder", order_id: o.id }));
  const deliver = () => act(() => run({ type: "DeliverOrder", order_id: o.id, delivery_id: uuidv7() }));
  const invoice = () => act(() => run({ type: "InvoiceOrder", order_id: o.id, invoice_id: uuidv7() }));
  const cancel = () =>
    act(async () => {
      await run({ type: "CancelOrder", order_id: o.id, reason });
      setCancelling(false);
      setReason("");
    });
  const duplicate = () =>
    act(async () => {
      const newId = await api.duplicateOrder(o.id);
      navigate(`orders/${newId}?focus=line`);
    });

  // Keyboard: Ctrl+Enter places a draft.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && draft) {
        e.preventDefault();
        void place();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  useEffect(() => {
    if (focusLine && draft) newLineProductRef.current?.focus();
  }, [focusLine, draft, o.id]);

  const c = customer?.customer;
  const limit = c?.spending_limit ?? null;
  const projected = (c?.open_total ?? 0) + (draft ? detail.totals.gross : 0);
  const overLimit = draft && limit !== null && projected > limit;

  const focusAfterLine = (index: number) => {
    const next = detail.lines[index + 1];
    const el = next ? lineQtyRefs.current.get(next.line_id) : newLineProductRef.current;
    el?.focus();
    if (el instanceof HTMLInputElement) el.select();
  };

  return (
    <section className="screen order-entry" data-testid="order-screen" data-order-id={o.id}>
      <PageHeader
        title={
          <>
            <span className="mono" data-testid="order-number">{o.number}</span>{" "}
            <StatusBadge status={o.status} testId="order-status" />
          </>
        }
        sub={
          <>
            <a href={href(`customers/${o.customer_id}`)} data-testid="order-customer">{o.customer_name}</a>
            <span className="muted"> · created {formatDateTime(o.created_at)}</span>
            {o.placed_at && <span className="muted"> · placed {formatDateTime(o.placed_at)}</span>}
            {o.delivered_at && <span className="muted"> · delivered {formatDateTime(o.delivered_at)}</span>}
            {o.invoiced_at && (
              <span className="muted">
                {" "}· invoiced {formatDateTime(o.invoiced_at)}
                {detail.invoice_number !== null && ` (#${detail.invoice_number})`}
              </span>
            )}
            {o.cancelled_at && <span className="muted"> · cancelled {formatDateTime(o.cancelled_at)}</span>}
          </>
        }
      >
        {draft && (
          <button type="button" className="btn primary" onClick={() => void place()} disabled={pending} data-testid="order-place">
            Place order <kbd className="kbd">Ctrl ↵</kbd>
          </button>
        )}
        {o.status === "placed" && (
          <button type="button" className="btn primary" onClick={() => void deliver()} disabled={pending} data-testid="order-deliver">
            Deliver
          </button>
        )}
        {o.status === "delivered" && (
          <button type="button" className="btn primary" onClick={() => void invoice()} disabled={pending} data-testid="order-invoice">
            Invoice
          </button>
        )}
        {o.status !== "invoiced" && o.status !== "cancelled" && (
          <button type="button" className="btn" onClick={() => setCancelling((v) => !v)} data-testid="order-cancel">
            Cancel order…
          </button>
        )}
        <button type="button" className="btn" onClick={() => void duplicate()} disabled={pending} data-testid="order-duplicate">
          Duplicate
        </button>
        <a className="btn" href={href(`history/${o.id}`)} data-testid="order-history">
          History
        </a>
      </PageHeader>

      {cancelling && (
        <form
          className="inline-form card"
          onSubmit={(e) => {
            e.preventDefault();
            void cancel();
          }}
        >
          <label htmlFor="cancel-reason">Reason for cancelling</label>
          <input id="cancel-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} data-testid="cancel-reason" />
          <button type="submit" className="btn danger" data-testid="cancel-confirm">
            Cancel order
          </button>
          <button type="button" className="btn ghost" onClick={() => setCancelling(false)}>
            Keep it
          </button>
        </form>
      )}

      {c?.blocked && draft && (
        <div className="banner banner-error" role="alert" data-testid="blocked-warning">
          {c.name} is blocked and cannot place orders.
        </div>
      )}
      {overLimit && limit !== null && (
        <div className="banner banner-warn" role="alert" data-testid="spending-warning">
          Placing this order ({formatMoney(detail.totals.gross, o.currency)}) would take {c?.name}'s open orders (
          {formatMoney(c?.open_total ?? 0, o.currency)}) to {formatMoney(projected, o.currency)}, over the spending
          limit of {formatMoney(limit, o.currency)}.
        </div>
      )}
      <ErrorBanner message={actionError} testId="order-action-error" />

      <div className="order-body">
        <div className="card lines-card">
          <table className="lines" data-testid="order-lines">
            <thead>
              <tr>
                <th className="col-idx">#</th>
                <th>Product</th>
                <th className="right col-qty">Qty</th>
                <th className="right col-price">Unit price</th>
                <th className="right col-disc">Discount</th>
                <th className="right col-vat">VAT</th>
                <th className="right col-net">Net</th>
                <th className="col-act" aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {detail.lines.map((l, i) => (
                <LineEditor
                  key={l.line_id}
                  orderId={o.id}
                  currency={o.currency}
                  line={l}
                  index={i}
                  editable={draft}
                  qtyRef={(el) => {
                    if (el) lineQtyRefs.current.set(l.line_id, el);
                    else lineQtyRefs.current.delete(l.line_id);
                  }}
                  onDone={() => focusAfterLine(i)}
                />
              ))}
              {draft && <NewLine orderId={o.id} index={detail.lines.length} productRef={newLineProductRef} />}
              {!draft && detail.lines.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted center">No lines.</td>
                </tr>
              )}
            </tbody>
          </table>
          {draft && (
            <p className="hint">
              Type a product code or name, <kbd className="kbd">↵</kbd> to move on: quantity, price, discount.{" "}
              <kbd className="kbd">↵</kbd> on the discount adds the line. <kbd className="kbd">Esc</kbd> clears it.
            </p>
          )}
        </div>

        <aside className="side">
          <div className="card totals" data-testid="order-totals">
            <dl>
              <dt>Net</dt>
              <dd>
                <MoneyText cents={detail.totals.net} currency={o.currency} testId="order-total-net" />
              </dd>
              {detail.totals.per_rate.map((r) => (
                <div key={r.rate_bp} className="rate-row">
                  <dt className="muted">VAT {formatBp(r.rate_bp)} of {formatMoney(r.net, o.currency)}</dt>
                  <dd className="muted">
                    <MoneyText cents={r.vat} currency={o.currency} />
                  </dd>
                </div>
              ))}
              <dt>VAT</dt>
              <dd>
                <MoneyText cents={detail.totals.vat} currency={o.currency} testId="order-total-vat" />
              </dd>
              <dt className="gross">Gross</dt>
              <dd className="gross">
                <MoneyText cents={detail.totals.gross} currency={o.currency} testId="order-total-gross" />
              </dd>
            </dl>
          </div>
          {c && (
            <div className="card">
              <div className="card-title">Customer credit</div>
              <CreditBar open={c.open_total} limit={c.spending_limit} extra={draft ? detail.totals.gross : 0} currency={c.currency} />
            </div>
          )}
          <OrderDetails detail={detail} customer={customer} editable={draft} />
        </aside>
      </div>
    </section>
  );
}

/** Open orders against the spending limit; `extra` (this draft) drawn hatched. */
export function CreditBar({
  open,
  limit,
  extra = 0,
  currency,
}: {
  open: number;
  limit: number | null;
  extra?: number;
  currency: string;
}) {
  if (limit === null) {
    return (
      <div className="credit" data-testid="credit-bar">
        <div className="muted">No spending limit</div>
        <div>
          Open orders <MoneyText cents={open} currency={currency} />
        </div>
      </div>
    );
  }
  const pct = (v: number) => (limit > 0 ? Math.min(100, (v / limit) * 100) : v > 0 ? 100 : 0);
  const over = open + extra > limit;
  return (
    <div className={`credit ${over ? "over" : ""}`} data-testid="credit-bar">
      <div
        className="bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={open + extra}
        aria-label="Open orders against spending limit"
      >
        <div className="bar-fill" style={{ width: `${pct(open)}%` }} />
        {extra > 0 && <div className="bar-extra" style={{ left: `${pct(open)}%`, width: `${Math.max(0, pct(open + extra) - pct(open))}%` }} />}
      </div>
      <div className="credit-legend">
        <span>
          Open <MoneyText cents={open} currency={currency} />
          {extra > 0 && (
            <>
              {" "}+ this order <MoneyText cents={extra} currency={currency} />
            </>
          )}
        </span>
        <span>
          Limit <MoneyText cents={limit} currency={currency} />
        </span>
      </div>
    </div>
  );
}

function OrderDetails({
  detail,
  customer,
  editable,
}: {
  detail: OrderDetail;
  customer: CustomerDetail | undefined;
  editable: boolean;
}) {
  const o = detail.order;
  const { run } = useCommand();
  const [ref, setRef] = useState(o.customer_reference ?? "");
  const [notes, setNotes] = useState(detail.notes ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = async () => {
    if ((o.customer_reference ?? "") === ref && (detail.notes ?? "") === notes) return;
    setErrors({});
    try {
      await run({ type: "SetOrderDetails", order_id: o.id, customer_reference: ref || null, notes: notes || null });
    } catch (e) {
      setErrors(fieldErrorsOf(e, ["customer_reference", "notes"]));
    }
  };
  const setAddress = async (addressId: string) => {
    setErrors({});
    try {
      await run({ type: "SetDeliveryAddress", order_id: o.id, address_id: addressId });
    } catch (e) {
      setErrors(fieldErrorsOf(e, ["address_id"]));
    }
  };
  return (
    <div className="card details">
      <div className="card-title">Details</div>
      <Field label="Customer reference" name="customer_reference" error={errors.customer_reference}>
        <input {...fieldProps("customer_reference", errors.customer_reference)} value={ref} disabled={!editable}
          onChange={(e) => setRef(e.target.value)} onBlur={() => void save()} data-testid="order-reference" />
      </Field>
      <Field label="Delivery address" name="address_id" error={errors.address_id}>
        <select {...fieldProps("address_id", errors.address_id)} disabled={!editable || !customer}
          value={detail.delivery_address?.id ?? ""} onChange={(e) => e.target.value && void setAddress(e.target.value)}
          data-testid="order-address">
          <option value="">{customer && customer.addresses.length === 0 ? "Customer has no addresses" : "None chosen"}</option>
          {customer?.addresses.map((a) => (
            <option key={a.id} value={a.id}>
              {[a.label, a.street, a.city].filter(Boolean).join(", ")}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Notes" name="notes" error={errors.notes}>
        <textarea {...fieldProps("notes", errors.notes)} rows={3} value={notes} disabled={!editable}
          onChange={(e) => setNotes(e.target.value)} onBlur={() => void save()} />
      </Field>
      <ErrorBanner message={errors._form} />
    </div>
  );
}

type LineInputs = { quantity: string; unit_price: string; discount_bp: string };

function parseLine(v: LineInputs, errors: FieldErrors) {
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

function LineError({ errors }: { errors: FieldErrors }) {
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
function onLineKey(e: KeyboardEvent<HTMLInputElement>, next: () => void, reset: () => void) {
  if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    next();
  } else if (e.key === "Escape") {
    e.preventDefault();
    e.stopPropagation();
    reset();
  }
}

function focusSelect(el: HTMLInputElement | null) {
  el?.focus();
  el?.select();
}

function NewLine({
  orderId,
  index,
  productRef,
}: {
  orderId: string;
  index: number;
  productRef: React.RefObject<HTMLInputElement | null>;
}) {
  const { run, pending } = useCommand();
  const [product, setProduct] = useState<ProductRow | null>(null);
  const [text, setText] = useState("");
  const [v, setV] = useState<LineInputs>({ quantity: "1", unit_price: "", discount_bp: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const qtyRef = useRef<HTMLInputElement>(null);
  const priceRef = useRef<HTMLInputElement>(null);
  const discRef = useRef<HTMLInputElement>(null);
  const refs = { product_id: productRef, quantity: qtyRef, unit_price: priceRef, discount_bp: discRef };

  const reset = () => {
    setProduct(null);
    setText("");
    setV({ quantity: "1", unit_price: "", discount_bp: "" });
    setErrors({});
    productRef.current?.focus();
  };

  const focusFirstError = (errs: FieldErrors) => {
    const f = LINE_FIELDS.find((k) => errs[k]);
    if (f) focusSelect(refs[f].current);
  };

  const submit = async () => {
    const errs: FieldErrors = {};
    if (!product) errs.product_id = "Pick a product: type its code or name.";
    const parsed = parseLine(v, errs);
    if (Object.keys(errs).length > 0 || !product) {
      setErrors(errs);
      focusFirstError(errs);
      return;
    }
    // Clear the row and move on at once, so the next line can be typed while this one
    // is saved; put it back with the error if the back end refuses it.
    const saved = { product, text, v };
    reset();
    try {
      await run({
        type: "AddOrderLine",
        order_id: orderId,
        line_id: uuidv7(),
        product_id: product.id,
        quantity: parsed.quantity,
        unit_price: parsed.unit_price,
        discount_bp: parsed.discount_bp,
      });
    } catch (e) {
      setProduct(saved.product);
      setText(saved.text);
      setV(saved.v);
      const errs2 = fieldErrorsOf(e, LINE_FIELDS);
      setErrors(errs2);
      // After the restored values are rendered.
      setTimeout(() => focusFirstError(errs2), 0);
    }
  };

  return (
    <>
      <tr className="new-line" data-testid="new-line">
        <td className="col-idx muted">{index + 1}</td>
        <td>
          <Combobox<ProductRow>
            queryKey="line-product"
            inputRef={productRef}
            testId="line-product-input"
            optionTestId="product-option"
            ariaLabel="Product"
            placeholder="Product code or name"
            text={text}
            onTextChange={(t) => {
              setText(t);
              setProduct(null);
            }}
            invalid={!!errors.product_id}
            search={(s) => api.listProducts({ search: s, limit: 10 }).then((p) => p.rows)}
            itemKey={(p) => p.id}
            renderItem={productLabel}
            onSelect={(p) => {
              setProduct(p);
              setText(`${p.code} · ${p.description}`);
              setV((old) => ({ ...old, unit_price: moneyToInput(p.unit_price) }));
              setErrors({});
              // Focus may already be there (Enter before the matches arrived): keep what was typed.
              if (document.activeElement !== qtyRef.current) setTimeout(() => focusSelect(qtyRef.current), 0);
            }}
            onResolving={() => focusSelect(qtyRef.current)}
            onNoMatch={(typed) => {
              setErrors({ product_id: `No product matches “${typed}”.` });
              focusSelect(productRef.current);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && product) {
                e.preventDefault();
                focusSelect(qtyRef.current);
              } else if (e.key === "Escape") {
                e.preventDefault();
                reset();
              }
            }}
          />
        </td>
        <td className="col-qty">
          <input ref={qtyRef} className="num right" inputMode="numeric" aria-label="Quantity" data-testid="line-quantity-input"
            aria-invalid={!!errors.quantity || undefined} value={v.quantity}
            onChange={(e) => setV({ ...v, quantity: e.target.value })}
            onKeyDown={(e) => onLineKey(e, () => focusSelect(priceRef.current), reset)} />
        </td>
        <td className="col-price">
          <input ref={priceRef} className="num right" inputMode="decimal" aria-label="Unit price" data-testid="line-price-input"
            aria-invalid={!!errors.unit_price || undefined} value={v.unit_price}
            onChange={(e) => setV({ ...v, unit_price: e.target.value })}
            onKeyDown={(e) => onLineKey(e, () => focusSelect(discRef.current), reset)} />
        </td>
        <td className="col-disc">
          <input ref={discRef} className="num right" inputMode="decimal" aria-label="Discount %" placeholder="0"
            data-testid="line-discount-input" aria-invalid={!!errors.discount_bp || undefined} value={v.discount_bp}
            onChange={(e) => setV({ ...v, discount_bp: e.target.value })}
            onKeyDown={(e) => onLineKey(e, () => void submit(), reset)} />
        </td>
        <td className="col-vat right muted">{product ? product.vat_class : ""}</td>
        <td className="col-net right muted">{pending ? "…" : ""}</td>
        <td className="col-act">
          <button type="button" className="btn small" onClick={() => void submit()} disabled={pending} data-testid="line-add">
            Add
          </button>
        </td>
      </tr>
      <LineError errors={errors} />
    </>
  );
}

function LineEditor({
  orderId,
  currency,
  line,
  index,
  editable,
  qtyRef,
  onDone,
}: {
  orderId: string;
  currency: string;
  line: LineRow;
  index: number;
  editable: boolean;
  qtyRef: (el: HTMLInputElement | null) => void;
  onDone: () => void;
}) {
  const { run } = useCommand();
  const initial: LineInputs = {
    quantity: String(line.quantity),
    unit_price: moneyToInput(line.unit_price),
    discount_bp: bpToInput(line.discount_bp),
  };
  const [v, setV] = useState<LineInputs>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const priceRef = useRef<HTMLInputElement>(null);
  const discRef = useRef<HTMLInputElement>(null);
  const rowRef = useRef<HTMLTableRowElement>(null);
  const serverKey = `${line.quantity}|${line.unit_price}|${line.discount_bp}`;
  const [seen, setSeen] = useState(serverKey);
  if (seen !== serverKey) {
    // The server's values changed (this screen or another): show them.
    setSeen(serverKey);
    setV(initial);
  }
  const dirty = v.quantity !== initial.quantity || v.unit_price !== initial.unit_price || v.discount_bp !== initial.discount_bp;

  const commit = async (): Promise<boolean> => {
    if (!dirty) return true;
    const errs: FieldErrors = {};
    const parsed = parseLine(v, errs);
    if (Object.keys(errs).length > 0) {
      setErrors(errs);
      return false;
    }
    try {
      await run({
        type: "ChangeOrderLine",
        order_id: orderId,
        line_id: line.line_id,
        quantity: parsed.quantity,
        unit_price: parsed.unit_price ?? line.unit_price,
        discount_bp: parsed.discount_bp,
      });
      setErrors({});
      return true;
    } catch (e) {
      setErrors(fieldErrorsOf(e, LINE_FIELDS));
      return false;
    }
  };
  const remove = async () => {
    try {
      await run({ type: "RemoveOrderLine", order_id: orderId, line_id: line.line_id });
    } catch (e) {
      setErrors(fieldErrorsOf(e, LINE_FIELDS));
    }
  };
  const reset = () => {
    setV(initial);
    setErrors({});
  };
  const keys = (e: KeyboardEvent<HTMLInputElement>, next: () => void) => {
    if (e.key === "Delete" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void remove();
      return;
    }
    onLineKey(e, next, reset);
  };

  if (!editable) {
    return (
      <tr data-testid="order-line" data-line-index={index}>
        <td className="col-idx muted">{index + 1}</td>
        <td>
          <span className="mono">{line.code}</span> <span>{line.description}</span>
        </td>
        <td className="right num" data-testid="line-quantity">{line.quantity}</td>
        <td className="right"><MoneyText cents={line.unit_price} currency={currency} /></td>
        <td className="right num">{line.discount_bp ? formatBp(line.discount_bp) : ""}</td>
        <td className="right num muted">{formatBp(line.vat_rate_bp)}</td>
        <td className="right"><MoneyText cents={line.net} currency={currency} testId="line-net" /></td>
        <td />
      </tr>
    );
  }

  return (
    <>
      <tr
        ref={rowRef}
        data-testid="order-line"
        data-line-index={index}
        className={dirty ? "dirty" : ""}
        onBlur={(e) => {
          if (dirty && !rowRef.current?.contains(e.relatedTarget)) void commit();
        }}
      >
        <td className="col-idx muted">{index + 1}</td>
        <td>
          <span className="mono">{line.code}</span> <span className="ellipsis">{line.description}</span>
        </td>
        <td className="col-qty">
          <input ref={qtyRef} className="num right" inputMode="numeric" aria-label={`Quantity, line ${index + 1}`}
            data-testid="line-quantity" aria-invalid={!!errors.quantity || undefined} value={v.quantity}
            onChange={(e) => setV({ ...v, quantity: e.target.value })}
            onKeyDown={(e) => keys(e, () => focusSelect(priceRef.current))} />
        </td>
        <td className="col-price">
          <input ref={priceRef} className="num right" inputMode="decimal" aria-label={`Unit price, line ${index + 1}`}
            data-testid="line-price" aria-invalid={!!errors.unit_price || undefined} value={v.unit_price}
            onChange={(e) => setV({ ...v, unit_price: e.target.value })}
            onKeyDown={(e) => keys(e, () => focusSelect(discRef.current))} />
        </td>
        <td className="col-disc">
          <input ref={discRef} className="num right" inputMode="decimal" aria-label={`Discount, line ${index + 1}`}
            placeholder="0" data-testid="line-discount" aria-invalid={!!errors.discount_bp || undefined} value={v.discount_bp}
            onChange={(e) => setV({ ...v, discount_bp: e.target.value })}
            onKeyDown={(e) => keys(e, () => void commit().then((ok) => ok && onDone()))} />
        </td>
        <td className="right num muted">{formatBp(line.vat_rate_bp)}</td>
        <td className="right">
          <MoneyText cents={line.net} currency={currency} testId="line-net" />
        </td>
        <td className="col-act">
          <button type="button" className="btn small ghost" aria-label={`Remove line ${index + 1}`} title="Remove line (Ctrl+Delete)"
            onClick={() => void remove()} data-testid="line-remove">
            ✕
          </button>
        </td>
      </tr>
      <LineError errors={errors} />
    </>
  );
}
