//! The keyboard shortcuts, documented in the app (`?`).

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api } from "../api";
import { Kbd } from "./ui";

export const SHORTCUTS: { group: string; keys: string[][]; what: string }[] = [
  { group: "Anywhere", keys: [["?"]], what: "Show or hide this help" },
  { group: "Anywhere", keys: [["g", "o"]], what: "Go to orders" },
  { group: "Anywhere", keys: [["n"]], what: "New order" },
  { group: "Anywhere", keys: [["Shift", "C"]], what: "New customer" },
  { group: "Anywhere", keys: [["Shift", "P"]], what: "New product" },
  { group: "Anywhere", keys: [["g", "c"]], what: "Go to customers" },
  { group: "Anywhere", keys: [["g", "p"]], what: "Go to products" },
  { group: "Anywhere", keys: [["g", "a"]], what: "Go to approvals (held orders)" },
  { group: "Anywhere", keys: [["g", "t"]], what: "Go to the timeline" },
  { group: "Anywhere", keys: [["g", "d"]], what: "Go to the dashboard" },
  { group: "Anywhere", keys: [["g", "s"]], what: "Go to sync status" },
  { group: "Anywhere", keys: [["/"]], what: "Search on this screen" },
  { group: "Anywhere", keys: [["Shift", "T"]], what: "Switch light / dark theme" },
  { group: "Anywhere", keys: [["Esc"]], what: "Close, clear, or go back" },
  { group: "Lists", keys: [["↑"], ["↓"], ["j"], ["k"]], what: "Move through rows" },
  { group: "Lists", keys: [["PgUp"], ["PgDn"], ["Home"], ["End"]], what: "Jump" },
  { group: "Lists", keys: [["↵"]], what: "Open the row (in search: go to the list)" },
  { group: "Order entry", keys: [["↵"]], what: "Next field: product → quantity → add line (Tab reaches price and discount; ↵ there adds too)" },
  { group: "Order entry", keys: [["↑"], ["↓"]], what: "Choose among matching customers or products" },
  { group: "Order entry", keys: [["Esc"]], what: "Clear the line being typed" },
  { group: "Order entry", keys: [["Ctrl", "Delete"]], what: "Remove the line" },
  { group: "Order entry", keys: [["Ctrl", "↵"]], what: "Place the order (a line being edited is saved first)" },
  { group: "Order entry", keys: [["h"]], what: "Open the record's history" },
  { group: "Approvals", keys: [["r"]], what: "Release the chosen held order (it is placed)" },
  { group: "Approvals", keys: [["f"]], what: "Refuse it, with a reason (it is a draft again)" },
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const info = useQuery({ queryKey: ["appInfo"], queryFn: api.appInfo });
  useEffect(() => ref.current?.focus(), []);
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return (
    <div className="overlay" role="presentation" onMouseDown={onClose}>
      <div ref={ref} className="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" tabIndex={-1}
        data-testid="help-overlay" onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === "Escape" || e.key === "?") {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}>
        <div className="dialog-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button type="button" className="btn ghost small" onClick={onClose} aria-label="Close">✕</button>
        </div>
        <div className="help-groups">
          {groups.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <table className="shortcuts">
                <tbody>
                  {SHORTCUTS.filter((s) => s.group === g).map((s) => (
                    <tr key={s.what}>
                      <td className="keys">
                        {s.keys.map((combo, i) => (
                          <span key={i} className="combo">
                            {combo.map((k, j) => (
                              <span key={j}>
                                {j > 0 && <span className="then"> </span>}
                                <Kbd>{k}</Kbd>
                              </span>
                            ))}
                          </span>
                        ))}
                      </td>
                      <td>{s.what}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
        {info.data && (
          <div className="muted small about">
            Daybook {info.data.version ?? ""}
            {info.data.user && <> · {info.data.user}</>}
            {info.data.device && <> on {info.data.device}</>}
            {info.data.data_dir && <> · data in {info.data.data_dir}</>}
          </div>
        )}
      </div>
    </div>
  );
}
