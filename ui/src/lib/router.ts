//! A tiny hash router: `#/orders/<id>` -> ["orders", "<id>"]. The app has a handful of
//! screens and no server, so a router dependency would buy nothing.

import { useSyncExternalStore } from "react";

function current(): string {
  return window.location.hash.replace(/^#\/?/, "");
}

function subscribe(cb: () => void): () => void {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
}

export interface Route {
  path: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [p = "", q = ""] = hash.split("?");
  return { path: p.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, current, () => "");
  return parseRoute(hash);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const target = `#/${to.replace(/^[#/]+/, "")}`;
  if (opts.replace) {
    window.history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = target;
  }
}

export function href(to: string): string {
  return `#/${to.replace(/^[#/]+/, "")}`;
}
