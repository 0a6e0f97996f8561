//! Data safety: backups (to a path defaulting to the data directory's backups folder,
//! with the existing ones listed), restore with a confirmation, CSV exports, the last
//! health check; and the recovery screen shown instead of the app when the store is
//! damaged at start (restore a listed backup, or start again from the server).
//! Other files are chosen in the platform's file dialog (`choose_file`), never typed;
//! the back end accepts only paths chosen there or inside its own folders.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { Empty, ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf, sentence } from "../lib/errors";
import { formatCount, formatDateTime } from "../lib/format";
import { ImportCard } from "./ImportCard";
import type { BackupFile, DataStatus, ExportKind, FilePurpose } from "../types";

/** `12.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

const EXPORTS: { kind: ExportKind; label: string; file: string }[] = [
  { kind: "orders", label: "Orders", file: "orders.csv" },
  { kind: "lines", label: "Order lines", file: "order-lines.csv" },
  { kind: "timeline", label: "History (timeline)", file: "history.csv" },
  { kind: "customers", label: "Customers", file: "customers.csv" },
  { kind: "products", label: "Products", file: "products.csv" },
];

export function useDataStatus() {
  return useQuery({ queryKey: ["dataStatus"], queryFn: () => api.dataStatus() });
}

/** A list of backups, each with a restore button that asks before replacing. */
function BackupList({ backups, onRestore, busy }: { backups: BackupFile[]; onRestore: (b: BackupFile) => void; busy: boolean }) {
  const [confirm, setConfirm] = useState<string>();
  if (backups.length === 0) return <Empty title="No backups yet" testId="backups-empty">Backups you make appear here.</Empty>;
  return (
    <ul className="attention" data-testid="backup-list">
      {backups.map((b) => (
        <li key={b.path} data-testid="backup-item">
          <div>
            <div className="strong">{b.name}</div>
            <div className="muted small">
              {formatBytes(b.bytes)} · {b.modified ? formatDateTime(b.modified) : "unknown date"}
            </div>
          </div>
          <div className="address-actions">
            {confirm === b.path ? (
              <>
                <span className="small">Replace the current data? It is kept aside.</span>
                <button type="button" className="btn small danger" disabled={busy} onClick={() => { setConfirm(undefined); onRestore(b); }} data-testid="restore-confirm">
                  Restore
                </button>
                <button type="button" className="btn small" onClick={() => setConfirm(undefined)} data-testid="restore-cancel">
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" className="btn small" disabled={busy} onClick={() => setConfirm(b.path)} data-testid="restore-open">
                Restore…
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

function useAction() {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const run = async (f: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const message = await f();
      setDone(message === "" ? undefined : message);
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

function restoreMessage(r: { summary: { events: number; orders: number }; kept_aside: string | null }): string {
  const kept = r.kept_aside ? ` The replaced data is kept as ${r.kept_aside}.` : "";
  return `Restored ${formatCount(r.summary.orders)} orders (${formatCount(r.summary.events)} events).${kept}`;
}

/** Asks the back end's file dialog for a path (`null`: the user cancelled). */
async function choose(purpose: FilePurpose, suggested: string | null): Promise<string | null> {
  return api.chooseFile(purpose, suggested);
}

function DataBody({ d }: { d: DataStatus }) {
  const [restorePath, setRestorePath] = useState<string>();
  const [diagnostics, setDiagnostics] = useState<string>();
  const a = useAction();
  const backup = () =>
    a.run(async () => {
      const path = await choose("backup", null);
      if (path === null) return "";
      const r = await api.backupStore(path);
      return `Backed up ${formatCount(r.summary.orders)} orders (${formatCount(r.summary.events)} events, ${formatBytes(r.bytes)}) to ${r.path}. Integrity checked.`;
    });
  const backupHere = () =>
    a.run(async () => {
      const r = await api.backupStore(d.suggested_backup);
      return `Backed up ${formatCount(r.summary.orders)} orders (${formatCount(r.summary.events)} events, ${formatBytes(r.bytes)}) to ${r.path}. Integrity checked.`;
    });
  const pickRestore = () =>
    a.run(async () => {
      setRestorePath((await choose("restore", null)) ?? undefined);
      return "";
    });
  const restore = (file: string) => a.run(async () => restoreMessage(await api.restoreStore(file)));
  const exportCsv = (kind: ExportKind, file: string) =>
    a.run(async () => {
      const path = await choose("export", file);
      if (path === null) return "";
      const r = await api.exportCsv(kind, path, null);
      return `Wrote ${formatCount(r.rows)} rows to ${path}.`;
    });
  const copyDiagnostics = () =>
    a.run(async () => {
      setDiagnostics(await api.copyDiagnostics());
      return "The diagnostics are on the clipboard.";
    });
  return (
    <>
      {a.done && <div className="card" role="status" data-testid="data-done">{a.done}</div>}
      <ErrorBanner message={a.error} />
      <div className="card">
        <div className="card-title">Back up</div>
        <p className="muted small">A checked copy of everything, made while you keep working.</p>
        <div className="address-actions">
          <button type="button" className="btn primary" disabled={a.busy} onClick={() => void backupHere()} data-testid="backup-submit">
            Back up now
          </button>
          <button type="button" className="btn" disabled={a.busy} onClick={() => void backup()} data-testid="backup-choose">
            Back up to…
          </button>
        </div>
        <p className="muted small">&ldquo;Back up now&rdquo; writes into {d.backup_dir}.</p>
      </div>
      <div className="card">
        <div className="card-title">Backups in {d.backup_dir}</div>
        <BackupList backups={d.backups} busy={a.busy} onRestore={(b) => void restore(b.path)} />
        {restorePath ? (
          <div className="address-actions">
            <span className="small" data-testid="restore-path">Replace the current data with {restorePath}? It is kept aside.</span>
            <button type="button" className="btn small danger" disabled={a.busy} onClick={() => { setRestorePath(undefined); void restore(restorePath); }} data-testid="restore-path-confirm">
              Restore
            </button>
            <button type="button" className="btn small" onClick={() => setRestorePath(undefined)}>Cancel</button>
          </div>
        ) : (
          <button type="button" className="btn" disabled={a.busy} onClick={() => void pickRestore()} data-testid="restore-path-open">
            Restore from another file…
          </button>
        )}
      </div>
      <div className="card">
        <div className="card-title">Export to CSV</div>
        <p className="muted small">UTF-8, amounts as decimals, times in UTC (ISO 8601); you choose where.</p>
        <div className="address-actions">
          {EXPORTS.map((e) => (
            <button key={e.kind} type="button" className="btn" disabled={a.busy} onClick={() => void exportCsv(e.kind, e.file)} data-testid={`export-${e.kind}`}>
              {e.label}…
            </button>
          ))}
        </div>
      </div>
      <ImportCard />
      <div className="card">
        <div className="card-title">Health</div>
        <div className="muted small" data-testid="data-health">
          {d.last_check === null
            ? "The store is checked in the background a few seconds after start."
            : d.last_check.ok
              ? `The last check found no damage (${d.last_check.millis} ms).`
              : `The last check found damage: ${d.last_check.problems.join("; ")}. Restore a backup.`}
        </div>
        <button type="button" className="btn" disabled={a.busy} onClick={() => void copyDiagnostics()} data-testid="copy-diagnostics">
          Copy diagnostics
        </button>
        {diagnostics && <pre className="diagnostics muted small" data-testid="diagnostics">{diagnostics}</pre>}
      </div>
    </>
  );
}

export function DataScreen() {
  const s = useDataStatus();
  if (s.isLoading) return <Spinner />;
  if (!s.data) return <ErrorBanner message={s.error ? messageOf(s.error) : "Data status unavailable."} />;
  return (
    <section className="screen">
      <PageHeader title="Data" sub={`Stored in ${s.data.data_dir}`} />
      <DataBody d={s.data} />
    </section>
  );
}

/** Shown instead of the app when the store could not be opened because it is damaged. */
export function RecoveryScreen({ d }: { d: DataStatus }) {
  const a = useAction();
  const [confirmFresh, setConfirmFresh] = useState(false);
  return (
    <main className="main" data-testid="recovery">
      <section className="screen">
        <PageHeader title="The local data is damaged" sub={d.data_dir} />
        <div className="card">
          <p>
            Daybook cannot read its database file. Nothing has been deleted: whatever you choose, the damaged file is kept
            aside.
          </p>
          {d.damaged && <p className="muted small" data-testid="recovery-reason">{sentence(d.damaged)}</p>}
        </div>
        <ErrorBanner message={a.error} />
        <div className="card">
          <div className="card-title">Restore a backup</div>
          <BackupList backups={d.backups} busy={a.busy} onRestore={(b) => void a.run(async () => restoreMessage(await api.restoreStore(b.path)))} />
        </div>
        <div className="card">
          <div className="card-title">Start again from the server</div>
          <p className="muted small">
            An empty store that fills itself from the sync server on the next sync. Changes this device had not sent yet
            stay only in the damaged file.
          </p>
          {confirmFresh ? (
            <div className="address-actions">
              <button type="button" className="btn danger" disabled={a.busy} onClick={() => void a.run(async () => { await api.startFresh(); return ""; })} data-testid="fresh-confirm">
                Start again
              </button>
              <button type="button" className="btn" onClick={() => setConfirmFresh(false)}>Cancel</button>
            </div>
          ) : (
            <button type="button" className="btn" onClick={() => setConfirmFresh(true)} data-testid="fresh-open">
              Start again…
            </button>
          )}
        </div>
      </section>
    </main>
  );
}
