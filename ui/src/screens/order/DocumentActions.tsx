//! The order's documents: confirmation (once placed), pro forma or invoice (once
//! placed), delivery note (once delivered), each drawn from the order as it was at that
//! moment. A cancelled order keeps the confirmation (and the delivery note, when it was
//! delivered first), marked cancelled, and has no invoice. "Save as PDF…" (Ctrl+P) asks where in the file dialog; "Open" writes it into
//! the data folder's documents/ and hands it to the system's PDF viewer; "E-mail"
//! attaches it to a new mail in the user's mail client.

import { useEffect, useState } from "react";
import { api } from "../../api";
import { messageOf } from "../../lib/errors";
import type { OrderDocument, OrderRow, OrderStatus, SavedDocument } from "../../types";

const LABELS: Record<OrderDocument, string> = {
  confirmation: "Order confirmation",
  delivery: "Delivery note",
  invoice: "Invoice",
};

/** The documents an order has; the first is the one Ctrl+P saves. */
export function documentsFor(o: Pick<OrderRow, "status" | "placed_at" | "delivered_at">): OrderDocument[] {
  switch (o.status) {
    case "placed":
      return ["confirmation", "invoice"];
    case "delivered":
      return ["delivery", "confirmation", "invoice"];
    case "invoiced":
      return ["invoice", "delivery", "confirmation"];
    case "cancelled":
      // What it reached before it was cancelled; never an invoice (not even pro forma).
      if (o.delivered_at) return ["delivery", "confirmation"];
      return o.placed_at ? ["confirmation"] : [];
    default:
      return [];
  }
}

/** "Pro forma invoice" until the order is invoiced. */
export function documentLabel(kind: OrderDocument, status: OrderStatus): string {
  return kind === "invoice" && status !== "invoiced" ? "Pro forma invoice" : LABELS[kind];
}

/** Ctrl+P (Cmd+P): save the chosen document as PDF instead of the webview's print. */
export function isPrintKey(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "p";
}

function pages(n: number) {
  return `${n} page${n === 1 ? "" : "s"}`;
}

export function DocumentActions({ order: o }: { order: OrderRow }) {
  const kinds = documentsFor(o);
  const [kind, setKind] = useState<OrderDocument | undefined>(kinds[0]);
  const chosen = kind && kinds.includes(kind) ? kind : kinds[0];
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();

  const act = async (f: (k: OrderDocument) => Promise<string | undefined>) => {
    if (!chosen || busy) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await f(chosen));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const told = (verb: string, s: SavedDocument) => `${s.title} ${s.order_number} ${verb} ${s.path} (${pages(s.pages)}).`;
  const save = () =>
    act(async (k) => {
      const name = await api.documentFileName(o.id, k);
      const path = await api.chooseFile("pdf", name);
      if (!path) return undefined;
      return told("saved as", await api.saveDocument(o.id, k, path));
    });
  const open = () => act(async (k) => told("opened from", await api.openDocument(o.id, k)));
  const email = () => act(async (k) => told("attached to a new mail from", await api.emailDocument(o.id, k)));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isPrintKey(e) && chosen) {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (kinds.length === 0) return null;
  return (
    <div className="document-actions" data-testid="document-actions" role="group" aria-label="Print / PDF">
      {o.status === "cancelled" && (
        <span className="muted small" data-testid="document-cancelled">
          Cancelled: its documents say so on every page.
        </span>
      )}
      <select value={chosen} onChange={(e) => setKind(e.target.value as OrderDocument)} aria-label="Document"
        data-testid="document-kind">
        {kinds.map((k) => (
          <option key={k} value={k}>
            {documentLabel(k, o.status)}
          </option>
        ))}
      </select>
      <button type="button" className="btn" onClick={() => void save()} disabled={busy} data-testid="document-save"
        title="Save as PDF (Ctrl+P)">
        Save as PDF… <kbd className="kbd">Ctrl P</kbd>
      </button>
      <button type="button" className="btn" onClick={() => void open()} disabled={busy} data-testid="document-open">
        Open
      </button>
      <button type="button" className="btn" onClick={() => void email()} disabled={busy} data-testid="document-email">
        E-mail…
      </button>
      {done && (
        <span className="muted small" role="status" data-testid="document-done">
          {done}
        </span>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid="document-error">
          {error}
        </span>
      )}
    </div>
  );
}
