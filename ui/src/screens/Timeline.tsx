//! The account's timeline: every change, newest first, each told in one line (what
//! happened and what it changed, with names and amounts as they were: from
//! crates/app/src/readable), filtered by record type, event, user and days. A row opens
//! the record itself, or the record as it was after that change; a bar of the activity
//! chart shows that day's changes only.

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api";
import { Empty, ErrorBanner, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDateTime, formatDay, humanize } from "../lib/format";
import { href } from "../lib/router";
import type { StreamType, TimelineFilter, TimelineLine } from "../types";

/** Every event type by its record type (a Vitest keeps it equal to the domain's list). */
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
    "OrderDetailsChanged", "OrderPlaced", "OrderHeld", "OrderReleased", "HeldOrderRefused", "OrderCancelled",
    "OrderDelivered", "OrderInvoiced", "OrderCustomerChanged", "OrderDiscarded",
  ],
  Company: ["CompanyDetailsChanged", "CompanyLogoChanged"],
};

const TYPE_LABEL: Record<StreamType, string> = {
  Customer: "Customers", Product: "Products", SalesOrder: "Orders", Company: "Company details",
};

const KIND: Record<StreamType, string> = {
  Customer: "Customer", Product: "Product", SalesOrder: "Order", Company: "Company details",
};

/** The screen of the record itself (not its history). */
export function recordPath(t: StreamType, id: string): string {
  switch (t) {
    case "SalesOrder":
      return `orders/${id}`;
    case "Customer":
      return `customers/${id}`;
    case "Product":
      return `products/${id}`;
    case "Company":
      return "company";
  }
}

/** The one line a timeline row reads: "Placed · 2 lines, total EUR 171.82; Status: …". */
export function timelineText(l: TimelineLine): string {
  return l.change ? `${l.title} · ${l.change}` : l.title;
}

/** The UTC day of a timestamp (the activity chart's days are UTC days). */
function utcDay(at: string): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The width of an element, kept up to date (the chart draws at that width; the
 *  observer stops when React detaches the element). */
function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    setWidth(el.offsetWidth);
    const o = new ResizeObserver(() => setWidth(el.offsetWidth));
    o.observe(el);
    observer.current = o;
  }, []);
  return [ref, width];
}

export function TimelineScreen() {
  const [f, setF] = useState<TimelineFilter>({});
  /** A day picked in the chart: the list shows that day only (the chart keeps the rest). */
  const [day, setDay] = useState<string | null>(null);
  const [chartRef, chartWidth] = useWidth();
  const listFilter: TimelineFilter = day ? { ...f, from: day, to: day } : f;
  const users = useQuery({ queryKey: ["timelineUsers"], queryFn: api.timelineUsers });
  const activity = useQuery({ queryKey: ["activity", f], queryFn: () => api.activity(f) });
  const pages = useInfiniteQuery({
    queryKey: ["timeline", listFilter],
    queryFn: ({ pageParam }) => api.timeline({ ...listFilter, before_seq: pageParam, limit: 100 }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
  });
  const entries = pages.data?.pages.flatMap((p) => p.entries) ?? [];
  const set = (patch: Partial<TimelineFilter>) => {
    setDay(null);
    setF((old) => ({ ...old, ...patch }));
  };
  const eventTypes = f.stream_type ? EVENT_TYPES[f.stream_type] : Object.values(EVENT_TYPES).flat();
  const chart = (activity.data ?? []).map((d) => ({ day: d.day, label: formatDay(d.day, undefined, "short"), events: d.events }));
  const pick = (d: string | undefined) => {
    if (d) setDay(d);
  };
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
        <div className="card-title">Activity per day (UTC) <span className="muted small">· click a day to see its changes</span></div>
        <div ref={chartRef} className="chart-box">
          {chart.length === 0 ? (
            <div className="muted small">No activity in this selection.</div>
          ) : (
            chartWidth > 0 && (
              <BarChart width={chartWidth} height={140} data={chart} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}
                style={{ cursor: "pointer" }}
                onClick={(s: { activeIndex?: unknown; isTooltipActive?: unknown } | null) => {
                  // Anywhere in a day's column (a thin bar is hard to hit), once the
                  // pointer has made that day the active one.
                  const i = Number(s?.activeIndex);
                  if (s?.isTooltipActive === true && Number.isInteger(i)) pick(chart[i]?.day);
                }}>
                <CartesianGrid vertical={false} stroke="var(--grid)" />
                <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} minTickGap={24} />
                <YAxis tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} width={40} allowDecimals={false} />
                <Tooltip cursor={{ fill: "var(--hover)" }} contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
                  formatter={(v) => [formatCount(Number(v)), "Events"]} />
                <Bar dataKey="events" fill="var(--accent)" radius={[2, 2, 0, 0]} maxBarSize={28} isAnimationActive={false}
                  onClick={(bar: { payload?: { day?: string } }) => pick(bar.payload?.day)} />
              </BarChart>
            )
          )}
        </div>
      </div>
      {day && (
        <div className="day-filter" data-testid="timeline-day" data-day={day} role="status">
          <span>Changes on <strong>{formatDay(day)}</strong> (UTC) only</span>
          <button type="button" className="btn" onClick={() => setDay(null)} data-testid="timeline-day-clear">
            Show every day
          </button>
        </div>
      )}
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
              <th>What changed</th>
              <th>Who</th>
              <th>Device</th>
              <th className="right" title="The record as it was after this change">Rev</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((l) => {
              const e = l.entry;
              const text = timelineText(l);
              return (
                <tr key={e.seq} data-testid="timeline-entry" data-event-type={e.event_type} data-day={utcDay(e.at)}>
                  <td className="num muted nowrap">{formatDateTime(e.at)}</td>
                  <td className="nowrap">
                    <a href={href(recordPath(e.stream_type, e.stream_id))} data-testid="timeline-open" title="Open the record">
                      <span className="muted">{KIND[e.stream_type]}</span>{" "}
                      {e.label && <span className="mono">{e.label}</span>}
                    </a>
                  </td>
                  <td className="timeline-what" title={text} data-testid="timeline-what">
                    <span className="event-type">{l.title}</span>
                    {l.change && <span className="muted"> · {l.change}</span>}
                  </td>
                  <td className="nowrap" title={e.user} data-testid="timeline-user">{l.name ?? e.user}</td>
                  <td className="muted nowrap">{e.device}</td>
                  <td className="right num">
                    <a href={href(`history/${e.stream_id}/${e.revision}`)} data-testid="timeline-asof"
                      title="See the record as it was after this change">
                      {e.revision}
                    </a>
                  </td>
                </tr>
              );
            })}
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
