//! The new-line row: a product by code or name, then quantity, price and discount, with
//! Enter moving on and adding the line (Enter on the quantity adds it at once while
//! price and discount are as the product brought them; Tab reaches them). The row clears at once so the next line can be
//! typed while this one is saved; a refusal puts it back with the error at its field.
//! A code nothing matches offers "Create product …": a compact form with the code filled
//! in, and Enter there comes back with the new product chosen and the quantity focused.
//! The dropdown shows 10 matches, then "More…" for the next 10. A new order's first row
//! is recorded with the order (`record`, see `NewOrder.tsx`).

import { useRef, useState } from "react";
import { createPortal } from "react-dom";
import { api } from "../../api";
import { Combobox } from "../../components/Combobox";
import { QuickProduct } from "../../components/QuickCreate";
import { useCommand } from "../../lib/commands";
import { fieldErrorsOf, type FieldErrors } from "../../lib/errors";
import { formatMoney, moneyToInput } from "../../lib/money";
import { uuidv7 } from "../../lib/uuid";
import type { Command, ProductRow } from "../../types";

/** The line a new-line row records. */
export type AddLine = Extract<Command, { type: "AddOrderLine" }>;
import { LINE_FIELDS, LineError, focusSelect, isPlaceKey, onLineKey, parseLine, placeAfter, type LineInputs } from "./lineInputs";

function productLabel(p: ProductRow) {
  return (
    <span className="option-row">
      <span className="mono">{p.code}</span>
      <span className="ellipsis">{p.description}</span>
      <span className="num muted">{formatMoney(p.unit_price)}</span>
    </span>
  );
}

export function NewLine({
  orderId,
  index,
  productRef,
  record,
}: {
  orderId: string;
  index: number;
  productRef: React.RefObject<HTMLInputElement | null>;
  /** Records the line some other way (a new order records itself with it). */
  record?: (line: AddLine) => Promise<unknown>;
}) {
  const { run, pending } = useCommand();
  const [product, setProduct] = useState<ProductRow | null>(null);
  const [text, setText] = useState("");
  const [v, setV] = useState<LineInputs>({ quantity: "1", unit_price: "", discount_bp: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  // Price and discount as the product brought them: Enter on the quantity adds the line.
  const [touched, setTouched] = useState(false);
  // The code typed when "Create product …" was chosen (the compact form is open).
  const [creating, setCreating] = useState<string | null>(null);
  const qtyRef = useRef<HTMLInputElement>(null);
  const priceRef = useRef<HTMLInputElement>(null);
  const discRef = useRef<HTMLInputElement>(null);
  const refs = { product_id: productRef, quantity: qtyRef, unit_price: priceRef, discount_bp: discRef };

  const choose = (p: ProductRow) => {
    setProduct(p);
    setText(`${p.code} · ${p.description}`);
    setV((old) => ({ ...old, unit_price: moneyToInput(p.unit_price) }));
    setTouched(false);
    setErrors({});
    // Focus may already be there (Enter before the matches arrived): keep what was typed.
    if (document.activeElement !== qtyRef.current) setTimeout(() => focusSelect(qtyRef.current), 0);
  };

  const reset = () => {
    setProduct(null);
    setText("");
    setV({ quantity: "1", unit_price: "", discount_bp: "" });
    setTouched(false);
    setErrors({});
    productRef.current?.focus();
  };

  const focusFirstError = (errs: FieldErrors) => {
    const f = LINE_FIELDS.find((k) => errs[k]);
    if (f) focusSelect(refs[f].current);
  };

  const submit = async (): Promise<boolean> => {
    const errs: FieldErrors = {};
    if (!product) errs.product_id = "Pick a product: type its code or name.";
    const parsed = parseLine(v, errs);
    if (Object.keys(errs).length > 0 || !product) {
      setErrors(errs);
      focusFirstError(errs);
      return false;
    }
    // Clear the row and move on at once, so the next line can be typed while this one
    // is saved; put it back with the error if the back end refuses it.
    const saved = { product, text, v };
    reset();
    const line: AddLine = {
      type: "AddOrderLine",
      order_id: orderId,
      line_id: uuidv7(),
      product_id: product.id,
      quantity: parsed.quantity,
      unit_price: parsed.unit_price,
      discount_bp: parsed.discount_bp,
    };
    try {
      await (record ? record(line) : run(line));
      return true;
    } catch (e) {
      setProduct(saved.product);
      setText(saved.text);
      setV(saved.v);
      const errs2 = fieldErrorsOf(e, LINE_FIELDS);
      setErrors(errs2);
      // After the restored values are rendered.
      setTimeout(() => focusFirstError(errs2), 0);
      return false;
    }
  };
  // Keys of the line's inputs: Ctrl+Enter adds a started line first, then places.
  const lineKey = (e: React.KeyboardEvent<HTMLInputElement>, next: () => void) => {
    if (isPlaceKey(e)) {
      if (product || text.trim() !== "") placeAfter(e, submit);
      return;
    }
    onLineKey(e, next, reset);
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
            search={(s, limit) => api.listProducts({ search: s, limit }).then((p) => p.rows)}
            pageSize={10}
            moreTestId="product-more"
            itemKey={(p) => p.id}
            renderItem={productLabel}
            onSelect={choose}
            onResolving={() => focusSelect(qtyRef.current)}
            onCreate={(typed) => setCreating(typed)}
            createLabel={(typed) => `Create product “${typed}”…`}
            createTestId="product-create"
            onNoMatch={(typed) => {
              setErrors({ product_id: `No product matches “${typed}”.` });
              focusSelect(productRef.current);
            }}
            onKeyDown={(e) => {
              if (isPlaceKey(e) && product) {
                placeAfter(e, submit);
              } else if (e.key === "Enter" && product) {
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
            onKeyDown={(e) => lineKey(e, () => (touched ? focusSelect(priceRef.current) : void submit()))} />
        </td>
        <td className="col-price">
          <input ref={priceRef} className="num right" inputMode="decimal" aria-label="Unit price" data-testid="line-price-input"
            aria-invalid={!!errors.unit_price || undefined} value={v.unit_price}
            onChange={(e) => {
              setTouched(true);
              setV({ ...v, unit_price: e.target.value });
            }}
            onKeyDown={(e) => lineKey(e, () => focusSelect(discRef.current))} />
        </td>
        <td className="col-disc">
          <input ref={discRef} className="num right" inputMode="decimal" aria-label="Discount %" placeholder="0"
            data-testid="line-discount-input" aria-invalid={!!errors.discount_bp || undefined} value={v.discount_bp}
            onChange={(e) => {
              setTouched(true);
              setV({ ...v, discount_bp: e.target.value });
            }}
            onKeyDown={(e) => lineKey(e, () => void submit())} />
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
      {creating !== null &&
        createPortal(
          <QuickProduct
            code={creating}
            onCreated={(p) => {
              setCreating(null);
              choose(p);
            }}
            onCancel={() => {
              setCreating(null);
              focusSelect(productRef.current);
            }}
          />,
          document.body,
        )}
    </>
  );
}
