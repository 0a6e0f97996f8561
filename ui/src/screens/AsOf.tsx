//! A record as it was after one revision, shown read-only as a record (order header,
//! lines, VAT and totals; customer, product or company card), never as raw state.
//! A banner says whose revision it is and that it is not the current version; `[` and
//! `]` (or Alt+← / Alt+→) step through the revisions, `c` compares it side by side
//! with the current version (changed fields and lines highlighted), Escape returns.

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../api";
import { ErrorBanner, Kbd, MoneyText, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatDateTime, humanize } from "../lib/format";
import { formatBp } from "../lib/money";
import { inTextField } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import type { RecordView, ViewLine } from "../types";

/** The banner's words for a revision. */
export function bannerText(v: RecordView): string {
  if (v.revision === 0) return "Before its first revision: the record did not exist yet.";
  const who = v.user ? `, by ${v.name ?? v.user}${v.device ? ` on ${v.device}` : ""}` : "";
  const when = v.at ? formatDateTime(v.at) : "an unknown time";
  return v.revision === v.head
    ? `As of ${when}${who} — revision ${v.revision} of ${v.head}, the current version`
    : `As of ${when}${who} — revision ${v.revision} of ${v.head}, not the current version`;
}

/** Keys of the fields whose value differs between two versions. */
export function changedFields(a: RecordView, b: RecordView | undefined): Set<string> {
  const out = new Set<string>();
  if (!b) return out;
  const other = new Map(b.fields.map((f) => [f.key, f.value]));
  for (const f of a.fields) if (other.get(f.key) !== f.value) out.add(f.key);
  return out;
}

/** Per line key: "added" (not in the other version), "changed", or absent when equal. */
export function changedLines(a: RecordView, b: RecordView | undefined): Map<string, "added" | "changed"> {
  const out = new Map<string, "added" | "changed">();
  if (!b) return out;
  const other = new Map(b.lines.map((l) => [l.key, l]));
  for (const l of a.lines) {
    const o = other.get(l.key);
    if (!o) out.set(l.key, "added");
    else if (o.quantity !== l.quantity || o.unit_price !== l.unit_price || o.discount_bp !== l.discount_bp) out.set(l.key, "changed");
  }
  return out;
}

/** One version of a record, read-only; `other` marks what differs from it. */
export function RecordCard({ view: v, other, prefix }: { view: RecordView; other?: RecordView | undefined; prefix: string }) {
  const fields = changedFields(v, other);
  const lines = changedLines(v, other);
  const removed = other ? other.lines.filter((l) => !v.lines.some((x) => x.key === l.key)).length : 0;
  const currency = v.currency ?? "EUR";
  const totalsDiffer = other?.totals && v.totals && other.totals.gross !== v.totals.gross;
  return (
    <div className="card asof-record" data-testid={`${prefix}-record`} data-revision={v.revision}>
      <div className="card-title">
        {humanize(v.stream_type === "SalesOrder" ? "order" : v.stream_type)} <span className="mono">{v.title}</span>
      </div>
      <dl className="state">
        {v.fields.map((f) => (
          <div key={f.key} className={`state-row ${fields.has(f.key) ? "changed" : ""}`} data-testid={`${prefix}-field`}
            data-key={f.key} data-changed={fields.has(f.key) ? "true" : undefined}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
      </dl>
      {v.stream_type === "SalesOrder" && (
        <>
          <table className="data asof-lines">
            <thead>
              <tr>
                <th>#</th>
                <th>Product</th>
                <th className="right">Qty</th>
                <th className="right">Price</th>
                <th className="right">Discount</th>
                <th className="right">VAT</th>
                <th className="right">Net</th>
              </tr>
            </thead>
            <tbody>
              {v.lines.map((l: ViewLine, i) => (
                <tr key={l.key} className={lines.has(l.key) ? "changed" : ""} data-testid={`${prefix}-line`}
                  data-changed={lines.get(l.key)}>
                  <td className="num muted">{i + 1}</td>
                  <td>
                    <span className="mono">{l.code}</span> {l.description}
                  </td>
                  <td className="right num" data-testid={`${prefix}-line-quantity`}>{l.quantity}</td>
                  <td className="right"><MoneyText cents={l.unit_price} currency={currency} /></td>
                  <td className="right num">{l.discount_bp ? formatBp(l.discount_bp) : ""}</td>
                  <td className="right num">{formatBp(l.vat_rate_bp)}</td>
                  <td className="right"><MoneyText cents={l.net} currency={currency} testId={`${prefix}-line-net`} /></td>
                </tr>
              ))}
              {v.lines.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">No lines.</td>
                </tr>
              )}
            </tbody>
          </table>
          {removed > 0 && <div className="muted small changed">{removed} line{removed === 1 ? "" : "s"} not in this version.</div>}
          {v.totals && (
            <dl className={`totals ${totalsDiffer ? "changed" : ""}`} data-testid={`${prefix}-totals`} data-changed={totalsDiffer ? "true" : undefined}>
              <div><dt>Net</dt><dd><MoneyText cents={v.totals.net} currency={currency} testId={`${prefix}-total-net`} /></dd></div>
              {v.totals.per_rate.map((r) => (
                <div key={r.rate_bp}>
                  <dt>VAT {formatBp(r.rate_bp)} on <MoneyText cents={r.net} currency={currency} /></dt>
                  <dd><MoneyText cents={r.vat} currency={currency} /></dd>
                </div>
              ))}
              <div><dt>VAT</dt><dd><MoneyText cents={v.totals.vat} currency={currency} testId={`${prefix}-total-vat`} /></dd></div>
              <div className="strong"><dt>Total</dt><dd><MoneyText cents={v.totals.gross} currency={currency} testId={`${prefix}-total-gross`} /></dd></div>
            </dl>
          )}
        </>
      )}
    </div>
  );
}

export function AsOfScreen({ id, revision }: { id: string; revision: number }) {
  const view = useQuery({ queryKey: ["recordView", id, revision], queryFn: () => api.recordView(id, revision) });
  const current = useQuery({ queryKey: ["recordView", id, null], queryFn: () => api.recordView(id, null) });
  const [compare, setCompare] = useState(false);
  const v = view.data;
  const head = v?.head ?? current.data?.head ?? revision;
  const step = (to: number) => {
    if (to >= 1 && to <= head && to !== revision) navigate(`history/${id}/${to}`, { replace: true });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || inTextField(e) || e.ctrlKey || e.metaKey) return;
      const back = e.key === "[" || (e.altKey && e.key === "ArrowLeft");
      const forward = e.key === "]" || (e.altKey && e.key === "ArrowRight");
      if (back || forward) {
        e.preventDefault();
        step(back ? revision - 1 : revision + 1);
      } else if (e.key === "c" && !e.altKey) {
        e.preventDefault();
        setCompare((c) => !c);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (view.isLoading) return <Spinner label="Loading the record as it was…" />;
  if (!v) return <ErrorBanner message={view.error ? messageOf(view.error) : "No such revision."} />;
  const latest = v.revision === v.head;
  return (
    <section className="screen asof" data-testid="asof-screen" data-revision={v.revision}>
      <PageHeader title={<>{v.title} as it was</>} sub={<>Read-only. <Kbd>[</Kbd> <Kbd>]</Kbd> step through revisions, <Kbd>c</Kbd> compares, <Kbd>Esc</Kbd> returns.</>}>
        <button type="button" className="btn" onClick={() => step(revision - 1)} disabled={revision <= 1} data-testid="asof-prev"
          title="Previous revision ([ or Alt+←)">
          ← Earlier
        </button>
        <button type="button" className="btn" onClick={() => step(revision + 1)} disabled={revision >= head} data-testid="asof-next"
          title="Next revision (] or Alt+→)">
          Later →
        </button>
        <button type="button" className="btn" onClick={() => setCompare((c) => !c)} aria-pressed={compare} data-testid="asof-compare">
          Compare with current
        </button>
        <a className="btn" href={href(`history/${id}`)} data-testid="asof-close">
          Back to history
        </a>
      </PageHeader>
      <div className={`asof-banner ${latest ? "current" : "past"}`} role="status" data-testid="asof-banner" data-current={latest ? "true" : "false"}>
        {bannerText(v)}
      </div>
      <div className={compare ? "asof-compare" : ""}>
        <div>
          {compare && <h2 className="card-title">Revision {v.revision}</h2>}
          <RecordCard view={v} other={compare ? current.data : undefined} prefix="asof" />
        </div>
        {compare && current.data && (
          <div data-testid="asof-current">
            <h2 className="card-title">Now (revision {current.data.revision})</h2>
            <RecordCard view={current.data} other={v} prefix="current" />
          </div>
        )}
      </div>
    </section>
  );
}
