//! The order's header: number, status, customer (on a draft, "Change customer…"), the
//! moments of its life cycle, and the action buttons.

import type { ReactNode } from "react";
import { PageHeader, StatusBadge } from "../../components/ui";
import { formatDateTime } from "../../lib/format";
import { href } from "../../lib/router";
import type { OrderDetail } from "../../types";

export function OrderHeader({
  detail,
  onChangeCustomer,
  children,
}: {
  detail: OrderDetail;
  /** A draft's "Change customer…" (see `DraftForms.tsx`). */
  onChangeCustomer?: () => void;
  children: ReactNode;
}) {
  const o = detail.order;
  return (
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
          {onChangeCustomer && (
            <>
              {" · "}
              <button type="button" className="link-button" onClick={onChangeCustomer} data-testid="order-change-customer">
                change customer…
              </button>
            </>
          )}
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
      {children}
    </PageHeader>
  );
}
