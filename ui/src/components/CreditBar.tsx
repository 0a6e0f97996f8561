//! A customer's open orders against their spending limit, as a meter (order entry and
//! the customer screen).

import { MoneyText } from "./ui";

/** Open orders against the spending limit; `extra` (this draft) drawn hatched. */
export function CreditBar({
  open,
  limit,
  extra = 0,
  currency,
}: {
  open: number;
  limit: number | null;
  extra?: number;
  currency: string;
}) {
  if (limit === null) {
    return (
      <div className="credit" data-testid="credit-bar">
        <div className="muted">No spending limit</div>
        <div>
          Open orders <MoneyText cents={open} currency={currency} />
        </div>
      </div>
    );
  }
  const pct = (v: number) => (limit > 0 ? Math.min(100, (v / limit) * 100) : v > 0 ? 100 : 0);
  const over = open + extra > limit;
  return (
    <div className={`credit ${over ? "over" : ""}`} data-testid="credit-bar">
      <div
        className="bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={open + extra}
        aria-label="Open orders against spending limit"
      >
        <div className="bar-fill" style={{ width: `${pct(open)}%` }} />
        {extra > 0 && <div className="bar-extra" style={{ left: `${pct(open)}%`, width: `${Math.max(0, pct(open + extra) - pct(open))}%` }} />}
      </div>
      <div className="credit-legend">
        <span>
          Open <MoneyText cents={open} currency={currency} />
          {extra > 0 && (
            <>
              {" "}+ this order <MoneyText cents={extra} currency={currency} />
            </>
          )}
        </span>
        <span>
          Limit <MoneyText cents={limit} currency={currency} />
        </span>
      </div>
    </div>
  );
}
