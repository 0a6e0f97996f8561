//! The order's totals as the back end computed them: net, VAT per rate, VAT, gross.

import { MoneyText } from "../../components/ui";
import { formatBp, formatMoney } from "../../lib/money";
import type { Totals } from "../../types";

export function TotalsCard({ totals, currency }: { totals: Totals; currency: string }) {
  return (
    <div className="card totals" data-testid="order-totals">
      <dl>
        <dt>Net</dt>
        <dd>
          <MoneyText cents={totals.net} currency={currency} testId="order-total-net" />
        </dd>
        {totals.per_rate.map((r) => (
          <div key={r.rate_bp} className="rate-row">
            <dt className="muted">VAT {formatBp(r.rate_bp)} of {formatMoney(r.net, currency)}</dt>
            <dd className="muted">
              <MoneyText cents={r.vat} currency={currency} />
            </dd>
          </div>
        ))}
        <dt>VAT</dt>
        <dd>
          <MoneyText cents={totals.vat} currency={currency} testId="order-total-vat" />
        </dd>
        <dt className="gross">Gross</dt>
        <dd className="gross">
          <MoneyText cents={totals.gross} currency={currency} testId="order-total-gross" />
        </dd>
      </dl>
    </div>
  );
}
