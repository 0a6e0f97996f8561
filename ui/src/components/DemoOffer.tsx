//! What an empty store shows: an offer to load realistic demo data.

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { toErrorBody } from "../lib/errors";
import { Empty, ErrorBanner } from "./ui";

export function DemoOffer({ what = "orders" }: { what?: string }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const load = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.loadDemo(500);
      await qc.invalidateQueries();
    } catch (e) {
      setError(toErrorBody(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Empty title={`No ${what} yet`} testId="empty-store">
      <p>Start by creating a customer and a product, or explore Daybook with demo data.</p>
      <button type="button" className="btn primary" onClick={() => void load()} disabled={busy} data-testid="demo-load">
        {busy ? "Loading demo data…" : "Load demo data"}
      </button>
      <ErrorBanner message={error} />
    </Empty>
  );
}
