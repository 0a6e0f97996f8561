//! The front end's one door to the back end. Each function is one IPC command of
//! src-tauri (snake_case there, camelCase here as tauri-specta names them) and rejects
//! with an `ErrorBody`. Screens call these, never `invoke` directly, so switching to the
//! generated `bindings.ts` changes this file only.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { IpcError, toErrorBody } from "./lib/errors";
import type {
  AppInfo,
  AsOf,
  Command,
  CommandOutcome,
  CustomerDetail,
  CustomerPage,
  CustomerQuery,
  Dashboard,
  DemoLoaded,
  Progress,
  DayCount,
  NaiveDate,
  NumberSeries,
  OrderDetail,
  OrderPage,
  OrderQuery,
  OrderSummary,
  ProductPage,
  ProductQuery,
  ProductRow,
  RecordHistory,
  StateAt,
  SyncStatus,
  TimelineFilter,
  TimelinePage,
  Uuid,
} from "./types";

/** The Tauri event src-tauri emits after every command and sync step. */
export const CHANGED_EVENT = "daybook://changed";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw new IpcError(toErrorBody(e));
  }
}

export const api = {
  executeCommand: (command: Command) => call<CommandOutcome>("execute_command", { command }),
  nextNumber: (series: NumberSeries) => call<string>("next_number", { series }),
  listOrders: (query: OrderQuery) => call<OrderPage>("list_orders", { query }),
  orderSummary: (query: OrderQuery) => call<OrderSummary>("order_summary", { query }),
  getOrder: (id: Uuid) => call<OrderDetail>("get_order", { id }),
  duplicateOrder: (id: Uuid) => call<Uuid>("duplicate_order", { id }),
  listCustomers: (query: CustomerQuery) => call<CustomerPage>("list_customers", { query }),
  getCustomer: (id: Uuid) => call<CustomerDetail>("get_customer", { id }),
  listProducts: (query: ProductQuery) => call<ProductPage>("list_products", { query }),
  getProduct: (id: Uuid) => call<ProductRow>("get_product", { id }),
  recordHistory: (id: Uuid) => call<RecordHistory>("record_history", { id }),
  recordStateAt: (id: Uuid, asOf: AsOf) => call<StateAt>("record_state_at", { id, asOf }),
  timeline: (filter: TimelineFilter) => call<TimelinePage>("timeline", { filter }),
  activity: (filter: TimelineFilter) => call<DayCount[]>("activity", { filter }),
  timelineUsers: () => call<string[]>("timeline_users"),
  dashboard: (from: NaiveDate, to: NaiveDate) => call<Dashboard>("dashboard", { from, to }),
  isEmpty: () => call<boolean>("is_empty"),
  loadDemo: (orders: number) => call<DemoLoaded>("load_demo", { orders }),
  syncStatus: () => call<SyncStatus>("sync_status"),
  /** Arrives with the sync engine: send a refused command again. */
  retryCommand: (commandId: Uuid) => call<null>("retry_command", { commandId }),
  /** Arrives with the sync engine: drop a refused command and its speculative events. */
  discardCommand: (commandId: Uuid) => call<null>("discard_command", { commandId }),
  appInfo: () => call<AppInfo>("app_info"),
};

export type Api = typeof api;

/** The Tauri event with the progress of a long write (demo data). */
export const PROGRESS_EVENT = "daybook://progress";

/** Calls `onChange` whenever the back end says data changed. Returns the unsubscribe. */
export function onChanged(onChange: () => void): Promise<UnlistenFn> {
  return listen(CHANGED_EVENT, () => onChange());
}

/** Calls `onProgress` with each progress report of a long write. */
export function onProgress(onProgress: (p: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>(PROGRESS_EVENT, (e) => onProgress(e.payload));
}
