//! Sync status: online or not, changes waiting, last sync, progress, and the commands
//! the server refused, with retry, edit and retry, and discard (SyncAttention.tsx); and
//! the server card (SyncServer.tsx):
//! connect, change, sync now, sign out, or a demo store's way out.

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Empty, ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDateTime, formatRelative } from "../lib/format";
import { href } from "../lib/router";
import { useSyncStatus } from "../lib/sync";
import type { SyncStatus } from "../types";
import { AttentionItem } from "./SyncAttention";
import { ServerCard } from "./SyncServer";

/** The badge's words for each sync state (the list is the engine's, `SyncState`). */
export function syncBadgeText(s: SyncStatus): string {
  const waiting = s.pending === 1 ? "1 change waiting" : `${formatCount(s.pending)} changes waiting`;
  const withWaiting = (what: string) => (s.pending > 0 ? `${what}, ${waiting}` : what);
  switch (s.state) {
    case "local_only":
      return "Local only";
    case "syncing":
      return s.progress && s.progress.total > 0 && s.progress.done < s.progress.total
        ? `Syncing ${s.progress.done}/${s.progress.total}`
        : "Syncing";
    case "online":
      return s.pending > 0 ? `Online, ${waiting}` : "Synced";
    case "offline":
      return withWaiting("Offline");
    case "refused":
      return withWaiting("Refused by the server");
    case "update_required":
      return withWaiting("Update required");
    case "signed_out":
      return withWaiting("Signed out");
  }
}

export function SyncBadge() {
  const s = useSyncStatus();
  if (!s.data) return null;
  const attention = s.data.needs_attention.length;
  return (
    <a href={href("sync")} className={`sync-badge ${s.data.state === "online" || s.data.state === "syncing" ? "online" : "offline"}`} data-testid="sync-badge"
      title={s.data.last_sync ? `Last sync ${formatDateTime(s.data.last_sync)}` : "Never synced"}>
      <span className="sync-line">
        <span className="dot" aria-hidden="true" />
        {syncBadgeText(s.data)}
      </span>
      {attention > 0 && <span className="badge status-cancelled">{attention} need attention</span>}
    </a>
  );
}

export function SyncScreen() {
  const s = useSyncStatus();
  const qc = useQueryClient();
  const [error, setError] = useState<string>();
  if (s.isLoading) return <Spinner />;
  if (!s.data) return <ErrorBanner message={s.error ? messageOf(s.error) : "Sync status unavailable."} />;
  const d = s.data;
  const pct = d.progress && d.progress.total > 0 ? Math.round((d.progress.done / d.progress.total) * 100) : null;
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <section className="screen">
      <PageHeader title="Sync" sub={syncBadgeText(d)} />
      <div className="kpis">
        <div className="card kpi">
          <div className="kpi-label">Connection</div>
          <div className="kpi-value" data-testid="sync-online">{d.online ? "Online" : "Offline"}</div>
        </div>
        <div className="card kpi">
          <div className="kpi-label">Changes waiting</div>
          <div className="kpi-value num" data-testid="sync-pending">{formatCount(d.pending)}</div>
        </div>
        <div className="card kpi">
          <div className="kpi-label">Last sync</div>
          <div className="kpi-value small-value" data-testid="sync-last">
            {d.last_sync ? formatRelative(d.last_sync) : "Never"}
          </div>
          {d.last_sync && <div className="kpi-sub">{formatDateTime(d.last_sync)}</div>}
        </div>
      </div>
      <div className="card">
        <div className="card-title">Progress</div>
        <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? 0} data-testid="sync-progress">
          <div className="bar-fill" style={{ width: `${pct ?? (d.pending === 0 ? 100 : 0)}%` }} />
        </div>
        <div className="muted small">
          {d.progress && d.progress.total > 0 ? `${d.progress.done} of ${d.progress.total} sent` : d.pending === 0 ? "Nothing to send." : "Waiting to connect."}
        </div>
      </div>
      <ServerCard d={d} />
      <ErrorBanner message={error} />
      <div className="card">
        <div className="card-title">Needs attention</div>
        {d.needs_attention.length === 0 ? (
          <Empty title="Nothing needs attention" testId="attention-empty">Changes the server refuses appear here, with the reason.</Empty>
        ) : (
          <ul className="attention" data-testid="attention-list">
            {d.needs_attention.map((n) => (
              <AttentionItem key={n.command_id} n={n} act={act} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
