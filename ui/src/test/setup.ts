//! Vitest setup: jest-dom matchers, a fresh IPC mock per test, and the layout numbers
//! jsdom does not compute (the virtualized grid needs a viewport to render rows into).

import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

// CI machines are small and busy (Rust builds next door): give async UI time to settle.
configure({ asyncUtilTimeout: 5000 });

Object.defineProperty(HTMLElement.prototype, "offsetHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "offsetWidth", { configurable: true, get: () => 1000 });
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });

class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
for (const [proto, name] of [
  [HTMLElement.prototype, "scrollTo"],
  [Element.prototype, "scrollIntoView"],
] as const) {
  if (!(name in proto)) Object.defineProperty(proto, name, { configurable: true, value: () => undefined });
}

afterEach(() => {
  cleanup();
  clearMocks();
  window.location.hash = "";
});
