//! History: a record's changes in words, newest first (who, when, device, one row per
//! meaningful change, from crates/app/src/readable.rs), each opening the record as it
//! was after it (`AsOf.tsx`); the raw field changes behind "Field details"; and the
//! account-wide timeline with filters and an activity chart.

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api";
import { Empty, ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDateTime, formatDay, humanize } from "../lib/format";
import { formatBp, formatMoney } from "../lib/money";
import { href, navigate } from "../lib/router";
import type { FieldChange, HistoryEntry, ReadableEntry, StreamType, TimelineFilter } from "../types";

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
            <span>With its orders (placed, delivered, invoiced, cancelled)</span>
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
          {formatDateTime(e.issued_at)} · <span data-testid="history-user">{e.user}</span> on {e.device} · revision {e.revision}
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

export const EVENT_TYPES: Record<StreamType, string[]> = {
  Customer: [
    "CustomerRegistered", "CustomerDetailsChanged", "CustomerAddressAdded", "CustomerAddressChanged",
    "CustomerAddressRemoved", "SpendingLimitChanged", "CustomerBlocked", "CustomerUnblocked",
  ],
  Product: [
    "ProductRegistered", "ProductDescriptionChanged", "ProductPriceChanged", "ProductVatClassChanged",
    "ProductDiscontinued", "ProductReinstated",
  ],
  SalesOrder: [
    "OrderCreated", "OrderLineAdded", "OrderLineChanged", "OrderLineRemoved", "DeliveryAddressSet",
    "OrderDetailsChanged", "OrderPlaced", "OrderCancelled", "OrderDelivered", "OrderInvoiced",
  ],
  Company: ["CompanyDetailsChanged"],
};

const TYPE_LABEL: Record<StreamType, string> = {
  Customer: "Customers", Product: "Products", SalesOrder: "Orders", Company: "Company details",
};

function recordHref(t: StreamType, id: string) {
  return href(`history/${id}`) + (t ? "" : "");
}

export function TimelineScreen() {
  const [f, setF] = useState<TimelineFilter>({});
  const users = useQuery({ queryKey: ["timelineUsers"], queryFn: api.timelineUsers });
  const activity = useQuery({ queryKey: ["activity", f], queryFn: () => api.activity(f) });
  const pages = useInfiniteQuery({
    queryKey: ["timeline", f],
    queryFn: ({ pageParam }) => api.timeline({ ...f, before_seq: pageParam, limit: 100 }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
  });
  const entries = pages.data?.pages.flatMap((p) => p.entries) ?? [];
  const set = (patch: Partial<TimelineFilter>) => setF((old) => ({ ...old, ...patch }));
  const eventTypes = f.stream_type ? EVENT_TYPES[f.stream_type] : Object.values(EVENT_TYPES).flat();
  const chart = (activity.data ?? []).map((d) => ({ day: d.day, label: formatDay(d.day, undefined, "short"), events: d.events }));
  return (
    <section className="screen timeline">
      <PageHeader title="Timeline" sub="Every change in the account, newest first." />
      <div className="toolbar">
        <label className="select-filter">
          <span>Record</span>
          <select value={f.stream_type ?? ""} data-testid="timeline-type"
            onChange={(e) => set({ stream_type: (e.target.value || null) as StreamType | null, event_type: null })}>
            <option value="">All</option>
            {(Object.keys(TYPE_LABEL) as StreamType[]).map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
          </select>
        </label>
        <label className="select-filter">
          <span>Event</span>
          <select value={f.event_type ?? ""} onChange={(e) => set({ event_type: e.target.value || null })} data-testid="timeline-event">
            <option value="">All</option>
            {eventTypes.map((t) => <option key={t} value={t}>{humanize(t)}</option>)}
          </select>
        </label>
        <label className="select-filter">
          <span>User</span>
          <select value={f.user ?? ""} onChange={(e) => set({ user: e.target.value || null })} data-testid="timeline-user">
            <option value="">Everyone</option>
            {(users.data ?? []).map((u) => <option key={u} value={u}>{u}</option>)}
          </select>
        </label>
        <label className="date-filter">
          <span>From</span>
          <input type="date" value={f.from ?? ""} onChange={(e) => set({ from: e.target.value || null })} />
        </label>
        <label className="date-filter">
          <span>To</span>
          <input type="date" value={f.to ?? ""} onChange={(e) => set({ to: e.target.value || null })} />
        </label>
      </div>
      <div className="card chart-card" data-testid="activity-chart">
        <div className="card-title">Activity per day (UTC)</div>
        {chart.length === 0 ? (
          <div className="muted small">No activity in this selection.</div>
        ) : (
          <ResponsiveContainer width="100%" height={140}>
            <BarChart data={chart} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--grid)" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} minTickGap={24} />
              <YAxis tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} width={40} allowDecimals={false} />
              <Tooltip cursor={{ fill: "var(--hover)" }} contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
                formatter={(v) => [formatCount(Number(v)), "Events"]} />
              <Bar dataKey="events" fill="var(--accent)" radius={[2, 2, 0, 0]} maxBarSize={28} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
      <ErrorBanner message={pages.error ? messageOf(pages.error) : undefined} />
      {pages.isLoading ? (
        <Spinner />
      ) : entries.length === 0 ? (
        <Empty title="No events" testId="timeline-empty">Nothing matches these filters.</Empty>
      ) : (
        <table className="data timeline-table" data-testid="timeline-list">
          <thead>
            <tr>
              <th>When</th>
              <th>Record</th>
              <th>Event</th>
              <th>Who</th>
              <th>Device</th>
              <th className="right">Rev</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-testid="timeline-entry">
                <td className="num muted">{formatDateTime(e.at)}</td>
                <td>
                  <a href={recordHref(e.stream_type, e.stream_id)}>
                    <span className="muted">{humanize(e.stream_type === "SalesOrder" ? "order" : e.stream_type)}</span>{" "}
                    <span className="mono">{e.label ?? e.stream_id.slice(0, 8)}</span>
                  </a>
                </td>
                <td>{humanize(e.event_type)}</td>
                <td>{e.user}</td>
                <td className="muted">{e.device}</td>
                <td className="right num">{e.revision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages.hasNextPage && (
        <div className="center">
          <button type="button" className="btn" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}
            data-testid="timeline-more">
            {pages.isFetchingNextPage ? "Loading…" : "Load older events"}
          </button>
        </div>
      )}
    </section>
  );
}
