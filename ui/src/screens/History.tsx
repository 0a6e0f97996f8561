//! History: a record's timeline of events (who, when, device, field by field old -> new)
//! with the record as it was at any point; and the account-wide timeline with filters
//! and an activity chart.

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api";
import { Empty, ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDateTime, formatDay, humanize } from "../lib/format";
import { formatBp, formatMoney } from "../lib/money";
import { href } from "../lib/router";
import type { FieldChange, HistoryEntry, StreamType, TimelineFilter } from "../types";

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

/** Renders a record's JSON state as nested key/value tables. */
export function StateView({ value, name = "" }: { value: unknown; name?: string }): ReactNode {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    return (
      <ol className="state-list">
        {(value as unknown[]).map((item, i) => (
          <li key={i}>
            <StateView value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (value !== null && typeof value === "object") {
    return (
      <dl className="state">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k} className="state-row">
            <dt>{humanize(k)}</dt>
            <dd>
              <StateView value={v} name={k} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className={value === null ? "muted" : ""}>{formatValue(name, value)}</span>;
}

export function RecordHistoryScreen({ id }: { id: string }) {
  const history = useQuery({ queryKey: ["history", id], queryFn: () => api.recordHistory(id) });
  const [selected, setSelected] = useState<number | null>(null);
  const [asOfTime, setAsOfTime] = useState("");
  const entries = history.data?.entries ?? [];
  const last = entries[entries.length - 1];
  const revision = selected ?? last?.revision ?? 0;
  const asOf = asOfTime ? { time: new Date(asOfTime).toISOString() } : { revision };
  const state = useQuery({
    queryKey: ["stateAt", id, asOf],
    queryFn: () => api.recordStateAt(id, asOf),
    enabled: history.data !== undefined,
  });
  if (history.isLoading) return <Spinner label="Loading history…" />;
  if (!history.data)
    return <ErrorBanner message={history.error ? messageOf(history.error) : "No history."} />;
  const type = history.data.stream_type;
  const backTo = type === "SalesOrder" ? `orders/${id}` : type === "Customer" ? `customers/${id}` : `products/${id}`;
  const title = recordTitle(state.data?.state) ?? humanize(type);
  return (
    <section className="screen history">
      <PageHeader title={<>History of {title}</>} sub={`${humanize(type === "SalesOrder" ? "order" : type)} · ${entries.length} events`}>
        <a className="btn" href={href(backTo)}>Open record</a>
      </PageHeader>
      <div className="history-body">
        <ol className="events" data-testid="history-timeline">
          {[...entries].reverse().map((e) => (
            <EventItem key={e.event_id} e={e} selected={!asOfTime && e.revision === revision}
              onSelect={() => {
                setAsOfTime("");
                setSelected(e.revision);
              }} />
          ))}
        </ol>
        <aside className="card state-card" data-testid="history-state">
          <div className="card-title row">
            <span>
              {state.data ? (
                state.data.revision === 0 ? "Did not exist yet" : <>As of revision {state.data.revision} · {formatDateTime(state.data.at)}</>
              ) : "State"}
            </span>
          </div>
          <label className="asof">
            <span>As of time</span>
            <input type="datetime-local" step={1} value={asOfTime} onChange={(e) => setAsOfTime(e.target.value)} data-testid="history-asof" />
          </label>
          {state.isLoading ? <Spinner /> : state.data ? <StateView value={state.data.state} /> : null}
          {state.error && <ErrorBanner message={messageOf(state.error)} />}
        </aside>
      </div>
    </section>
  );
}

function recordTitle(state: unknown): string | undefined {
  if (state && typeof state === "object") {
    const s = state as Record<string, unknown>;
    for (const k of ["number", "name", "code"]) if (typeof s[k] === "string") return s[k];
  }
  return undefined;
}

function EventItem({ e, selected, onSelect }: { e: HistoryEntry; selected: boolean; onSelect: () => void }) {
  return (
    <li className={`event ${selected ? "selected" : ""}`} data-testid="history-entry" data-event-type={e.event_type} data-revision={e.revision}>
      <button type="button" className="event-head" onClick={onSelect} aria-pressed={selected}>
        <span className="event-type">{humanize(e.event_type)}</span>
        <span className="muted small">
          rev {e.revision} · {formatDateTime(e.at)} · <span data-testid="history-user">{e.user}</span> on {e.device}
        </span>
        {e.issued_at !== e.at && Math.abs(Date.parse(e.issued_at) - Date.parse(e.at)) > 60_000 && (
          <span className="muted small">command given {formatDateTime(e.issued_at)}</span>
        )}
      </button>
      <DiffTable changes={e.changes} />
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
