//! The progress of a long write (demo data, an import) as the back end reports it
//! (`daybook://progress`), listened to while `active`, and the bar that shows it.

import { useEffect, useState } from "react";
import { onProgress } from "../api";
import type { Progress } from "../types";
import { formatCount } from "./format";

/** The last progress report while `active` (reset to `null` when it ends). */
export function useProgress(active: boolean): Progress | null {
  const [progress, setProgress] = useState<Progress | null>(null);
  useEffect(() => {
    if (!active) {
      setProgress(null);
      return;
    }
    let unlisten: (() => void) | undefined;
    let live = true;
    onProgress((p) => live && setProgress(p))
      .then((u) => (live ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      live = false;
      unlisten?.();
    };
  }, [active]);
  return progress;
}

/** A progress bar with "N of M" beside it. */
export function ProgressBar({ progress, testId }: { progress: Progress | null; testId: string }) {
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <div className="demo-progress">
      <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid={testId}>
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      {progress && <span className="muted small">{formatCount(progress.done)} of {formatCount(progress.total)}</span>}
    </div>
  );
}
