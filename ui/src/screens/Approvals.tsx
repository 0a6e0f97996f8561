//! The approvals queue: orders held because placing them would have taken the customer
//! over the spending limit, the longest waiting first, with what a manager decides on
//! (the amount, the customer's limit and open total as they are now, who placed it and
//! when). Release places the order; Refuse (with a reason) sends it back to draft.
//! Both work from the keyboard: ↑/↓ (or j/k) choose a row, r releases it, f opens the
//! refusal's reason, ↵ opens the order. The domain decides who may: a clerk's attempt
//! is refused with the role that may, shown above the list.

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../api";
import { Empty, ErrorBanner, Kbd, MoneyText, PageHeader, Spinner } from "../components/ui";
import { useCommand } from "../lib/commands";
import { messageOf } from "../lib/errors";
import { formatDateTime, formatRelative } from "../lib/format";
import { inTextField } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import type { HeldOrderRow } from "../types";

/** The query behind the queue (also the sidebar's count). */
export const APPROVALS_KEY = ["approvals"] as const;

export function useApprovals() {
  return useQuery({ queryKey: APPROVALS_KEY, queryFn: api.approvals });
}

/** How many orders wait, for the sidebar (nothing when none). */
export function ApprovalsCount() {
  const q = useApprovals();
  const n = q.data?.length ?? 0;
  if (n === 0) return null;
  return (
    <span className="nav-count" data-testid="approvals-count" aria-label={`${n} waiting`}>
      {n}
    </span>
  );
}

export function ApprovalsScreen() {
  const q = useApprovals();
  const { run, pending } = useCommand();
  const [selected, setSelected] = useState(0);
  const [refusing, setRefusing] = useState<string>();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const listRef = useRef<HTMLTableSectionElement>(null);
  const rows = q.data ?? [];
  const current = rows[Math.min(selected, rows.length - 1)];

  const act = async (what: string, f: () => Promise<unknown>) => {
    setError(undefined);
    setDone(undefined);
    try {
      await f();
      setDone(what);
      setRefusing(undefined);
      setReason("");
      listRef.current?.focus();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const release = (o: HeldOrderRow) =>
    act(`${o.number} released: it is placed.`, () => run({ type: "ReleaseOrder", order_id: o.id }));
  const refuse = (o: HeldOrderRow) =>
    act(`${o.number} refused: it is a draft again.`, () => run({ type: "RefuseHeldOrder", order_id: o.id, reason }));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || inTextField(e) || !current) return;
      const move = (by: number) => {
        e.preventDefault();
        setSelected(Math.max(0, Math.min(rows.length - 1, rows.indexOf(current) + by)));
      };
      switch (e.key) {
        case "ArrowDown":
        case "j":
          move(1);
          break;
        case "ArrowUp":
        case "k":
          move(-1);
          break;
        case "Enter":
          e.preventDefault();
          navigate(`orders/${current.id}`);
          break;
        case "r":
          e.preventDefault();
          if (!pending) void release(current);
          break;
        case "f":
          e.preventDefault();
          setError(undefined);
          setRefusing(current.id);
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (q.isPending) return <Spinner />;
  if (q.error) return <ErrorBanner message={messageOf(q.error)} />;
  return (
    <section className="screen" data-testid="approvals-screen">
      <PageHeader
        title="Approvals"
        sub={
          <>
            Held orders: placing them would take the customer over the spending limit. <Kbd>r</Kbd> releases the chosen
            order, <Kbd>f</Kbd> refuses it, <Kbd>↵</Kbd> opens it.
          </>
        }
      />
      <ErrorBanner message={error} testId="approvals-error" />
      {done && (
        <div className="muted" role="status" data-testid="approvals-done">
          {done}
        </div>
      )}
      {rows.length === 0 ? (
        <Empty title="Nothing waits for approval" testId="approvals-empty">
          An order placed over its customer's spending limit waits here until a manager releases or refuses it.
        </Empty>
      ) : (
        <div className="card">
          <table className="data approvals" aria-label="Held orders">
            <thead>
              <tr>
                <th>Order</th>
                <th>Customer</th>
                <th className="right">Amount</th>
                <th className="right">Open now</th>
                <th className="right">Limit now</th>
                <th>Placed by</th>
                <th>Waiting since</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody ref={listRef} tabIndex={0} className="grid-body" aria-label="Held orders, ↑ and ↓ to choose">
              {rows.map((o) => {
                const chosen = o === current;
                return (
                  <tr
                    key={o.id}
                    className={chosen ? "selected" : undefined}
                    aria-selected={chosen}
                    data-testid="approval-row"
                    data-number={o.number}
                    onClick={() => setSelected(rows.indexOf(o))}
                  >
                    <td>
                      <a href={href(`orders/${o.id}`)}>{o.number}</a>
                    </td>
                    <td>
                      {o.customer_name} <span className="muted small">{o.customer_number}</span>
                      {o.blocked && (
                        <span className="badge status-cancelled" title="A release is refused while the customer is blocked">
                          blocked
                        </span>
                      )}
                    </td>
                    <td className="num" data-testid="approval-amount">
                      <MoneyText cents={o.amount} currency={o.currency} />
                    </td>
                    <td className="num">
                      <MoneyText cents={o.open_total} currency={o.currency} />
                    </td>
                    <td className="num">{o.limit === null ? "none" : <MoneyText cents={o.limit} currency={o.currency} />}</td>
                    <td>{o.held_by}</td>
                    <td title={formatDateTime(o.held_at)}>{formatRelative(o.held_at)}</td>
                    <td className="row-actions">
                      <button type="button" className="btn primary small" disabled={pending} onClick={() => void release(o)} data-testid="approval-release">
                        Release
                      </button>
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => {
                          setSelected(rows.indexOf(o));
                          setRefusing(o.id);
                        }}
                        data-testid="approval-refuse"
                      >
                        Refuse…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {refusing && rows.some((o) => o.id === refusing) && (
        <RefuseForm
          number={rows.find((o) => o.id === refusing)?.number ?? ""}
          reason={reason}
          setReason={setReason}
          pending={pending}
          onRefuse={() => {
            const o = rows.find((r) => r.id === refusing);
            if (o) void refuse(o);
          }}
          onClose={() => {
            setRefusing(undefined);
            listRef.current?.focus();
          }}
        />
      )}
    </section>
  );
}

/** The refusal's reason: the clerk reads it in the order's history. */
function RefuseForm(p: {
  number: string;
  reason: string;
  setReason: (r: string) => void;
  pending: boolean;
  onRefuse: () => void;
  onClose: () => void;
}) {
  return (
    <form
      className="inline-form card"
      data-testid="refuse-form"
      onSubmit={(e) => {
        e.preventDefault();
        p.onRefuse();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          p.onClose();
        }
      }}
    >
      <label htmlFor="refuse-reason">Why is {p.number} refused?</label>
      <input id="refuse-reason" autoFocus value={p.reason} onChange={(e) => p.setReason(e.target.value)} data-testid="refuse-reason" />
      <button type="submit" className="btn danger" disabled={p.pending} data-testid="refuse-confirm">
        Refuse
      </button>
      <button type="button" className="btn ghost" onClick={p.onClose}>
        Keep it waiting
      </button>
    </form>
  );
}
