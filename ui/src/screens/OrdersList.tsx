//! The order list: search as you type, filters, server-side sort, totals of everything
//! that matches, and a virtualized grid that pages through any number of orders.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ColumnDef, SortingState } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { api } from "../api";
import { Combobox } from "../components/Combobox";
import { DataGrid, useWindowedPages } from "../components/DataGrid";
import { DemoOffer, useStoreEmpty } from "../components/DemoOffer";
import { Empty, ErrorBanner, MoneyText, PageHeader, StatusBadge } from "../components/ui";
import { messageOf } from "../lib/errors";
import { formatCount, formatDateTime } from "../lib/format";
import { useLeadingDebounced } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import { SYNC_LABEL, syncStateOf, useSyncStatus } from "../lib/sync";
import type { CustomerRow, OrderQuery, OrderRow, OrderSort, OrderStatus } from "../types";

export const STATUSES: OrderStatus[] = ["draft", "held", "placed", "delivered", "invoiced", "cancelled"];

interface Filters {
  search: string;
  status: OrderStatus[];
  customer: { id: string; name: string } | null;
  from: string;
  to: string;
  sorting: SortingState;
}

const INITIAL: Filters = { search: "", status: [], customer: null, from: "", to: "", sorting: [{ id: "created", desc: true }] };
// Filters survive a trip to an order and back.
let remembered: Filters = INITIAL;

/** Forgets the remembered filters (tests; a fresh window). */
export function resetOrderFilters(): void {
  remembered = INITIAL;
}

const SORT_KEYS: Record<string, OrderSort> = {
  number: "number",
  customer: "customer",
  status: "status",
  created: "created",
  gross: "gross",
};

/** Each column's grid track and the least width it needs. */
const TRACKS: Record<string, [track: string, min: number]> = {
  number: ["minmax(104px,0.9fr)", 104],
  customer: ["minmax(260px,3fr)", 260],
  status: ["96px", 96],
  created: ["150px", 150],
  lines: ["56px", 56],
  net: ["minmax(96px,1fr)", 96],
  vat: ["minmax(88px,0.9fr)", 88],
  gross: ["minmax(104px,1fr)", 104],
  sync: ["104px", 104],
};
/** Dropped first to last when the list is narrower than its columns need. */
const DROP = ["vat", "lines", "net", "created"];
/** The grid's border and a vertical scrollbar. */
const GRID_CHROME = 20;

/** The columns that fit `width` (px) without a sideways scroll: on a laptop the
 *  customer keeps room for 32 characters and the amounts give way, least needed
 *  first. */
export function fitColumns(ids: string[], width: number): { ids: string[]; template: string } {
  let kept = ids;
  const need = (xs: string[]) => xs.reduce((sum, id) => sum + (TRACKS[id]?.[1] ?? 0), GRID_CHROME);
  for (const drop of DROP) {
    if (need(kept) <= width) break;
    kept = kept.filter((id) => id !== drop);
  }
  return { ids: kept, template: kept.map((id) => TRACKS[id]?.[0] ?? "1fr").join(" ") };
}

/** The content width of the element `ref` points at, as it changes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(() => ref.current?.clientWidth ?? 1200);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth || 1200);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

export function OrdersList({ initialCustomer }: { initialCustomer?: { id: string; name: string } | null }) {
  const [f, setF] = useState<Filters>(() =>
    initialCustomer !== undefined ? { ...remembered, customer: initialCustomer } : remembered,
  );
  const update = (patch: Partial<Filters>) =>
    setF((old) => {
      const next = { ...old, ...patch };
      remembered = next;
      return next;
    });
  const [customerText, setCustomerText] = useState(f.customer?.name ?? "");
  const [focusGrid, setFocusGrid] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  // A keystroke after a pause of 100 ms (most of a person's typing) queries at once;
  // faster keys are gathered into one query 100 ms after the last.
  const search = useLeadingDebounced(f.search.trim(), 100);
  const sync = useSyncStatus();

  const query: OrderQuery = useMemo(() => {
    const s = f.sorting[0];
    return {
      status: f.status,
      customer_id: f.customer?.id ?? null,
      from: f.from || null,
      to: f.to || null,
      search: search || null,
      sort: SORT_KEYS[s?.id ?? "created"] ?? "created",
      descending: s?.desc ?? true,
    };
  }, [f.status, f.customer, f.from, f.to, f.sorting, search]);

  const fetchPage = useCallback(
    (offset: number, limit: number) => api.listOrders({ ...query, offset, limit }),
    [query],
  );
  const pages = useWindowedPages<OrderRow>({ key: ["orders", query], fetchPage });
  const summary = useQuery({
    queryKey: ["orderSummary", query],
    queryFn: () => api.orderSummary(query),
    placeholderData: keepPreviousData,
  });
  const filtered =
    f.status.length > 0 || f.customer !== null || f.from !== "" || f.to !== "" || search !== "";

  // A store never connected to a server has nothing waiting for one: no Sync column.
  const localOnly = sync.data === undefined ? undefined : !sync.data.configured;
  const columns = useMemo<ColumnDef<OrderRow>[]>(() => {
    const all: ColumnDef<OrderRow>[] = [
      {
        id: "number",
        accessorFn: (r) => r.number,
        header: "Number",
        cell: ({ row }) => (
          <a href={href(`orders/${row.original.id}`)} className="mono" data-testid="order-row-number">
            {row.original.number}
          </a>
        ),
      },
      {
        id: "customer",
        accessorFn: (r) => r.customer_name,
        header: "Customer",
        cell: ({ row }) => <span className="ellipsis" data-testid="order-row-customer">{row.original.customer_name}</span>,
      },
      {
        id: "status",
        accessorFn: (r) => r.status,
        header: "Status",
        cell: ({ row }) => <StatusBadge status={row.original.status} testId="order-row-status" />,
      },
      {
        id: "created",
        accessorFn: (r) => r.created_at,
        header: "Created",
        cell: ({ row }) => <span className="num muted">{formatDateTime(row.original.created_at)}</span>,
      },
      {
        id: "lines",
        header: "Lines",
        enableSorting: false,
        meta: { align: "right" },
        cell: ({ row }) => formatCount(row.original.line_count),
      },
      {
        id: "net",
        header: "Net",
        enableSorting: false,
        meta: { align: "right" },
        cell: ({ row }) => <MoneyText cents={row.original.net} currency={row.original.currency} testId="order-row-net" />,
      },
      {
        id: "vat",
        header: "VAT",
        enableSorting: false,
        meta: { align: "right" },
        cell: ({ row }) => <MoneyText cents={row.original.vat} currency={row.original.currency} testId="order-row-vat" />,
      },
      {
        id: "gross",
        accessorFn: (r) => r.gross,
        header: "Gross",
        meta: { align: "right" },
        cell: ({ row }) => (
          <MoneyText cents={row.original.gross} currency={row.original.currency} testId="order-row-gross" className="strong" />
        ),
      },
      {
        id: "sync",
        header: "Sync",
        enableSorting: false,
        cell: ({ row }) => {
          const s = row.original.sync_state ?? syncStateOf(row.original.id, sync.data);
          return s ? (
            <span className={`sync-dot sync-${s}`} data-testid="order-row-sync" data-sync={s} title={SYNC_LABEL[s]}>
              {SYNC_LABEL[s]}
            </span>
          ) : null;
        },
      },
    ];
    return all.filter((c) => c.id !== "sync" || localOnly === false);
  }, [sync.data, localOnly]);
  const toolbarRef = useRef<HTMLDivElement>(null);
  const width = useWidth(toolbarRef);
  const fit = useMemo(() => fitColumns(columns.map((c) => c.id ?? ""), width), [columns, width]);
  const shown = useMemo(() => columns.filter((c) => fit.ids.includes(c.id ?? "")), [columns, fit]);

  const toggleStatus = (s: OrderStatus) =>
    update({ status: f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s] });

  const empty = useStoreEmpty();
  const storeEmpty = empty === true && !pages.isLoading && pages.total === 0 && !filtered;

  return (
    <section className="screen orders">
      <PageHeader title="Orders" sub={summary.data ? `${formatCount(summary.data.count)} orders` : undefined}>
        <button type="button" className="btn primary" onClick={() => navigate("orders/new")} data-testid="order-new">
          New order <kbd className="kbd">N</kbd>
        </button>
      </PageHeader>

      <div className="toolbar" role="search" ref={toolbarRef}>
        <input
          ref={searchRef}
          className="search"
          type="search"
          placeholder="Search number or digits, customer, city, reference, product…"
          aria-label="Search orders"
          data-search="true"
          data-testid="orders-search"
          value={f.search}
          onChange={(e) => update({ search: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === "ArrowDown") {
              e.preventDefault();
              setFocusGrid((n) => n + 1);
            }
            if (e.key === "Escape" && f.search) {
              e.stopPropagation();
              update({ search: "" });
            }
          }}
        />
        <div className="chips" role="group" aria-label="Status">
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={`chip status-${s} ${f.status.includes(s) ? "on" : ""}`}
              aria-pressed={f.status.includes(s)}
              onClick={() => toggleStatus(s)}
              data-testid={`filter-status-${s}`}
            >
              {s.charAt(0).toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
        <Combobox<CustomerRow>
          queryKey="orders-customer-filter"
          className="filter-customer"
          ariaLabel="Filter by customer"
          placeholder="Any customer"
          testId="filter-customer"
          text={customerText}
          onTextChange={(t) => {
            setCustomerText(t);
            if (t === "") update({ customer: null });
          }}
          search={(s) => api.listCustomers({ search: s, limit: 8 }).then((p) => p.rows)}
          itemKey={(c) => c.id}
          renderItem={(c) => (
            <>
              <span>{c.name}</span> <span className="muted mono">{c.number}</span>
            </>
          )}
          onSelect={(c) => {
            setCustomerText(c.name);
            update({ customer: { id: c.id, name: c.name } });
          }}
        />
        <label className="date-filter">
          <span>From</span>
          <input type="date" value={f.from} onChange={(e) => update({ from: e.target.value })} data-testid="filter-from" />
        </label>
        <label className="date-filter">
          <span>To</span>
          <input type="date" value={f.to} onChange={(e) => update({ to: e.target.value })} data-testid="filter-to" />
        </label>
        {filtered && (
          <button
            type="button"
            className="btn ghost"
            onClick={() => {
              setCustomerText("");
              update({ ...INITIAL, sorting: f.sorting });
            }}
          >
            Clear
          </button>
        )}
      </div>

      <ErrorBanner message={pages.error ? messageOf(pages.error) : undefined} />

      {storeEmpty ? (
        <DemoOffer />
      ) : (
        <DataGrid<OrderRow>
          label="Orders"
          testId="orders-grid"
          rowTestId="order-row"
          rowAttrs={(r) => ({ "data-number": r.number, "data-id": r.id })}
          columns={shown}
          template={fit.template}
          total={pages.total}
          rowAt={pages.rowAt}
          rowKey={(r) => r.id}
          onRangeChange={pages.setRange}
          onOpen={(r) => navigate(`orders/${r.id}`)}
          sorting={f.sorting}
          onSortingChange={(u) => update({ sorting: typeof u === "function" ? u(f.sorting) : u })}
          loading={pages.isLoading}
          focusSignal={focusGrid}
          empty={
            filtered ? (
              <Empty title="No orders match" testId="orders-empty">Try fewer filters or another search.</Empty>
            ) : (
              <Empty title="No orders yet" testId="orders-empty">
                Press <kbd className="kbd">N</kbd> to enter the first one.
              </Empty>
            )
          }
        />
      )}

      {summary.data && (
        <footer className="totals-bar" data-testid="orders-totals" aria-live="polite">
          <span>
            <span className="muted">Orders</span>{" "}
            <span className="num" data-testid="orders-total-count">{formatCount(summary.data.count)}</span>
          </span>
          {/* One set of sums per currency (the one with most orders first): no total adds two. */}
          {summary.data.totals.map((t, i) => {
            const id = (what: string) => `orders-total-${what}${i === 0 ? "" : `-${t.currency}`}`;
            const multi = summary.data.totals.length > 1;
            return (
              <span key={t.currency} className="totals-currency" data-currency={t.currency}>
                {multi && <span className="muted small">{t.currency} · {formatCount(t.count)}</span>}
                <span>
                  <span className="muted">Net</span> <MoneyText cents={t.net} currency={t.currency} testId={id("net")} />
                </span>
                <span>
                  <span className="muted">VAT</span> <MoneyText cents={t.vat} currency={t.currency} testId={id("vat")} />
                </span>
                <span>
                  <span className="muted">Gross</span>{" "}
                  <MoneyText cents={t.gross} currency={t.currency} testId={id("gross")} className="strong" />
                </span>
              </span>
            );
          })}
          {pages.isFetching && <span className="muted small">Updating…</span>}
        </footer>
      )}
    </section>
  );
}
