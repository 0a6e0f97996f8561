//! Small shared hooks.

import { useEffect, useRef, useState } from "react";

/** `value`, but only after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** `value` at once when it follows a pause of `ms`, else once it stopped changing for
 *  `ms` (a debounce with a leading edge): the first keystroke after a pause costs no
 *  wait, and fast typing still makes one query, not one per key. */
export function useLeadingDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  const latest = useRef(value);
  const cooling = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    latest.current = value;
    const cool = () => {
      cooling.current = setTimeout(() => {
        cooling.current = null;
        setV(latest.current);
      }, ms);
    };
    if (cooling.current === null) {
      // Quiet until now: this change goes out at once (after this render).
      cooling.current = setTimeout(() => {
        setV(latest.current);
        cool();
      }, 0);
    } else {
      clearTimeout(cooling.current);
      cool();
    }
  }, [value, ms]);
  useEffect(
    () => () => {
      if (cooling.current !== null) clearTimeout(cooling.current);
      cooling.current = null;
    },
    [],
  );
  return v;
}

/** True when the key event happened in a text field (shortcuts stay out of its way). */
export function inTextField(e: KeyboardEvent | React.KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  const tag = t.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || t.isContentEditable;
}
