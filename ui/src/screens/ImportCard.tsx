//! Importing customers or products from a spreadsheet (CSV, the export's columns): the
//! file is chosen in the dialog, checked first (a dry run: what would change, and each
//! row's problem by line and column), and written only when the person confirms a
//! file without problems, with the progress of the write.

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { ErrorBanner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount } from "../lib/format";
import { ProgressBar, useProgress } from "../lib/useProgress";
import type { CatalogKind, ImportReport } from "../types";

const KINDS: { kind: CatalogKind; label: string }[] = [
  { kind: "customers", label: "Customers" },
  { kind: "products", label: "Products" },
];

/** "12 rows: 10 new, 1 changed, 1 unchanged". */
export function importCounts(r: ImportReport): string {
  return `${formatCount(r.rows)} rows: ${formatCount(r.created)} new, ${formatCount(r.updated)} changed, ${formatCount(r.unchanged)} unchanged`;
}

export function ImportCard() {
  const qc = useQueryClient();
  const [checked, setChecked] = useState<{ kind: CatalogKind; path: string; report: ImportReport }>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const [writing, setWriting] = useState(false);
  const progress = useProgress(writing);
  const check = async (kind: CatalogKind) => {
    setError(undefined);
    setDone(undefined);
    setChecked(undefined);
    try {
      const path = await api.chooseFile("import", null);
      if (path === null) return;
      setChecked({ kind, path, report: await api.importCatalog(kind, path, true) });
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const write = async () => {
    if (!checked) return;
    setWriting(true);
    setError(undefined);
    try {
      const r = await api.importCatalog(checked.kind, checked.path, false);
      if (r.problems.length > 0) {
        // The data changed since the check: show what is wrong now.
        setChecked({ ...checked, report: r });
      } else {
        setChecked(undefined);
        setDone(`Imported ${importCounts(r)}.`);
        await qc.invalidateQueries();
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setWriting(false);
    }
  };
  const r = checked?.report;
  const changes = r ? r.created + r.updated : 0;
  return (
    <div className="card" data-testid="import-card">
      <div className="card-title">Import from CSV</div>
      <p className="muted small">
        The columns of the export (customers: number, kind, name, vat_number, email, currency, spending_limit; products:
        code, description, price, vat_class); commas or semicolons, decimal point or comma. Rows match by number or code;
        the file is checked before anything is written.
      </p>
      <div className="address-actions">
        {KINDS.map((k) => (
          <button key={k.kind} type="button" className="btn" disabled={writing} onClick={() => void check(k.kind)} data-testid={`import-${k.kind}`}>
            {k.label}…
          </button>
        ))}
      </div>
      {done && <p className="small" role="status" data-testid="import-done">{done}</p>}
      <ErrorBanner message={error} />
      {checked && r && (
        <div data-testid="import-check">
          <p className="small" data-testid="import-counts">{importCounts(r)}.</p>
          {r.problems.length > 0 ? (
            <>
              <p className="field-error" role="alert">
                {formatCount(r.problems.length)} {r.problems.length === 1 ? "problem" : "problems"}: nothing is imported until the file is corrected.
              </p>
              <table className="data" data-testid="import-problems">
                <thead>
                  <tr><th className="right">Line</th><th>Column</th><th>Problem</th></tr>
                </thead>
                <tbody>
                  {r.problems.map((p, i) => (
                    <tr key={i} data-testid="import-problem">
                      <td className="right num">{p.line}</td>
                      <td>{p.column ?? ""}</td>
                      <td>{p.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <div className="address-actions">
              <button type="button" className="btn primary" disabled={writing || changes === 0} onClick={() => void write()} data-testid="import-confirm">
                {changes === 0 ? "Nothing to import" : `Import ${formatCount(changes)} ${changes === 1 ? "change" : "changes"}`}
              </button>
              <button type="button" className="btn" disabled={writing} onClick={() => setChecked(undefined)}>Cancel</button>
            </div>
          )}
          {writing && <ProgressBar progress={progress} testId="import-progress" />}
        </div>
      )}
    </div>
  );
}
