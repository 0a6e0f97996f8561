//! Light and dark theme: follows the system unless the user picked one (kept in
//! localStorage). The choice is applied as `data-theme` on <html>.

import { useCallback, useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "daybook.theme";

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function systemDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

export function useTheme(): { choice: ThemeChoice; effective: "light" | "dark"; toggle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const [sysDark, setSysDark] = useState(systemDark);
  useEffect(() => {
    if (typeof window.matchMedia !== "function") return;
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const on = () => setSysDark(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  const effective = choice === "system" ? (sysDark ? "dark" : "light") : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = effective;
  }, [effective]);
  const toggle = useCallback(() => {
    setChoice((c) => {
      const next: ThemeChoice = c === "system" ? (systemDark() ? "light" : "dark") : c === "dark" ? "light" : "dark";
      try {
        localStorage.setItem(KEY, next);
      } catch {
        /* private mode: the choice lasts for this session */
      }
      return next;
    });
  }, []);
  return { choice, effective, toggle };
}
