//! The dashboard: orders and revenue per day, top customers, open work.

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api";
import { DemoOffer, useStoreEmpty } from "../components/DemoOffer";
import { ErrorBanner, MoneyText, PageHeader, Spinner } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDay, utcDay } from "../lib/format";
import { centsToDecimal, formatMoney } from "../lib/money";
import { href } from "../lib/router";
import { userLocale } from "../lib/locale";

const PERIODS = [30, 90, 365] as const;

/** Fills the days without activity with zeros, so the charts keep a true time axis. */
export function fillDays<T extends { day: string }>(from: string, to: string, rows: T[], zero: (day: string) => T): T[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: T[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? zero(day));
  }
  return out;
}

export function DashboardScreen() {
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>(30);
  const to = utcDay(0);
  const from = utcDay(-(period - 1));
  const q = useQuery({ queryKey: ["dashboard", from, to], queryFn: () => api.dashboard(from, to) });
  const storeEmpty = useStoreEmpty();
  if (q.isLoading) return <Spinner label="Loading dashboard…" />;
  if (!q.data) return <ErrorBanner message={q.error ? messageOf(q.error) : "No data."} />;
  const d = q.data;
  const days = fillDays(from, to, d.days, (day) => ({ day, orders: 0, net: 0, gross: 0 })).map((x) => ({
    ...x,
    label: formatDay(x.day, undefined, "short"),
    revenue: Number(centsToDecimal(x.gross)),
  }));
  const periodOrders = d.days.reduce((s, x) => s + x.orders, 0);
  const periodGross = d.days.reduce((s, x) => s + x.gross, 0);
  const compact = new Intl.NumberFormat(userLocale(), { notation: "compact", maximumFractionDigits: 1 });
  return (
    <section className="screen dashboard">
      <PageHeader title="Dashboard" sub="Placed orders, net of cancellations; days in UTC.">
        <div className="segmented" role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button key={p} type="button" aria-pressed={p === period} className={p === period ? "on" : ""} onClick={() => setPeriod(p)}>
              {p} days
            </button>
          ))}
        </div>
      </PageHeader>
      {storeEmpty && <DemoOffer />}
      <div className="kpis">
        <Kpi label={`Orders, last ${period} days`} value={formatCount(periodOrders)} testId="kpi-orders" />
        <Kpi label={`Revenue, last ${period} days`} value={<MoneyText cents={periodGross} />} testId="kpi-revenue" />
        <Kpi label="Open orders" value={formatCount(d.open_orders)} sub={<MoneyText cents={d.open_gross} />} testId="kpi-open" />
        <Kpi label="Drafts" value={formatCount(d.drafts)} testId="kpi-drafts" />
      </div>
      <div className="two-col">
        <div className="card chart-card" data-testid="chart-orders">
          <div className="card-title">Orders per day</div>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={days} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--grid)" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} minTickGap={24} />
              <YAxis tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} width={36} allowDecimals={false} />
              <Tooltip cursor={{ fill: "var(--hover)" }} contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
                formatter={(v) => [formatCount(Number(v)), "Orders"]} />
              <Bar dataKey="orders" fill="var(--accent)" radius={[2, 2, 0, 0]} maxBarSize={28} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <div className="card chart-card" data-testid="chart-revenue">
          <div className="card-title">Revenue per day (gross)</div>
          <ResponsiveContainer width="100%" height={220}>
            <AreaChart data={days} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--grid)" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} minTickGap={24} />
              <YAxis tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} width={48}
                tickFormatter={(v: number) => compact.format(v)} />
              <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
                formatter={(_v, _n, item) => [formatMoney((item.payload as { gross: number }).gross), "Gross"]} />
              <Area dataKey="revenue" type="monotone" stroke="var(--accent)" fill="var(--accent-soft)" isAnimationActive={false} />
            </AreaChart>
          </ResponsiveContainer>
        </div>
      </div>
      <div className="card">
        <div className="card-title">Top customers, last {period} days</div>
        {d.top_customers.length === 0 ? (
          <div className="muted small">No placed orders in this period.</div>
        ) : (
          <table className="data" data-testid="top-customers">
            <thead>
              <tr>
                <th>Customer</th>
                <th className="right">Orders</th>
                <th className="right">Gross</th>
              </tr>
            </thead>
            <tbody>
              {d.top_customers.map((c) => (
                <tr key={c.id}>
                  <td><a href={href(`customers/${c.id}`)}>{c.name}</a></td>
                  <td className="right num">{formatCount(c.orders)}</td>
                  <td className="right"><MoneyText cents={c.gross} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function Kpi({ label, value, sub, testId }: { label: string; value: React.ReactNode; sub?: React.ReactNode; testId: string }) {
  return (
    <div className="card kpi" data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value num">{value}</div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}
