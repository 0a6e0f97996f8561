//! The front end's one door to the back end. Each function is one IPC command of
//! src-tauri, called through the bindings tauri-specta generates from the Rust types
//! (`bindings.ts`), and rejects with an `IpcError` carrying the `ErrorBody`
//! {code, message, field?}. Screens call these, never `invoke` or `commands` directly.

import type { UnlistenFn } from "@tauri-apps/api/event";
import { commands, events } from "./bindings";
import { IpcError, toErrorBody } from "./lib/errors";
import type { Progress, SyncStatus, Uuid } from "./types";

/** The Tauri event src-tauri emits after every command and sync step. */
export const CHANGED_EVENT = "daybook://changed";
/** The Tauri event with the progress of a long write (demo data). */
export const PROGRESS_EVENT = "daybook://progress";

type Ok<T> = { status: "ok"; data: T };
type Err = { status: "error"; error: unknown };
/** What a bindings call resolves to: a tauri-specta Result, or (in throwing mode) the value. */
type Data<R> = R extends Ok<infer T> ? T : R extends Err ? never : R;

function isResult(r: unknown): r is Ok<unknown> | Err {
  return typeof r === "object" && r !== null && "status" in r && (r.status === "ok" || r.status === "error");
}

/** Unwraps a bindings call: the data, or a rejection with the `ErrorBody` as `IpcError`. */
async function call<R>(p: Promise<R>): Promise<Data<R>> {
  let r: R;
  try {
    r = await p;
  } catch (e) {
    throw new IpcError(toErrorBody(e));
  }
  if (isResult(r)) {
    if (r.status === "error") throw new IpcError(toErrorBody(r.error));
    return r.data as Data<R>;
  }
  return r as Data<R>;
}

type Params<F> = F extends (...args: infer A) => unknown ? A : never;
type C = typeof commands;

export const api = {
  executeCommand: (...a: Params<C["executeCommand"]>) => call(commands.executeCommand(...a)),
  nextNumber: (...a: Params<C["nextNumber"]>) => call(commands.nextNumber(...a)),
  listOrders: (...a: Params<C["listOrders"]>) => call(commands.listOrders(...a)),
  orderSummary: (...a: Params<C["orderSummary"]>) => call(commands.orderSummary(...a)),
  getOrder: (...a: Params<C["getOrder"]>) => call(commands.getOrder(...a)),
  duplicateOrder: (...a: Params<C["duplicateOrder"]>) => call(commands.duplicateOrder(...a)),
  listCustomers: (...a: Params<C["listCustomers"]>) => call(commands.listCustomers(...a)),
  getCustomer: (...a: Params<C["getCustomer"]>) => call(commands.getCustomer(...a)),
  listProducts: (...a: Params<C["listProducts"]>) => call(commands.listProducts(...a)),
  getProduct: (...a: Params<C["getProduct"]>) => call(commands.getProduct(...a)),
  recordHistory: (...a: Params<C["recordHistory"]>) => call(commands.recordHistory(...a)),
  recordStateAt: (...a: Params<C["recordStateAt"]>) => call(commands.recordStateAt(...a)),
  timeline: (...a: Params<C["timeline"]>) => call(commands.timeline(...a)),
  activity: (...a: Params<C["activity"]>) => call(commands.activity(...a)),
  timelineUsers: () => call(commands.timelineUsers()),
  dashboard: (...a: Params<C["dashboard"]>) => call(commands.dashboard(...a)),
  isEmpty: () => call(commands.isEmpty()),
  loadDemo: (...a: Params<C["loadDemo"]>) => call(commands.loadDemo(...a)),
  syncStatus: () => call(commands.syncStatus()),
  appInfo: () => call(commands.appInfo()),
  /** Sends a change that needs attention again (as a new command). */
  retryCommand: (commandId: Uuid) => call(commands.retryCommand(commandId)),
  /** Gives up on a change that needs attention. */
  discardCommand: (commandId: Uuid) => call(commands.discardCommand(commandId)),
  /** Connects the store to a sync server (remembered) and starts syncing. */
  configureSync: (server: string, token: string) => call(commands.configureSync(server, token)),
  /** Syncs now. */
  syncNow: () => call(commands.syncNow()),
  /** Backups, suggested names, the store's health (damaged: recovery mode). */
  dataStatus: () => call(commands.dataStatus()),
  /** Writes a checked backup; a bare name goes into the backups folder. */
  backupStore: (path: string) => call(commands.backupStore(path)),
  /** Replaces the store by a checked backup; the replaced one is kept aside. */
  restoreStore: (path: string) => call(commands.restoreStore(path)),
  /** Recovery: the damaged store aside, an empty one that re-syncs from the server. */
  startFresh: () => call(commands.startFresh()),
  /** Writes a CSV export; a bare name goes into the exports folder. */
  exportCsv: (...a: Params<C["exportCsv"]>) => call(commands.exportCsv(...a)),
};

export type Api = typeof api;

/** Calls `onChange` whenever the back end says data changed. Returns the unsubscribe. */
export function onChanged(onChange: () => void): Promise<UnlistenFn> {
  return events.daybookChanged.listen(() => onChange());
}

/** Calls `onSync` with each status the sync engine reports. */
export function onSync(onSync: (s: SyncStatus) => void): Promise<UnlistenFn> {
  return events.daybookSync.listen((e) => onSync(e.payload));
}

/** Calls `onProgress` with each progress report of a long write. */
export function onProgress(onProgress: (p: Progress) => void): Promise<UnlistenFn> {
  return events.daybookProgress.listen((e) => onProgress(e.payload));
}
