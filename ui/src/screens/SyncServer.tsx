//! The Sync screen's server card: connect a local-only store (URL and device token, each
//! checked against the server before anything is remembered: a wrong URL or token is
//! shown at its field), change the server or the token, sync now, sign out and
//! disconnect. A store holding demo data is never connected: the card says so and
//! offers the way out, a clean store that keeps none of the demo data.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { ErrorBanner } from "../components/ui";
import { messageOf, sentence, toErrorBody } from "../lib/errors";
import { errorMessage } from "../lib/messages";
import type { SyncStatus } from "../types";

export function useAppInfo() {
  return useQuery({ queryKey: ["appInfo"], queryFn: () => api.appInfo() });
}

/** Connects the store to a server, or changes it: URL and device token, errors at their field. */
export function ConnectForm({ initialServer = "", onDone, onCancel }: { initialServer?: string; onDone: () => Promise<unknown>; onCancel?: () => void }) {
  const [server, setServer] = useState(initialServer);
  const [token, setToken] = useState("");
  const [errors, setErrors] = useState<{ server?: string; token?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      await api.configureSync(server, token);
      await onDone();
    } catch (err) {
      const body = toErrorBody(err);
      const message = errorMessage(body);
      setErrors(body.field === "server" || body.field === "token" ? { [body.field]: message } : { form: message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="sync-connect">
      <div className="card-title">{initialServer ? "Change the server or the token" : "Connect to a sync server"}</div>
      <p className="muted small">Everything keeps working offline; once connected, changes sync by themselves.</p>
      <label className="field">
        <span>Server URL</span>
        <input value={server} onChange={(e) => { setServer(e.target.value); setErrors((x) => ({ ...x, server: undefined })); }}
          placeholder="https://sync.example.com" aria-invalid={!!errors.server || undefined} data-testid="sync-server" />
        {errors.server && <span className="field-error" role="alert" data-testid="error-server">{errors.server}</span>}
      </label>
      <label className="field">
        <span>Device token</span>
        <input value={token} onChange={(e) => { setToken(e.target.value); setErrors((x) => ({ ...x, token: undefined })); }}
          type="password" placeholder="dbk_…" aria-invalid={!!errors.token || undefined} data-testid="sync-token" />
        {errors.token && <span className="field-error" role="alert" data-testid="error-token">{errors.token}</span>}
      </label>
      <ErrorBanner message={errors.form} />
      <div className="address-actions">
        <button type="submit" className="btn primary" disabled={busy} data-testid="sync-connect-submit">
          {busy ? "Checking…" : "Connect"}
        </button>
        {onCancel && <button type="button" className="btn" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

/** A demo store: why it is not connected, and the way out. */
function DemoCard() {
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string>();
  const [kept, setKept] = useState<string | null>();
  const clean = async () => {
    setError(undefined);
    try {
      const r = await api.startClean();
      setKept(r.kept_aside);
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="card" data-testid="sync-demo">
      <div className="card-title">This store holds demo data</div>
      <p className="muted small">
        Demo data never goes to a server, so this store is not connected to one. To sync, start a clean store: it keeps
        none of the demo data (the demo store is kept aside, not deleted).
      </p>
      {kept !== undefined && <p className="small" role="status">Started a clean store.{kept ? ` The demo store is kept as ${kept}.` : ""}</p>}
      <ErrorBanner message={error} />
      {confirm ? (
        <div className="address-actions">
          <button type="button" className="btn danger" onClick={() => { setConfirm(false); void clean(); }} data-testid="start-clean-confirm">
            Start a clean store
          </button>
          <button type="button" className="btn" onClick={() => setConfirm(false)}>Cancel</button>
        </div>
      ) : (
        <button type="button" className="btn" onClick={() => setConfirm(true)} data-testid="start-clean-open">
          Start a clean store…
        </button>
      )}
    </div>
  );
}

/** The server card: connect, or the connected server with Sync now, change and sign out. */
export function ServerCard({ d }: { d: SyncStatus }) {
  const qc = useQueryClient();
  const info = useAppInfo();
  const [changing, setChanging] = useState(false);
  const [confirmOut, setConfirmOut] = useState(false);
  const [error, setError] = useState<string>();
  const done = async () => {
    setChanging(false);
    await qc.invalidateQueries();
  };
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  if (info.data?.demo_data) return <DemoCard />;
  if (!d.configured) return <ConnectForm onDone={done} />;
  if (changing) return <ConnectForm initialServer={d.server ?? ""} onDone={done} onCancel={() => setChanging(false)} />;
  const wrongToken = d.state === "signed_out";
  return (
    <div className="card" data-testid="sync-server-card">
      <div className="card-title">Server</div>
      <div className="mono" data-testid="sync-server-url">{d.server}</div>
      {d.last_error && (
        <div className={wrongToken ? "field-error" : "muted small"} data-testid="sync-last-error">
          {wrongToken ? "The server no longer accepts this device's token: enter a new one with “Change…”." : sentence(d.last_error)}
        </div>
      )}
      <ErrorBanner message={error} />
      <div className="address-actions">
        <button type="button" className="btn primary" onClick={() => void act(() => api.syncNow())} data-testid="sync-now">
          Sync now
        </button>
        <button type="button" className="btn" onClick={() => setChanging(true)} data-testid="sync-change">
          Change…
        </button>
        {confirmOut ? (
          <>
            <span className="small">
              Sign out and disconnect? {d.pending > 0 ? `${d.pending} changes not yet sent stay on this computer.` : ""}
            </span>
            <button type="button" className="btn danger" onClick={() => { setConfirmOut(false); void act(() => api.forgetServer()); }} data-testid="sync-signout-confirm">
              Sign out
            </button>
            <button type="button" className="btn" onClick={() => setConfirmOut(false)}>Cancel</button>
          </>
        ) : (
          <button type="button" className="btn" onClick={() => setConfirmOut(true)} data-testid="sync-signout">
            Sign out and disconnect…
          </button>
        )}
      </div>
    </div>
  );
}
