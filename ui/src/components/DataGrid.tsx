//! A virtualized, keyboard-driven grid over a server-side list of any length.
//!
//! Rows are fetched in pages of the server query as they scroll into view
//! (`useWindowedPages`); only the rows on screen exist in the DOM, and TanStack Table
//! only ever sees those, so 100,000 orders cost what 40 do. TanStack Table owns the
//! columns, headers and sort state (sorting is manual: the server sorts).

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData, TValue> {
    /** Right-align the column (amounts, counts). */
    align?: "right";
  }
}

export interface Page<R> {
  rows: R[];
  total: number;
}

/** Fetches the pages covering `range` (row indexes) of a server-side list, and page 0. */
export function useWindowedPages<R>(opts: {
  key: readonly unknown[];
  fetchPage: (offset: number, limit: number) => Promise<Page<R>>;
  pageSize?: number;
}) {
  const pageSize = opts.pageSize ?? 200;
  const [range, setRangeState] = useState<[number, number]>([0, 0]);
  const first = useQuery({
    queryKey: [...opts.key, "page", 0],
    queryFn: () => opts.fetchPage(0, pageSize),
    placeholderData: keepPreviousData,
  });
  const pages: number[] = [];
  for (let p = Math.floor(range[0] / pageSize); p <= Math.floor(range[1] / pageSize); p++) {
    if (p > 0) pages.push(p);
  }
  const rest = useQueries({
    queries: pages.map((p) => ({
      queryKey: [...opts.key, "page", p],
      queryFn: () => opts.fetchPage(p * pageSize, pageSize),
    })),
  });
  const total = first.data?.total ?? 0;
  const rowAt = (i: number): R | undefined => {
    const p = Math.floor(i / pageSize);
    const data = p === 0 ? first.data : rest[pages.indexOf(p)]?.data;
    return data?.rows[i - p * pageSize];
  };
  const setRange = useCallback((start: number, end: number) => {
    setRangeState((r) => (r[0] === start && r[1] === end ? r : [start, end]));
  }, []);
  return {
    total,
    rowAt,
    setRange,
    isLoading: first.isLoading,
    isFetching: first.isFetching || rest.some((q) => q.isFetching),
    error: first.error,
  };
}

export interface DataGridProps<R> {
  columns: ColumnDef<R>[];
  /** CSS grid-template-columns, one entry per column. */
  template: string;
  total: number;
  rowAt: (index: number) => R | undefined;
  rowKey: (row: R) => string;
  onRangeChange: (start: number, end: number) => void;
  onOpen?: (row: R) => void;
  sorting?: SortingState;
  onSortingChange?: OnChangeFn<SortingState>;
  rowHeight?: number;
  label: string;
  testId?: string;
  rowTestId?: string;
  rowAttrs?: (row: R) => Record<string, string>;
  empty?: ReactNode;
  loading?: boolean;
  /** Focus the grid when this changes (e.g. after Enter in the search box). */
  focusSignal?: number;
}

export function DataGrid<R>(props: DataGridProps<R>) {
  const { total, rowAt, onRangeChange } = props;
  const rowHeight = props.rowHeight ?? 34;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(-1);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => onRangeChange(firstIndex, lastIndex), [firstIndex, lastIndex, onRangeChange]);

  useEffect(() => {
    if (props.focusSignal) {
      scrollRef.current?.focus();
      setActive((a) => (a < 0 && total > 0 ? 0 : a));
    }
  }, [props.focusSignal, total]);

  // Only the rows in the window go through TanStack Table.
  const visible = useMemo(
    () => items.map((v) => ({ v, row: rowAt(v.index) })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [items, rowAt, total],
  );
  const data = useMemo(() => visible.flatMap((x) => (x.row === undefined ? [] : [x.row])), [visible]);
  const table = useReactTable({
    data,
    columns: props.columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSortingRemoval: false,
    state: { sorting: props.sorting ?? [] },
    onSortingChange: props.onSortingChange,
    getRowId: (r) => props.rowKey(r),
  });
  const tableRows = table.getRowModel().rows;
  const rowById = new Map(tableRows.map((r) => [r.id, r]));

  const move = (to: number) => {
    if (total === 0) return;
    const i = Math.max(0, Math.min(total - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: "auto" });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / rowHeight) - 1);
    switch (e.key) {
      case "ArrowDown":
      case "j":
        e.preventDefault();
        move(active + 1);
        break;
      case "ArrowUp":
      case "k":
        e.preventDefault();
        move(active - 1);
        break;
      case "PageDown":
        e.preventDefault();
        move(active + page);
        break;
      case "PageUp":
        e.preventDefault();
        move(active - page);
        break;
      case "Home":
        e.preventDefault();
        move(0);
        break;
      case "End":
        e.preventDefault();
        move(total - 1);
        break;
      case "Enter": {
        const row = active >= 0 ? rowAt(active) : undefined;
        if (row !== undefined && props.onOpen) {
          e.preventDefault();
          props.onOpen(row);
        }
        break;
      }
    }
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  return (
    <div className="grid" role="grid" aria-label={props.label} aria-rowcount={total + 1} data-testid={props.testId}>
      <div className="grid-head" role="row" style={{ gridTemplateColumns: props.template }}>
        {headers.map((h) => {
          const sortable = h.column.getCanSort() && !!props.onSortingChange;
          const dir = h.column.getIsSorted();
          const meta = h.column.columnDef.meta;
          return (
            <div
              key={h.id}
              role="columnheader"
              className={`cell ${meta?.align === "right" ? "right" : ""}`}
              aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : undefined}
            >
              {sortable ? (
                <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()} data-testid={`sort-${h.id}`}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                  <span className="sort-arrow" aria-hidden="true">
                    {dir === "asc" ? "▲" : dir === "desc" ? "▼" : ""}
                  </span>
                </button>
              ) : (
                flexRender(h.column.columnDef.header, h.getContext())
              )}
            </div>
          );
        })}
      </div>
      <div
        ref={scrollRef}
        className="grid-body"
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={() => active < 0 && total > 0 && setActive(0)}
        aria-activedescendant={active >= 0 ? `row-${active}` : undefined}
      >
        {total === 0 && !props.loading ? (
          props.empty
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {visible.map(({ v, row }) => {
              const tr = row === undefined ? undefined : rowById.get(props.rowKey(row));
              return (
                <div
                  key={v.key}
                  id={`row-${v.index}`}
                  role="row"
                  aria-rowindex={v.index + 2}
                  aria-selected={v.index === active}
                  className={`grid-row ${v.index === active ? "active" : ""} ${v.index % 2 ? "odd" : ""}`}
                  style={{ transform: `translateY(${v.start}px)`, height: v.size, gridTemplateColumns: props.template }}
                  data-testid={tr ? props.rowTestId : undefined}
                  {...(row !== undefined && props.rowAttrs ? props.rowAttrs(row) : {})}
                  onClick={() => setActive(v.index)}
                  onDoubleClick={() => row !== undefined && props.onOpen?.(row)}
                >
                  {tr
                    ? tr.getVisibleCells().map((c) => {
                        const meta = c.column.columnDef.meta;
                        return (
                          <div key={c.id} role="gridcell" className={`cell ${meta?.align === "right" ? "right num" : ""}`}>
                            {flexRender(c.column.columnDef.cell, c.getContext())}
                          </div>
                        );
                      })
                    : headers.map((h) => (
                        <div key={h.id} role="gridcell" className="cell">
                          <span className="skeleton" />
                        </div>
                      ))}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
