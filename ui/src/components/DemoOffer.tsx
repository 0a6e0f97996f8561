//! What an empty store shows: the first steps its text promises (create the first
//! customer, add products) and the offer to load realistic demo data, with the progress
//! the back end reports (`daybook://progress`) while it writes. A store with demo data
//! is never connected to a server (the Sync screen offers a clean store instead).

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { messageOf } from "../lib/errors";
import { formatCount } from "../lib/format";
import { href } from "../lib/router";
import { ProgressBar, useProgress } from "../lib/useProgress";
import { Empty, ErrorBanner } from "./ui";

export const DEMO_ORDERS = 5000;

/** Whether the store has no events at all (then demo data can be loaded). */
export function useStoreEmpty(): boolean | undefined {
  return useQuery({ queryKey: ["isEmpty"], queryFn: api.isEmpty }).data;
}

export function DemoOffer() {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const progress = useProgress(busy);
  const [error, setError] = useState<string>();
  const load = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.loadDemo(DEMO_ORDERS);
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Empty title="Your daybook is empty" testId="empty-store">
      <p>Start by creating a customer and a product, or explore Daybook with demo data.</p>
      <div className="address-actions">
        <a className="btn primary" href={href("customers/new")} data-testid="first-customer">
          Create the first customer
        </a>
        <a className="btn" href={href("products/new")} data-testid="first-product">
          Add products
        </a>
        <button type="button" className="btn" onClick={() => void load()} disabled={busy} data-testid="demo-load">
          {busy ? "Loading demo data…" : `Load demo data (${formatCount(DEMO_ORDERS)} orders)`}
        </button>
      </div>
      <p className="muted small">A store with demo data stays on this computer: it is never connected to a sync server.</p>
      {busy && <ProgressBar progress={progress} testId="demo-progress" />}
      <ErrorBanner message={error} />
    </Empty>
  );
}
