//! A saved line: read-only once the order is placed; on a draft its quantity, price and
//! discount are edited in place (committed on Enter at the discount or when the focus
//! leaves the row; Ctrl+Delete removes the line; Ctrl+Enter saves it, then places).

import { useRef, useState, type KeyboardEvent } from "react";
import { MoneyText } from "../../components/ui";
import { useCommand } from "../../lib/commands";
import { fieldErrorsOf, type FieldErrors } from "../../lib/errors";
import { bpToInput, formatBp, moneyToInput } from "../../lib/money";
import type { LineRow } from "../../types";
import { LINE_FIELDS, LineError, focusSelect, isPlaceKey, onLineKey, parseLine, placeAfter, type LineInputs } from "./lineInputs";

export function LineEditor({
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
        // What this screen showed: a colleague's change that synced first is merged or
        // refused, never overwritten in silence.
        seen: { quantity: line.quantity, unit_price: line.unit_price, discount_bp: line.discount_bp },
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
    if (isPlaceKey(e)) {
      placeAfter(e, commit);
      return;
    }
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
          <span className="mono">{line.code}</span> <span>{line.description}</span>
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
