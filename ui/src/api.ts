//! The front end's one door to the back end. `api` is derived from the `commands` that
//! tauri-specta generates from the Rust types (`bindings.ts`): every command there, with
//! its own arguments, resolves to its data or rejects with an `IpcError` carrying the
//! `ErrorBody` {code, message, field?, params?}. A command added in Rust is usable as
//! `api.<name>` once the bindings are refreshed, with no edit here. Screens call `api`,
//! never `invoke` or `commands` directly.

import type { UnlistenFn } from "@tauri-apps/api/event";
import { commands, events } from "./bindings";
import { IpcError, toErrorBody } from "./lib/errors";
import type { Progress, SyncStatus } from "./types";

/** The Tauri event src-tauri emits after every command and sync step. */
export const CHANGED_EVENT = "daybook://changed";
/** The Tauri event with the progress of a long write (demo data). */
export const PROGRESS_EVENT = "daybook://progress";

type Ok<T> = { status: "ok"; data: T };
type Err = { status: "error"; error: unknown };
/** What a bindings call resolves to: a tauri-specta Result, or (in throwing mode) the value. */
type Data<R> = R extends Ok<infer T> ? T : R extends Err ? never : R;

type Commands = typeof commands;
/** One generated command, unwrapped: same arguments, resolves to the data. */
type Unwrapped<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Data<R>> : never;
/** Every generated command, unwrapped (a homomorphic map: the bindings' doc comments carry over). */
export type Api = { readonly [K in keyof Commands]: Unwrapped<Commands[K]> };

function isResult(r: unknown): r is Ok<unknown> | Err {
  return typeof r === "object" && r !== null && "status" in r && (r.status === "ok" || r.status === "error");
}

/** Unwraps a bindings call: the data, or a rejection with the `ErrorBody` as `IpcError`. */
export async function unwrap<R>(p: Promise<R>): Promise<Data<R>> {
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

/** Wraps every function of a bindings `commands` object with `unwrap`. */
export function deriveApi<C extends Record<string, (...args: never[]) => Promise<unknown>>>(
  generated: C,
): { readonly [K in keyof C]: Unwrapped<C[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, command] of Object.entries(generated)) {
    out[name] = (...args: Parameters<typeof command>) => unwrap(command(...args));
  }
  return out as { readonly [K in keyof C]: Unwrapped<C[K]> };
}

export const api: Api = deriveApi(commands);

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
