//! What an empty store shows: an offer to load realistic demo data, with the progress
//! the back end reports (`daybook://progress`) while it writes.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, onProgress } from "../api";
import { messageOf } from "../lib/errors";
import { formatCount } from "../lib/format";
import type { Progress } from "../types";
import { Empty, ErrorBanner } from "./ui";

export const DEMO_ORDERS = 5000;

/** Whether the store has no events at all (then demo data can be loaded). */
export function useStoreEmpty(): boolean | undefined {
  return useQuery({ queryKey: ["isEmpty"], queryFn: api.isEmpty }).data;
}

export function DemoOffer() {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!busy) return;
    let unlisten: (() => void) | undefined;
    let live = true;
    onProgress((p) => live && setProgress(p))
      .then((u) => (live ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      live = false;
      unlisten?.();
    };
  }, [busy]);
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
      setProgress(null);
    }
  };
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <Empty title="Your daybook is empty" testId="empty-store">
      <p>Start by creating a customer and a product, or explore Daybook with demo data.</p>
      <button type="button" className="btn primary" onClick={() => void load()} disabled={busy} data-testid="demo-load">
        {busy ? "Loading demo data…" : `Load demo data (${formatCount(DEMO_ORDERS)} orders)`}
      </button>
      {busy && (
        <div className="demo-progress">
          <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="demo-progress">
            <div className="bar-fill" style={{ width: `${pct}%` }} />
          </div>
          {progress && <span className="muted small">{formatCount(progress.done)} of {formatCount(progress.total)}</span>}
        </div>
      )}
      <ErrorBanner message={error} />
    </Empty>
  );
}
