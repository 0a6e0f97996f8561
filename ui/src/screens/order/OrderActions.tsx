//! The order's life-cycle actions: place (also Ctrl+Enter on a draft), release or refuse
//! (with a reason) a held order, deliver, invoice, cancel (with a reason), duplicate,
//! the history link; a draft is discarded ("Discard draft…", `DraftForms.tsx`) rather
//! than cancelled. A refusal is shown in the
//! action error banner, built from the error's code and parameters.

import { useEffect, useState } from "react";
import { api } from "../../api";
import { useCommand } from "../../lib/commands";
import { messageOf } from "../../lib/errors";
import { href, navigate } from "../../lib/router";
import { uuidv7 } from "../../lib/uuid";
import type { OrderRow } from "../../types";
import { PLACE_EVENT, isPlaceKey } from "./lineInputs";

export type OrderActions = ReturnType<typeof useOrderActions>;

/** The actions on order `o`, the refusal of the last one, and the cancel form's state. */
export function useOrderActions(o: OrderRow) {
  const draft = o.status === "draft";
  const { run, pending } = useCommand();
  // A refusal belongs to the order as it was: once the order changes (a line removed,
  // a price lowered), its cause may be gone, so the banner goes too.
  const [refusal, setRefusal] = useState<{ message: string; revision: number }>();
  const setError = (message?: string) => setRefusal(message === undefined ? undefined : { message, revision: o.revision });
  const error = refusal && refusal.revision === o.revision ? refusal.message : undefined;
  const [cancelling, setCancelling] = useState(false);
  // The draft's own forms: another customer, or discard it.
  const [draftForm, setDraftForm] = useState<"customer" | "discard" | null>(null);
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState("");

  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const place = () => act(() => run({ type: "PlaceOrder", order_id: o.id }));
  const release = () => act(() => run({ type: "ReleaseOrder", order_id: o.id }));
  const refuse = () =>
    act(async () => {
      await run({ type: "RefuseHeldOrder", order_id: o.id, reason });
      setRefusing(false);
      setReason("");
    });
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

  // Keyboard: Ctrl+Enter places a draft; a line being edited saves itself first (it
  // prevents the default and sends PLACE_EVENT once saved).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (isPlaceKey(e) && draft && !e.defaultPrevented) {
        e.preventDefault();
        void place();
      }
    };
    const onPlace = () => {
      if (draft) void place();
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener(PLACE_EVENT, onPlace);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(PLACE_EVENT, onPlace);
    };
  });

  return {
    pending,
    error,
    place,
    release,
    refuse,
    deliver,
    invoice,
    cancel,
    duplicate,
    cancelling,
    setCancelling,
    draftForm,
    setDraftForm,
    refusing,
    setRefusing,
    reason,
    setReason,
  };
}

/** The header's buttons: what the order's status allows. */
export function OrderActionButtons({ order: o, actions: a }: { order: OrderRow; actions: OrderActions }) {
  const draft = o.status === "draft";
  return (
    <>
      {draft && (
        <button type="button" className="btn primary" onClick={() => void a.place()} disabled={a.pending} data-testid="order-place">
          Place order <kbd className="kbd">Ctrl ↵</kbd>
        </button>
      )}
      {o.status === "held" && (
        <>
          <button type="button" className="btn primary" onClick={() => void a.release()} disabled={a.pending} data-testid="order-release">
            Release
          </button>
          <button type="button" className="btn" onClick={() => a.setRefusing((v) => !v)} data-testid="order-refuse">
            Refuse…
          </button>
        </>
      )}
      {o.status === "placed" && (
        <button type="button" className="btn primary" onClick={() => void a.deliver()} disabled={a.pending} data-testid="order-deliver">
          Deliver
        </button>
      )}
      {o.status === "delivered" && (
        <button type="button" className="btn primary" onClick={() => void a.invoice()} disabled={a.pending} data-testid="order-invoice">
          Invoice
        </button>
      )}
      {/* A draft was never placed: it is discarded (out of the lists) rather than cancelled. */}
      {draft && (
        <button type="button" className="btn" onClick={() => a.setDraftForm((f) => (f === "discard" ? null : "discard"))}
          data-testid="order-discard">
          Discard draft…
        </button>
      )}
      {!draft && o.status !== "invoiced" && o.status !== "cancelled" && o.status !== "discarded" && (
        <button type="button" className="btn" onClick={() => a.setCancelling((v) => !v)} data-testid="order-cancel">
          Cancel order…
        </button>
      )}
      <button type="button" className="btn" onClick={() => void a.duplicate()} disabled={a.pending} data-testid="order-duplicate">
        Duplicate
      </button>
      <a className="btn" href={href(`history/${o.id}`)} data-testid="order-history">
        History
      </a>
    </>
  );
}

/** Asks for the reason before cancelling. */
export function CancelForm({ actions: a }: { actions: OrderActions }) {
  return (
    <form
      className="inline-form card"
      onSubmit={(e) => {
        e.preventDefault();
        void a.cancel();
      }}
    >
      <label htmlFor="cancel-reason">Reason for cancelling</label>
      <input id="cancel-reason" autoFocus value={a.reason} onChange={(e) => a.setReason(e.target.value)} data-testid="cancel-reason" />
      <button type="submit" className="btn danger" data-testid="cancel-confirm">
        Cancel order
      </button>
      <button type="button" className="btn ghost" onClick={() => a.setCancelling(false)}>
        Keep it
      </button>
    </form>
  );
}

/** Asks for the reason before refusing a held order (the clerk reads it in the history). */
export function RefuseForm({ actions: a }: { actions: OrderActions }) {
  return (
    <form
      className="inline-form card"
      onSubmit={(e) => {
        e.preventDefault();
        void a.refuse();
      }}
    >
      <label htmlFor="order-refuse-reason">Why is it refused?</label>
      <input id="order-refuse-reason" autoFocus value={a.reason} onChange={(e) => a.setReason(e.target.value)} data-testid="order-refuse-reason" />
      <button type="submit" className="btn danger" data-testid="order-refuse-confirm">
        Refuse
      </button>
      <button type="button" className="btn ghost" onClick={() => a.setRefusing(false)}>
        Keep it held
      </button>
    </form>
  );
}
