//! The customer combobox of a new order and of "Change customer…": a name or number,
//! Enter picks; each option shows the city and number (and "Blocked").

import type { ReactNode, Ref } from "react";
import { api } from "../../api";
import { Combobox } from "../../components/Combobox";
import type { CustomerRow } from "../../types";

export function customerLabel(c: CustomerRow): ReactNode {
  return (
    <span className="option-row">
      <span>{c.name}</span>
      {c.city && <span className="muted" data-testid="customer-option-city">{c.city}</span>}
      <span className="muted mono">{c.number}</span>
      {c.blocked && <span className="badge status-cancelled">Blocked</span>}
    </span>
  );
}

export function CustomerPicker({
  id,
  testId,
  text,
  onTextChange,
  onSelect,
  onCreate,
  onKeyDown,
  inputRef,
  invalid,
  describedBy,
  disabled,
  autoFocus,
}: {
  id: string;
  testId: string;
  text: string;
  onTextChange: (text: string) => void;
  onSelect: (c: CustomerRow) => void;
  onCreate?: (typed: string) => void;
  onKeyDown?: (e: React.KeyboardEvent<HTMLInputElement>) => void;
  inputRef?: Ref<HTMLInputElement>;
  invalid?: boolean;
  describedBy?: string | undefined;
  disabled?: boolean;
  autoFocus?: boolean;
}) {
  return (
    <Combobox<CustomerRow>
      queryKey="order-customer"
      id={id}
      testId={testId}
      optionTestId="customer-option"
      placeholder="Customer name or number"
      autoFocus={autoFocus}
      text={text}
      onTextChange={onTextChange}
      invalid={invalid}
      describedBy={describedBy}
      search={(s) => api.listCustomers({ search: s, limit: 10 }).then((p) => p.rows)}
      itemKey={(c) => c.id}
      renderItem={customerLabel}
      onSelect={onSelect}
      onCreate={onCreate}
      createLabel={onCreate ? (typed) => `Create customer “${typed}”…` : undefined}
      createTestId={onCreate ? "customer-create" : undefined}
      onKeyDown={onKeyDown}
      inputRef={inputRef}
      disabled={disabled}
    />
  );
}
