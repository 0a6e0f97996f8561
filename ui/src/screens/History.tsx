//! History: a record's changes in words, newest first (who, when, device, one row per
//! meaningful change, from crates/app/src/readable.rs), each opening the record as it
//! was after it (`AsOf.tsx`); the raw field changes behind "Field details"; for a
//! customer, its orders' major events beside its own changes. (The account-wide
//! timeline is `Timeline.tsx`.)

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatDateTime, humanize } from "../lib/format";
import { formatBp, formatMoney } from "../lib/money";
import { href, navigate } from "../lib/router";
import type { FieldChange, HistoryEntry, ReadableEntry } from "../types";

const MONEY_KEYS = new Set(["unit_price", "spending_limit", "limit", "net", "vat", "gross", "open_total", "price"]);
const BP_KEYS = new Set(["discount_bp", "vat_rate_bp", "rate_bp"]);
const TIME_KEYS = /(_at|_time)$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The last key of a path: `lines[abc].unit_price` -> `unit_price`. */
function leafKey(path: string): string {
  const m = /([A-Za-z_]+)(\[[^\]]*\])?$/.exec(path);
  return m?.[1] ?? path;
}

/** A value from a record's state, formatted by what its key says it is. */
export function formatValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number" && MONEY_KEYS.has(key)) return formatMoney(v);
  if (typeof v === "number" && BP_KEYS.has(key)) return formatBp(v);
  if (typeof v === "string" && TIME_KEYS.test(key)) return formatDateTime(v);
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "string") return v === "" ? "(empty)" : v;
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/** `lines[0190…full uuid].quantity` -> `Lines › 0190abcd › Quantity`. */
export function formatPath(path: string): string {
  return path
    .replace(UUID, (u) => u.slice(0, 8))
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((p) => (/^[0-9a-f]{8}$/i.test(p) || /^\d+$/.test(p) ? p : humanize(p)))
    .join(" › ");
}

export function DiffTable({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return <div className="muted small">No field changed.</div>;
  return (
    <table className="diff" data-testid="history-changes">
      <tbody>
        {changes.map((c) => {
          const key = leafKey(c.path);
          return (
            <tr key={c.path} data-testid="history-change" data-path={c.path}>
              <th scope="row">{formatPath(c.path)}</th>
              <td className={`old ${c.old === null ? "none" : ""}`} data-testid="change-old">{formatValue(key, c.old)}</td>
              <td className="arrow" aria-label="changed to">→</td>
              <td className={`new ${c.new === null ? "none" : ""}`} data-testid="change-new">{formatValue(key, c.new)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A history entry in words, with its event type and field changes (for details). */
interface Row {
  readable: ReadableEntry;
  raw: HistoryEntry | undefined;
  /** The record the event belongs to; an order of the customer when `order` is set. */
  streamId: string;
  order: string | null;
}

/** The revision a record had at `time` (its last event given at or before it); 0 before its first. */
/** How much later than it was given a change must have reached the server for the
 * history to say it was entered offline (a clock a little off is not worth a word). */
const OFFLINE_NOTED_MS = 3 * 60_000;

export function revisionAt(entries: ReadableEntry[], time: string): number {
  const t = Date.parse(time);
  let rev = 0;
  for (const e of entries) if (Date.parse(e.issued_at) <= t) rev = e.revision;
  return rev;
}

export function RecordHistoryScreen({ id }: { id: string }) {
  const readable = useQuery({ queryKey: ["readableHistory", id], queryFn: () => api.readableHistory(id) });
  const raw = useQuery({ queryKey: ["history", id], queryFn: () => api.recordHistory(id) });
  const current = useQuery({ queryKey: ["recordView", id, null], queryFn: () => api.recordView(id, null) });
  const [details, setDetails] = useState(false);
  const [withOrders, setWithOrders] = useState(false);
  const [asOfTime, setAsOfTime] = useState("");
  const isCustomer = raw.data?.stream_type === "Customer";
  const orders = useQuery({
    queryKey: ["customerHistoryWithOrders", id],
    queryFn: () => api.customerHistoryWithOrders(id),
    enabled: isCustomer && withOrders,
  });
  if (readable.isLoading || raw.isLoading) return <Spinner label="Loading history…" />;
  if (!readable.data || !raw.data) {
    const err = readable.error ?? raw.error;
    return <ErrorBanner message={err ? messageOf(err) : "No history."} />;
  }
  const type = raw.data.stream_type;
  const byRev = new Map(raw.data.entries.map((e) => [e.revision, e]));
  const own = (r: ReadableEntry): Row => ({ readable: r, raw: byRev.get(r.revision), streamId: id, order: null });
  const rows: Row[] =
    withOrders && orders.data
      ? orders.data.map((e) =>
          e.order === null ? own(e.entry) : { readable: e.entry, raw: undefined, streamId: e.stream_id, order: e.order },
        )
      : readable.data.map(own);
  const backTo =
    type === "SalesOrder" ? `orders/${id}` : type === "Customer" ? `customers/${id}` : type === "Product" ? `products/${id}` : "company";
  const kind = type === "SalesOrder" ? "order" : type === "Company" ? "company details" : humanize(type).toLowerCase();
  const title = current.data?.title ?? humanize(kind);
  const openAt = (stream: string, rev: number) => navigate(`history/${stream}/${rev}`);
  return (
    <section className="screen history">
      <PageHeader title={<>History of {title}</>} sub={`${humanize(kind)} · ${rows.length} changes`}>
        <a className="btn" href={href(backTo)}>Open record</a>
      </PageHeader>
      <div className="toolbar">
        <label className="asof">
          <span>See it as it was at</span>
          <input type="datetime-local" step={1} value={asOfTime} data-testid="history-asof"
            onChange={(e) => setAsOfTime(e.target.value)} />
        </label>
        <button type="button" className="btn" disabled={!asOfTime} data-testid="history-asof-open"
          onClick={() => {
            const rev = revisionAt(readable.data, new Date(asOfTime).toISOString());
            if (rev > 0) openAt(id, rev);
          }}>
          Show
        </button>
        <label className="check">
          <input type="checkbox" checked={details} onChange={(e) => setDetails(e.target.checked)} data-testid="history-fields" />
          <span>Field details</span>
        </label>
        {isCustomer && (
          <label className="check">
            <input type="checkbox" checked={withOrders} onChange={(e) => setWithOrders(e.target.checked)} data-testid="history-with-orders" />
            <span>With its orders (customer changed, placed, held, released, cancelled, delivered, invoiced, discarded)</span>
          </label>
        )}
      </div>
      <ol className="events" data-testid="history-timeline">
        {[...rows].reverse().map((r) => (
          <EventItem key={`${r.streamId}-${r.readable.revision}`} row={r} details={details}
            onOpen={() => openAt(r.streamId, r.readable.revision)} />
        ))}
      </ol>
    </section>
  );
}

function EventItem({ row, details, onOpen }: { row: Row; details: boolean; onOpen: () => void }) {
  const e = row.readable;
  return (
    <li className="event" data-testid="history-entry" data-event-type={row.raw?.event_type} data-revision={e.revision}
      data-order={row.order ?? undefined}>
      <button type="button" className="event-head" onClick={onOpen} title="See the record as it was after this change"
        data-testid="history-view">
        <span className="event-type" data-testid="history-title">
          {row.order && <span className="mono" data-testid="history-order">Order {row.order} · </span>}
          {e.title}
        </span>
        <span className="muted small">
          {formatDateTime(e.issued_at)} · <span data-testid="history-user" data-login={e.user} title={e.user}>{e.name ?? e.user}</span> on {e.device} · revision {e.revision}
        </span>
        {e.synced && Date.parse(e.at) - Date.parse(e.issued_at) > OFFLINE_NOTED_MS && (
          <span className="muted small">entered offline; synced {formatDateTime(e.at)}</span>
        )}
      </button>
      {e.rows.length > 0 && (
        <ul className="readable-rows">
          {e.rows.map((text, i) => (
            <li key={i} data-testid="history-row">{text}</li>
          ))}
        </ul>
      )}
      {details && row.raw && <DiffTable changes={row.raw.changes} />}
    </li>
  );
}
