//! Warnings shown on a draft before it is placed: a blocked customer, and a spending
//! limit this order would take the customer's open orders over; on a held order, what
//! it waits for.

import { formatMoney } from "../../lib/money";
import type { CustomerRow, OrderDetail } from "../../types";

export function OrderWarnings({ detail, customer: c }: { detail: OrderDetail; customer: CustomerRow | undefined }) {
  const o = detail.order;
  const draft = o.status === "draft";
  const limit = c?.spending_limit ?? null;
  const projected = (c?.open_total ?? 0) + (draft ? detail.totals.gross : 0);
  const overLimit = draft && limit !== null && projected > limit;
  return (
    <>
      {c?.blocked && draft && (
        <div className="banner banner-error" role="alert" data-testid="blocked-warning">
          {c.name} is blocked and cannot place orders.
        </div>
      )}
      {overLimit && limit !== null && (
        <div className="banner banner-warn" role="alert" data-testid="spending-warning">
          Placing this order ({formatMoney(detail.totals.gross, o.currency)}) would take {c?.name}'s open orders (
          {formatMoney(c?.open_total ?? 0, o.currency)}) to {formatMoney(projected, o.currency)}, over the spending
          limit of {formatMoney(limit, o.currency)}. Placed, it is held until a manager releases it.
        </div>
      )}
      {o.status === "held" && (
        <div className="banner banner-warn" role="status" data-testid="held-notice">
          Held for a manager
          {c && (
            <>
              : with this order ({formatMoney(o.gross, o.currency)}) {c.name}'s open orders (
              {formatMoney(c.open_total, o.currency)}) would go over the spending limit
              {limit !== null ? ` of ${formatMoney(limit, o.currency)}` : ""}
            </>
          )}
          . A manager releases it (it is placed) or refuses it (it is a draft again), here or under Approvals.
        </div>
      )}
    </>
  );
}
