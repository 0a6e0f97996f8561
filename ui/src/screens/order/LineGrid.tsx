//! The line grid: the saved lines (edited in place on a draft) and, on a draft, the new
//! line. Enter on a saved line's discount moves to the next line's quantity, or to the
//! new line's product after the last one; a line added keeps the new line in view.

import { useEffect, useRef, type RefObject } from "react";
import type { OrderDetail } from "../../types";
import { LineEditor } from "./LineEditor";
import { NewLine } from "./NewLine";

export function LineGrid({
  detail,
  newLineProductRef,
}: {
  detail: OrderDetail;
  newLineProductRef: RefObject<HTMLInputElement | null>;
}) {
  const o = detail.order;
  const draft = o.status === "draft";
  const lineQtyRefs = useRef<Map<string, HTMLInputElement>>(new Map());

  // A line just added pushes the new line (focused already, for the next one) down:
  // keep it in view.
  const count = detail.lines.length;
  useEffect(() => {
    const el = newLineProductRef.current;
    if (el && document.activeElement === el && "scrollIntoView" in el) el.scrollIntoView({ block: "nearest" });
  }, [count, newLineProductRef]);

  const focusAfterLine = (index: number) => {
    const next = detail.lines[index + 1];
    const el = next ? lineQtyRefs.current.get(next.line_id) : newLineProductRef.current;
    el?.focus();
    if (el instanceof HTMLInputElement) el.select();
  };

  return (
    <div className="card lines-card">
      <table className="lines" data-testid="order-lines">
        <LinesHead />
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
  );
}

/** The line grid's column headings (the order screen's and a new order's). */
export function LinesHead() {
  return (
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
  );
}
