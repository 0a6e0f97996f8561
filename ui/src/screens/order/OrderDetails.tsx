//! The order's details card: customer reference, delivery address and notes, saved
//! when a field is left.

import { useState } from "react";
import { ErrorBanner, Field, fieldProps } from "../../components/ui";
import { useCommand } from "../../lib/commands";
import { fieldErrorsOf, type FieldErrors } from "../../lib/errors";
import type { CustomerDetail, OrderDetail } from "../../types";

export function OrderDetails({
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
      await run({
        type: "SetOrderDetails",
        order_id: o.id,
        customer_reference: ref || null,
        notes: notes || null,
        // What this screen showed: a colleague's edit that synced first is kept or refused.
        seen: { customer_reference: o.customer_reference, notes: detail.notes },
      });
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
