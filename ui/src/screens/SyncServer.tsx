//! The Sync screen's server card: sign in on a server with a login and password (the
//! server checks them; the password is never kept), or connect with a service device's
//! token (URL and token checked against the server before anything is remembered: a
//! wrong URL, token or password is shown at its field); who is signed in, sync now,
//! sign out (their unsynced changes wait for their next sign-in) and disconnect. A store holding demo data is never connected: the card says so and
//! offers the way out, a clean store that keeps none of the demo data.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { ErrorBanner } from "../components/ui";
import { messageOf, sentence, toErrorBody } from "../lib/errors";
import { errorMessage } from "../lib/messages";
import type { SignedOutInfo, SyncStatus } from "../types";

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

const ROLE: Record<string, string> = { clerk: "clerk", manager: "manager", admin: "administrator" };

/** Signs a person in on a server: URL, login and password, each refusal at its field. */
export function SignInForm({
  initialServer = "",
  onDone,
  onCancel,
  onUseToken,
}: {
  initialServer?: string;
  onDone: () => Promise<unknown>;
  onCancel?: () => void;
  onUseToken?: () => void;
}) {
  const [server, setServer] = useState(initialServer);
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ server?: string; login?: string; password?: string; form?: string }>({});
  // This store cannot join that account as it is: the way out is a clean store.
  const [needsClean, setNeedsClean] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setErrors({});
    setNeedsClean(false);
    setBusy(true);
    try {
      await api.signIn(server, login, password);
      setPassword("");
      await onDone();
    } catch (err) {
      const body = toErrorBody(err);
      const message = errorMessage(body);
      const field = body.field === "server" || body.field === "login" || body.field === "password" ? body.field : "form";
      setErrors({ [field]: message });
      setNeedsClean(body.code === "account_not_empty" || body.code === "device_not_usable");
    } finally {
      setBusy(false);
    }
  };
  const input = (name: "server" | "login" | "password", value: string, set: (v: string) => void, extra: React.InputHTMLAttributes<HTMLInputElement>) => (
    <>
      <input value={value} onChange={(e) => { set(e.target.value); setErrors((x) => ({ ...x, [name]: undefined })); }}
        aria-invalid={!!errors[name] || undefined} data-testid={`signin-${name}`} {...extra} />
      {errors[name] && <span className="field-error" role="alert" data-testid={`error-${name}`}>{errors[name]}</span>}
    </>
  );
  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="sync-signin">
      <div className="card-title">Sign in</div>
      <p className="muted small">
        Your changes are recorded as you, with your role, and sync whenever the server can be reached; you keep working
        offline. Your password goes to the server only.
      </p>
      <label className="field">
        <span>Server URL</span>
        {input("server", server, setServer, { placeholder: "https://sync.example.com", autoFocus: !initialServer })}
      </label>
      <label className="field">
        <span>Login</span>
        {input("login", login, setLogin, { autoComplete: "username", autoFocus: !!initialServer })}
      </label>
      <label className="field">
        <span>Password</span>
        {input("password", password, setPassword, { type: "password", autoComplete: "current-password" })}
      </label>
      <ErrorBanner message={errors.form} />
      {needsClean && <StartClean kept="This computer's store" />}
      <div className="address-actions">
        <button type="submit" className="btn primary" disabled={busy} data-testid="signin-submit">
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {onCancel && <button type="button" className="btn" onClick={onCancel}>Cancel</button>}
        {onUseToken && (
          <button type="button" className="btn ghost" onClick={onUseToken} data-testid="signin-use-token">
            Use a device token instead
          </button>
        )}
      </div>
    </form>
  );
}

/** What signing out left behind, in words. */
export function signedOutText(o: SignedOutInfo): string {
  const waiting =
    o.unsynced === 0
      ? ""
      : ` ${o.unsynced === 1 ? "1 of their changes is" : `${o.unsynced} of their changes are`} not synced yet; they are kept for their next sign-in on this device.`;
  const server = o.server_told ? "" : " The server could not be reached: the session was forgotten here; an administrator can end it there.";
  return `Signed out ${o.person.name}.${waiting}${server}`;
}

/** Starts a clean store, the current one kept aside as a file (asked first). */
function StartClean({ kept: keptWhat }: { kept: string }) {
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
    <>
      {kept !== undefined && <p className="small" role="status">Started a clean store.{kept ? ` ${keptWhat} is kept as ${kept}.` : ""}</p>}
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
    </>
  );
}

/** A demo store: why it is not connected, and the way out. */
function DemoCard() {
  return (
    <div className="card" data-testid="sync-demo">
      <div className="card-title">This store holds demo data</div>
      <p className="muted small">
        Demo data never goes to a server, so this store is not connected to one. To sync, start a clean store: it keeps
        none of the demo data (the demo store is kept aside, not deleted).
      </p>
      <StartClean kept="The demo store" />
    </div>
  );
}

/** The server card: sign in (or connect with a token), or the server with who is signed
 *  in, Sync now, sign out, change and disconnect. */
export function ServerCard({ d }: { d: SyncStatus }) {
  const qc = useQueryClient();
  const info = useAppInfo();
  const [changing, setChanging] = useState(false);
  const [useToken, setUseToken] = useState(false);
  const [confirmOut, setConfirmOut] = useState(false);
  const [error, setError] = useState<string>();
  const [signedOut, setSignedOut] = useState<string>();
  const done = async () => {
    setChanging(false);
    setUseToken(false);
    setSignedOut(undefined);
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
  const signOut = () =>
    act(async () => {
      setSignedOut(signedOutText(await api.signOut()));
    });
  if (info.data?.demo_data) return <DemoCard />;
  const person = info.data?.person ?? null;
  const note = signedOut && (
    <p className="small" role="status" data-testid="signed-out-note">
      {signedOut}
    </p>
  );
  if (changing) return <ConnectForm initialServer={d.server ?? ""} onDone={done} onCancel={() => setChanging(false)} />;
  if (!d.configured) {
    return (
      <>
        {note}
        {useToken ? (
          <ConnectForm onDone={done} onCancel={() => setUseToken(false)} />
        ) : (
          <SignInForm onDone={done} onUseToken={() => setUseToken(true)} />
        )}
      </>
    );
  }
  // Connected, nobody signed in: the server waits for the next person.
  if (d.state === "signed_out" && person === null) {
    return (
      <>
        {note}
        {useToken ? (
          <ConnectForm initialServer={d.server ?? ""} onDone={done} onCancel={() => setUseToken(false)} />
        ) : (
          <SignInForm initialServer={d.server ?? ""} onDone={done} onUseToken={() => setUseToken(true)} />
        )}
      </>
    );
  }
  const ended = d.state === "signed_out";
  return (
    <div className="card" data-testid="sync-server-card">
      <div className="card-title">Server</div>
      <div className="mono" data-testid="sync-server-url">{d.server}</div>
      {person && (
        <div data-testid="sync-person">
          Signed in as <strong>{person.name}</strong> ({ROLE[person.role] ?? person.role}, login {person.login})
        </div>
      )}
      {ended ? (
        <div className="field-error" data-testid="sync-last-error">
          {person
            ? "The server has ended your session (signed out there): sign out here and sign in again."
            : "The server no longer accepts this device's token: enter a new one with “Change…”."}
        </div>
      ) : (
        d.last_error && <div className="muted small" data-testid="sync-last-error">{sentence(d.last_error)}</div>
      )}
      <ErrorBanner message={error} />
      <div className="address-actions">
        <button type="button" className="btn primary" onClick={() => void act(() => api.syncNow())} data-testid="sync-now">
          Sync now
        </button>
        {person ? (
          <button type="button" className="btn" onClick={() => void signOut()} data-testid="sync-signout-person">
            Sign out
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => setChanging(true)} data-testid="sync-change">
            Change…
          </button>
        )}
        {confirmOut ? (
          <>
            <span className="small">
              Disconnect from this server? {d.pending > 0 ? `${d.pending} changes not yet sent stay on this computer.` : ""}
            </span>
            <button type="button" className="btn danger" onClick={() => { setConfirmOut(false); void act(() => api.forgetServer()); }} data-testid="sync-signout-confirm">
              Disconnect
            </button>
            <button type="button" className="btn" onClick={() => setConfirmOut(false)}>Cancel</button>
          </>
        ) : (
          !person && (
            <button type="button" className="btn" onClick={() => setConfirmOut(true)} data-testid="sync-signout">
              Sign out and disconnect…
            </button>
          )
        )}
      </div>
    </div>
  );
}
