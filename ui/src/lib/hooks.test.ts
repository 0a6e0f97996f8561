import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useLeadingDebounced } from "./hooks";

describe("useLeadingDebounced", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes a change after a pause at once and gathers a burst into its last value", () => {
    const { result, rerender } = renderHook(({ v }) => useLeadingDebounced(v, 100), { initialProps: { v: "" } });
    act(() => {
      vi.advanceTimersByTime(500);
    });
    rerender({ v: "4" });
    act(() => {
      vi.advanceTimersByTime(0);
    });
    expect(result.current).toBe("4");
    // A burst: each key within 100 ms of the one before.
    rerender({ v: "43" });
    act(() => {
      vi.advanceTimersByTime(30);
    });
    rerender({ v: "432" });
    act(() => {
      vi.advanceTimersByTime(30);
    });
    rerender({ v: "4321" });
    act(() => {
      vi.advanceTimersByTime(99);
    });
    expect(result.current).toBe("4");
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(result.current).toBe("4321");
    // Quiet again: the next key goes out without waiting.
    act(() => {
      vi.advanceTimersByTime(500);
    });
    rerender({ v: "43210" });
    act(() => {
      vi.advanceTimersByTime(0);
    });
    expect(result.current).toBe("43210");
  });
});
