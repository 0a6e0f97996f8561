//! Order entry, keyboard-first. A new order starts with the customer picker and is
//! recorded with its first line (`order/NewOrder.tsx`); an order's screen (here) puts together its header and actions,
//! the warnings, the line grid where Enter moves on (product -> quantity -> price ->
//! discount -> next line), the totals computed by the back end after every command, the
//! customer's credit and the details. Domain errors are shown next to the field that
//! caused them. The pieces live in `order/`.

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api } from "../api";
import { CreditBar } from "../components/CreditBar";
import { ErrorBanner, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { navigate } from "../lib/router";
import type { CustomerDetail, OrderDetail } from "../types";
import { LineGrid } from "./order/LineGrid";
import { DocumentActions } from "./order/DocumentActions";
import { ChangeCustomerForm, DiscardForm } from "./order/DraftForms";
import { CancelForm, OrderActionButtons, RefuseForm, useOrderActions } from "./order/OrderActions";
import { OrderDetails } from "./order/OrderDetails";
import { OrderHeader } from "./order/OrderHeader";
import { OrderWarnings } from "./order/OrderWarnings";
import { TotalsCard } from "./order/TotalsCard";

export { NewOrder } from "./order/NewOrder";

/** `orders/<id>`. */
export function OrderScreen({ id, focusLine, place }: { id: string; focusLine?: boolean; place?: boolean }) {
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
  return <OrderView detail={order.data} customer={customer.data} focusLine={focusLine ?? false} place={place ?? false} />;
}

function OrderView({
  detail,
  customer,
  focusLine,
  place,
}: {
  detail: OrderDetail;
  customer: CustomerDetail | undefined;
  focusLine: boolean;
  /** Place it at once: Ctrl+Enter on a new order's first line (see `NewOrder.tsx`). */
  place: boolean;
}) {
  const o = detail.order;
  const draft = o.status === "draft";
  const actions = useOrderActions(o);
  const newLineProductRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focusLine && draft) newLineProductRef.current?.focus();
  }, [focusLine, draft, o.id]);

  const placeOnce = useRef(place);
  useEffect(() => {
    if (!placeOnce.current) return;
    placeOnce.current = false;
    navigate(`orders/${o.id}${focusLine ? "?focus=line" : ""}`, { replace: true });
    if (draft) void actions.place();
  });

  const c = customer?.customer;
  return (
    <section className="screen order-entry" data-testid="order-screen" data-order-id={o.id}>
      <OrderHeader
        detail={detail}
        onChangeCustomer={draft ? () => actions.setDraftForm((f) => (f === "customer" ? null : "customer")) : undefined}
      >
        <OrderActionButtons order={o} actions={actions} />
      </OrderHeader>
      {actions.cancelling && <CancelForm actions={actions} />}
      {draft && actions.draftForm === "customer" && <ChangeCustomerForm order={o} onClose={() => actions.setDraftForm(null)} />}
      {draft && actions.draftForm === "discard" && <DiscardForm order={o} onClose={() => actions.setDraftForm(null)} />}
      {actions.refusing && o.status === "held" && <RefuseForm actions={actions} />}
      <DocumentActions order={o} />
      <OrderWarnings detail={detail} customer={c} />
      <ErrorBanner message={actions.error} testId="order-action-error" />

      <div className="order-body">
        <LineGrid detail={detail} newLineProductRef={newLineProductRef} />
        <aside className="side">
          <TotalsCard totals={detail.totals} currency={o.currency} />
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
