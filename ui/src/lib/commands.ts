//! Running a command from a screen: execute it over IPC, then refresh what is on screen.
//! src-tauri also emits `daybook://changed`; invalidating here too keeps a screen
//! correct even when the event is late or (in tests) absent.

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { api } from "../api";
import type { Command, CommandOutcome } from "../types";

export function useCommand(): {
  run: (command: Command) => Promise<CommandOutcome>;
  pending: boolean;
} {
  const qc = useQueryClient();
  const [pending, setPending] = useState(0);
  const run = useCallback(
    async (command: Command) => {
      setPending((n) => n + 1);
      try {
        const outcome = await api.executeCommand(command);
        await qc.invalidateQueries();
        return outcome;
      } finally {
        setPending((n) => n - 1);
      }
    },
    [qc],
  );
  return { run, pending: pending > 0 };
}
