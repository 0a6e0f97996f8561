//! The sync status (kept fresh by the engine's `daybook://sync` events) and each
//! record's sync state. Order rows carry their own `sync_state` from the back end;
//! `syncStateOf` derives one for records that do not.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, onSync } from "../api";
import type { SyncStatus } from "../types";

export type RecordSyncState = "waiting" | "synced" | "attention";

export function syncStateOf(id: string, status: SyncStatus | undefined): RecordSyncState | undefined {
  if (!status) return undefined;
  if (status.needs_attention.some((n) => n.stream_id === id)) return "attention";
  if (status.last_sync === null) return "waiting";
  return status.pending === 0 ? "synced" : "waiting";
}

export function useSyncStatus() {
  const qc = useQueryClient();
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    onSync((s) => qc.setQueryData(["sync"], s))
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => undefined); // no Tauri event bus (tests): polling still works
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [qc]);
  return useQuery({ queryKey: ["sync"], queryFn: api.syncStatus, refetchInterval: 10_000, staleTime: 5_000 });
}

export const SYNC_LABEL: Record<RecordSyncState, string> = {
  waiting: "Waiting",
  synced: "Synced",
  attention: "Needs attention",
};
