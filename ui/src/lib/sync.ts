//! Each record's sync state, derived from `sync_status` until the sync engine reports
//! it per record: refused by the server -> needs attention; never synced, or changes
//! waiting while offline -> waiting; otherwise synced. (A per-record list of waiting
//! streams from the back end would make "waiting" exact.)

import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import type { SyncStatus } from "../types";

export type RecordSyncState = "waiting" | "synced" | "attention";

export function syncStateOf(id: string, status: SyncStatus | undefined): RecordSyncState | undefined {
  if (!status) return undefined;
  if (status.needs_attention.some((n) => n.stream_id === id)) return "attention";
  if (status.last_sync === null) return "waiting";
  return status.pending === 0 ? "synced" : "waiting";
}

export function useSyncStatus() {
  return useQuery({ queryKey: ["sync"], queryFn: api.syncStatus, refetchInterval: 10_000, staleTime: 5_000 });
}

export const SYNC_LABEL: Record<RecordSyncState, string> = {
  waiting: "Waiting",
  synced: "Synced",
  attention: "Needs attention",
};
