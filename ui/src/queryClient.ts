//! TanStack Query setup. Data changes only through commands, and src-tauri emits
//! `daybook://changed` after each one, so cached data is fresh until that event:
//! no polling, no refetch on focus; the event invalidates everything on screen.

import { QueryClient } from "@tanstack/react-query";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Infinity,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: false,
      },
      mutations: { retry: false },
    },
  });
}
