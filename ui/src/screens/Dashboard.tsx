//! The dashboard: orders and revenue per day, top customers, open work.

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api";
import type { DayFigure } from "../types";
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

/** The currencies of the period's orders, the one with most orders first: no figure
 *  adds two currencies, so revenue is shown one currency at a time. */
export function currenciesOf(days: DayFigure[]): { currency: string; orders: number; gross: number }[] {
  const by = new Map<string, { currency: string; orders: number; gross: number }>();
  for (const x of days) {
    const c = by.get(x.currency) ?? { currency: x.currency, orders: 0, gross: 0 };
    by.set(x.currency, { ...c, orders: c.orders + x.orders, gross: c.gross + x.gross });
  }
  return [...by.values()].sort((a, b) => b.orders - a.orders || a.currency.localeCompare(b.currency));
}

/** Orders per day over every currency (a count adds up; money does not). */
function ordersPerDay(days: DayFigure[]): { day: string; orders: number }[] {
  const by = new Map<string, number>();
  for (const x of days) by.set(x.day, (by.get(x.day) ?? 0) + x.orders);
  return [...by].map(([day, orders]) => ({ day, orders }));
}

export function DashboardScreen() {
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>(30);
  const [chosen, setChosen] = useState<string>();
  const to = utcDay(0);
  const from = utcDay(-(period - 1));
  const q = useQuery({ queryKey: ["dashboard", from, to], queryFn: () => api.dashboard(from, to) });
  const storeEmpty = useStoreEmpty();
  if (q.isLoading) return <Spinner label="Loading dashboard…" />;
  if (!q.data) return <ErrorBanner message={q.error ? messageOf(q.error) : "No data."} />;
  const d = q.data;
  const currencies = currenciesOf(d.days);
  const currency = currencies.find((c) => c.currency === chosen)?.currency ?? currencies[0]?.currency ?? "EUR";
  const orderDays = fillDays(from, to, ordersPerDay(d.days), (day) => ({ day, orders: 0 })).map((x) => ({
    ...x,
    label: formatDay(x.day, undefined, "short"),
  }));
  const mine = d.days.filter((x) => x.currency === currency);
  const days = fillDays(from, to, mine, (day) => ({ day, currency, orders: 0, net: 0, gross: 0 })).map((x) => ({
    ...x,
    label: formatDay(x.day, undefined, "short"),
    revenue: Number(centsToDecimal(x.gross)),
  }));
  const periodOrders = d.days.reduce((s, x) => s + x.orders, 0);
  const [main, ...others] = currencies;
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
        <Kpi
          label={`Revenue, last ${period} days`}
          value={<MoneyText cents={main?.gross ?? 0} currency={main?.currency} />}
          sub={others.length > 0 && <PerCurrency totals={others} />}
          testId="kpi-revenue"
        />
        <Kpi label="Open orders" value={formatCount(d.open_orders)} sub={<PerCurrency totals={d.open} />} testId="kpi-open" />
        <Kpi label="Drafts" value={formatCount(d.drafts)} testId="kpi-drafts" />
      </div>
      <div className="two-col">
        <div className="card chart-card" data-testid="chart-orders">
          <div className="card-title">Orders per day</div>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={orderDays} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
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
          <div className="card-title">
            Revenue per day (gross, {currency})
            {currencies.length > 1 && (
              <span className="segmented" role="group" aria-label="Currency">
                {currencies.map((c) => (
                  <button key={c.currency} type="button" aria-pressed={c.currency === currency} className={c.currency === currency ? "on" : ""}
                    onClick={() => setChosen(c.currency)} data-testid={`revenue-currency-${c.currency}`}>
                    {c.currency}
                  </button>
                ))}
              </span>
            )}
          </div>
          <ResponsiveContainer width="100%" height={220}>
            <AreaChart data={days} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} stroke="var(--grid)" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} minTickGap={24} />
              <YAxis tick={{ fontSize: 11, fill: "var(--muted)" }} tickLine={false} axisLine={false} width={48}
                tickFormatter={(v: number) => compact.format(v)} />
              <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
                formatter={(_v, _n, item) => [formatMoney((item.payload as { gross: number }).gross, currency), "Gross"]} />
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
                  <td className="right"><MoneyText cents={c.gross} currency={c.currency} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

/** Amounts in their own currencies, one after the other (never added). */
function PerCurrency({ totals }: { totals: { currency: string; gross: number }[] }) {
  return (
    <>
      {totals.map((t, i) => (
        <span key={t.currency} data-currency={t.currency}>
          {i > 0 && " · "}
          <MoneyText cents={t.gross} currency={t.currency} />
        </span>
      ))}
    </>
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
