//! Small presentational pieces used on every screen.

import type { ReactNode } from "react";
import { formatMoney } from "../lib/money";
import { humanize } from "../lib/format";
import type { OrderStatus } from "../types";

export function MoneyText({
  cents,
  currency = "EUR",
  testId,
  className,
}: {
  cents: number;
  currency?: string;
  testId?: string;
  className?: string;
}) {
  return (
    <span className={`num ${cents < 0 ? "neg " : ""}${className ?? ""}`} data-testid={testId} data-cents={cents}>
      {formatMoney(cents, currency)}
    </span>
  );
}

export function StatusBadge({ status, testId }: { status: OrderStatus; testId?: string }) {
  return (
    <span className={`badge status-${status}`} data-testid={testId} data-status={status}>
      {humanize(status)}
    </span>
  );
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty" data-testid={testId}>
      <div className="empty-title">{title}</div>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function ErrorBanner({ message, testId = "form-error" }: { message?: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

/** Field label, control and the error message of that field, linked for screen readers. */
export function Field({
  label,
  name,
  error,
  hint,
  children,
  className,
}: {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`field ${error ? "has-error" : ""} ${className ?? ""}`}>
      <label htmlFor={`f-${name}`}>{label}</label>
      {children}
      {error ? (
        <div className="field-error" id={`err-${name}`} role="alert" data-testid={`error-${name}`}>
          {error}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}

/** Props that tie an input to its <Field>: id, aria-invalid and aria-describedby. */
export function fieldProps(name: string, error?: string) {
  return {
    id: `f-${name}`,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `err-${name}` : undefined,
  } as const;
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}

export function PageHeader({ title, children, sub }: { title: ReactNode; children?: ReactNode; sub?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <div className="page-sub">{sub}</div>}
      </div>
      <div className="page-actions">{children}</div>
    </header>
  );
}
