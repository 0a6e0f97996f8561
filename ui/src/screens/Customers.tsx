//! Customers: the searchable list, the create/edit form (required fields checked here,
//! everything else by the domain, each error shown at its field), and the detail page
//! with credit, addresses, blocking and the spending limit.

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import { DataGrid, useWindowedPages } from "../components/DataGrid";
import { Empty, ErrorBanner, Field, MoneyText, PageHeader, Spinner, fieldProps } from "../components/ui";
import { useCommand } from "../lib/commands";
import { fieldErrorsOf, messageOf, type FieldErrors } from "../lib/errors";
import { formatCount } from "../lib/format";
import { useDebounced } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import { moneyToInput, parseMoney } from "../lib/money";
import { uuidv7 } from "../lib/uuid";
import type { Address, AddressRow, CustomerDetail, CustomerKind, CustomerRow } from "../types";
import { CreditBar } from "../components/CreditBar";

export function CustomersList() {
  const [search, setSearch] = useState("");
  const [focusGrid, setFocusGrid] = useState(0);
  const q = useDebounced(search.trim(), 150);
  const fetchPage = useCallback(
    (offset: number, limit: number) => api.listCustomers({ search: q || null, offset, limit }),
    [q],
  );
  const pages = useWindowedPages<CustomerRow>({ key: ["customers", q], fetchPage });
  const columns = useMemo<ColumnDef<CustomerRow>[]>(
    () => [
      { id: "number", header: "Number", cell: ({ row }) => <span className="mono">{row.original.number}</span> },
      {
        id: "name",
        header: "Name",
        cell: ({ row }) => (
          <a href={href(`customers/${row.original.id}`)} className="ellipsis" data-testid="customer-row-name">
            {row.original.name}
          </a>
        ),
      },
      { id: "kind", header: "Kind", cell: ({ row }) => <span className="muted">{row.original.kind === "person" ? "Person" : "Organisation"}</span> },
      { id: "email", header: "E-mail", cell: ({ row }) => <span className="ellipsis muted">{row.original.email ?? ""}</span> },
      { id: "orders", header: "Orders", meta: { align: "right" }, cell: ({ row }) => formatCount(row.original.order_count) },
      {
        id: "open",
        header: "Open",
        meta: { align: "right" },
        cell: ({ row }) => <MoneyText cents={row.original.open_total} currency={row.original.currency} />,
      },
      {
        id: "limit",
        header: "Limit",
        meta: { align: "right" },
        cell: ({ row }) =>
          row.original.spending_limit === null ? (
            <span className="muted">—</span>
          ) : (
            <MoneyText cents={row.original.spending_limit} currency={row.original.currency} />
          ),
      },
      {
        id: "blocked",
        header: "",
        cell: ({ row }) => (row.original.blocked ? <span className="badge status-cancelled">Blocked</span> : null),
      },
    ],
    [],
  );
  return (
    <section className="screen">
      <PageHeader title="Customers" sub={`${formatCount(pages.total)} customers`}>
        <button type="button" className="btn primary" onClick={() => navigate("customers/new")} data-testid="customer-new">
          New customer
        </button>
      </PageHeader>
      <div className="toolbar" role="search">
        <input className="search" type="search" placeholder="Search name or number…" aria-label="Search customers"
          data-search="true" data-testid="customers-search" value={search} onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === "ArrowDown") {
              e.preventDefault();
              setFocusGrid((n) => n + 1);
            }
          }} />
      </div>
      <ErrorBanner message={pages.error ? messageOf(pages.error) : undefined} />
      <DataGrid<CustomerRow>
        label="Customers"
        testId="customers-grid"
        rowTestId="customer-row"
        rowAttrs={(r) => ({ "data-number": r.number, "data-id": r.id })}
        columns={columns}
        template="110px minmax(180px,2fr) 120px minmax(160px,1.5fr) 70px minmax(110px,1fr) minmax(110px,1fr) 90px"
        total={pages.total}
        rowAt={pages.rowAt}
        rowKey={(r) => r.id}
        onRangeChange={pages.setRange}
        onOpen={(r) => navigate(`customers/${r.id}`)}
        loading={pages.isLoading}
        focusSignal={focusGrid}
        empty={
          <Empty title={q ? "No customers match" : "No customers yet"} testId="customers-empty">
            {q ? "Try another search." : "Create the first one with “New customer”."}
          </Empty>
        }
      />
    </section>
  );
}

export interface CustomerValues {
  number: string;
  kind: CustomerKind;
  name: string;
  vat_number: string;
  email: string;
  spending_limit: string;
}

export const CUSTOMER_FIELDS = ["number", "kind", "name", "vat_number", "email", "spending_limit", "currency"] as const;

/** Client-side checks: required fields and formats. The domain checks again. */
export function validateCustomer(v: CustomerValues, mode: "create" | "edit"): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === "create" && v.number.trim() === "") errors.number = "Customer number is required.";
  if (v.name.trim() === "") errors.name = "Name is required.";
  const email = v.email.trim();
  if (email !== "" && !/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = `'${email}' is not an e-mail address.`;
  if (mode === "create" && v.spending_limit.trim() !== "") {
    const p = parseMoney(v.spending_limit);
    if (!p.ok) errors.spending_limit = `${p.error}.`;
    else if (p.value < 0) errors.spending_limit = "The spending limit must not be negative.";
  }
  return errors;
}

export function CustomerForm({ existing }: { existing?: CustomerRow }) {
  const mode = existing ? "edit" : "create";
  const { run, pending } = useCommand();
  const [v, setV] = useState<CustomerValues>({
    number: existing?.number ?? "",
    kind: (existing?.kind as CustomerKind | undefined) ?? "organisation",
    name: existing?.name ?? "",
    vat_number: existing?.vat_number ?? "",
    email: existing?.email ?? "",
    spending_limit: "",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  // "Save & new" (its button, or Shift+Enter): the form empties for the next customer.
  const andNew = useRef(false);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (mode !== "create") return;
    let live = true;
    api
      .nextNumber("customer")
      .then((n) => live && setV((old) => (old.number ? old : { ...old, number: n })))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [mode]);

  const set = (k: keyof CustomerValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setV({ ...v, [k]: e.target.value });
    if (errors[k]) setErrors({ ...errors, [k]: "" });
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const again = andNew.current;
    andNew.current = false;
    const errs = validateCustomer(v, mode);
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      const first = CUSTOMER_FIELDS.find((f) => errs[f]);
      if (first) document.getElementById(`f-${first}`)?.focus();
      return;
    }
    try {
      if (existing) {
        await run({
          type: "UpdateCustomer",
          customer_id: existing.id,
          kind: v.kind,
          name: v.name,
          vat_number: v.vat_number || null,
          email: v.email || null,
        });
        navigate(`customers/${existing.id}`);
      } else {
        const id = uuidv7();
        const limit = v.spending_limit.trim() === "" ? null : parseMoney(v.spending_limit);
        await run({
          type: "RegisterCustomer",
          customer_id: id,
          number: v.number,
          kind: v.kind,
          name: v.name,
          vat_number: v.vat_number || null,
          email: v.email || null,
          spending_limit: limit && limit.ok ? limit.value : null,
        });
        if (again) {
          setSaved(v.name);
          const number = await api.nextNumber("customer").catch(() => "");
          setV({ number, kind: v.kind, name: "", vat_number: "", email: "", spending_limit: "" });
          document.getElementById("f-name")?.focus();
          return;
        }
        navigate(`customers/${id}`);
      }
    } catch (err) {
      const errs2 = fieldErrorsOf(err, CUSTOMER_FIELDS, { limit: "spending_limit" });
      setErrors(errs2);
      const first = CUSTOMER_FIELDS.find((f) => errs2[f]);
      if (first) document.getElementById(`f-${first}`)?.focus();
    }
  };

  return (
    <section className="screen">
      <PageHeader title={existing ? `Edit ${existing.name}` : "New customer"} />
      <form className="card form narrow" onSubmit={(e) => void submit(e)} noValidate data-testid="customer-form"
        onKeyDown={(e) => {
          if (e.key === "Enter" && e.shiftKey && !existing) {
            e.preventDefault();
            andNew.current = true;
            e.currentTarget.requestSubmit();
          }
        }}>
        {saved && <p className="muted small" role="status" data-testid="customer-saved">Created {saved}. Next customer:</p>}
        <div className="form-grid">
          <Field label="Number" name="number" error={errors.number}>
            <input {...fieldProps("number", errors.number)} value={v.number} onChange={set("number")} disabled={!!existing}
              required className="mono" data-testid="customer-number" />
          </Field>
          <Field label="Kind" name="kind" error={errors.kind}>
            <select {...fieldProps("kind", errors.kind)} value={v.kind} onChange={set("kind")} data-testid="customer-kind">
              <option value="organisation">Organisation</option>
              <option value="person">Person</option>
            </select>
          </Field>
          <Field label="Name" name="name" error={errors.name} className="span-2">
            <input {...fieldProps("name", errors.name)} value={v.name} onChange={set("name")} required autoFocus
              data-testid="customer-name" />
          </Field>
          <Field label="E-mail" name="email" error={errors.email}>
            <input {...fieldProps("email", errors.email)} type="email" value={v.email} onChange={set("email")}
              data-testid="customer-email" />
          </Field>
          <Field label="VAT number" name="vat_number" error={errors.vat_number}>
            <input {...fieldProps("vat_number", errors.vat_number)} value={v.vat_number} onChange={set("vat_number")}
              data-testid="customer-vat-number" />
          </Field>
          {!existing && (
            <Field label="Spending limit" name="spending_limit" error={errors.spending_limit} hint="Blank is unlimited.">
              <input {...fieldProps("spending_limit", errors.spending_limit)} className="num right" inputMode="decimal"
                value={v.spending_limit} onChange={set("spending_limit")} data-testid="customer-spending-limit" />
            </Field>
          )}
        </div>
        <ErrorBanner message={errors._form} />
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={pending} data-testid="customer-save">
            {existing ? "Save changes" : "Create customer"}
          </button>
          {!existing && (
            <button type="submit" className="btn" disabled={pending} data-testid="customer-save-new" onClick={() => (andNew.current = true)}>
              Save &amp; new <kbd className="kbd">Shift ↵</kbd>
            </button>
          )}
          <button type="button" className="btn ghost" onClick={() => window.history.back()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

export function CustomerEdit({ id }: { id: string }) {
  const q = useQuery({ queryKey: ["customer", id], queryFn: () => api.getCustomer(id) });
  if (q.isLoading) return <Spinner />;
  if (!q.data) return <ErrorBanner message={q.error ? messageOf(q.error) : "Customer not found."} />;
  return <CustomerForm existing={q.data.customer} />;
}

export function CustomerScreen({ id }: { id: string }) {
  const q = useQuery({ queryKey: ["customer", id], queryFn: () => api.getCustomer(id) });
  if (q.isLoading) return <Spinner label="Loading customer…" />;
  if (!q.data) return <ErrorBanner message={q.error ? messageOf(q.error) : "Customer not found."} />;
  return <CustomerView detail={q.data} />;
}

function CustomerView({ detail }: { detail: CustomerDetail }) {
  const c = detail.customer;
  const { run, pending } = useCommand();
  const [error, setError] = useState<string>();
  const [blocking, setBlocking] = useState(false);
  const [reason, setReason] = useState("");
  const [limitText, setLimitText] = useState(c.spending_limit === null ? "" : moneyToInput(c.spending_limit));
  const [limitError, setLimitError] = useState<string>();

  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const saveLimit = async (e: React.FormEvent) => {
    e.preventDefault();
    setLimitError(undefined);
    let limit: number | null = null;
    if (limitText.trim() !== "") {
      const p = parseMoney(limitText);
      if (!p.ok) return setLimitError(`${p.error}.`);
      limit = p.value;
    }
    try {
      await run({ type: "SetSpendingLimit", customer_id: c.id, limit });
    } catch (err) {
      setLimitError(messageOf(err));
    }
  };

  return (
    <section className="screen" data-testid="customer-screen">
      <PageHeader
        title={
          <>
            {c.name} {c.blocked && <span className="badge status-cancelled" data-testid="customer-blocked">Blocked</span>}
          </>
        }
        sub={
          <>
            <span className="mono">{c.number}</span> · {c.kind === "person" ? "Person" : "Organisation"}
            {c.email && <> · {c.email}</>}
            {c.vat_number && <> · VAT {c.vat_number}</>}
          </>
        }
      >
        <a className="btn" href={href(`customers/${c.id}/edit`)} data-testid="customer-edit">Edit</a>
        <a className="btn" href={href(`orders?customer=${c.id}`)}>Orders ({formatCount(c.order_count)})</a>
        {c.blocked ? (
          <button type="button" className="btn" disabled={pending} data-testid="customer-unblock"
            onClick={() => void act(() => run({ type: "UnblockCustomer", customer_id: c.id }))}>
            Unblock
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => setBlocking((b) => !b)} data-testid="customer-block">
            Block…
          </button>
        )}
        <a className="btn" href={href(`history/${c.id}`)} data-testid="customer-history">History</a>
      </PageHeader>
      {blocking && !c.blocked && (
        <form className="inline-form card" onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await run({ type: "BlockCustomer", customer_id: c.id, reason });
            setBlocking(false);
            setReason("");
          });
        }}>
          <label htmlFor="block-reason">Reason</label>
          <input id="block-reason" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} data-testid="block-reason" />
          <button type="submit" className="btn danger" data-testid="block-confirm">Block customer</button>
          <button type="button" className="btn ghost" onClick={() => setBlocking(false)}>Cancel</button>
        </form>
      )}
      <ErrorBanner message={error} />
      <div className="two-col">
        <div className="card">
          <div className="card-title">Open orders against the spending limit</div>
          <CreditBar open={c.open_total} limit={c.spending_limit} currency={c.currency} />
          <form className="limit-form" onSubmit={(e) => void saveLimit(e)} noValidate>
            <Field label={`Spending limit (${c.currency})`} name="spending_limit" error={limitError} hint="Blank is unlimited.">
              <input {...fieldProps("spending_limit", limitError)} className="num right" inputMode="decimal" value={limitText}
                onChange={(e) => setLimitText(e.target.value)} data-testid="customer-limit-input" />
            </Field>
            <button type="submit" className="btn" disabled={pending} data-testid="customer-limit-save">Set limit</button>
          </form>
        </div>
        <Addresses customerId={c.id} addresses={detail.addresses} />
      </div>
    </section>
  );
}

const ADDRESS_FIELDS = ["label", "street", "postal_code", "city", "country"] as const;
const EMPTY_ADDRESS: Address = { label: "", street: "", postal_code: "", city: "", country: "" };

export function validateAddress(a: Address): FieldErrors {
  const e: FieldErrors = {};
  if (!a.street.trim()) e.street = "Street is required.";
  if (!a.city.trim()) e.city = "City is required.";
  if (!a.country.trim()) e.country = "Country is required.";
  return e;
}

function Addresses({ customerId, addresses }: { customerId: string; addresses: AddressRow[] }) {
  const { run } = useCommand();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  return (
    <div className="card">
      <div className="card-title row">
        <span>Addresses</span>
        <button type="button" className="btn small" onClick={() => setEditing("new")} data-testid="address-add">
          Add address
        </button>
      </div>
      <ErrorBanner message={error} />
      {addresses.length === 0 && editing !== "new" && <p className="muted">No addresses yet.</p>}
      <ul className="addresses">
        {addresses.map((a) =>
          editing === a.id ? (
            <li key={a.id}>
              <AddressForm initial={a} onDone={() => setEditing(null)}
                save={(addr) => run({ type: "ChangeCustomerAddress", customer_id: customerId, address_id: a.id, address: addr })} />
            </li>
          ) : (
            <li key={a.id} className="address" data-testid="address">
              <div>
                {a.label && <div className="strong">{a.label}</div>}
                <div>{a.street}</div>
                <div>{[a.postal_code, a.city].filter(Boolean).join(" ")}</div>
                <div className="muted">{a.country}</div>
              </div>
              <div className="address-actions">
                <button type="button" className="btn small ghost" onClick={() => setEditing(a.id)}>Change</button>
                <button type="button" className="btn small ghost" onClick={() => {
                  setError(undefined);
                  run({ type: "RemoveCustomerAddress", customer_id: customerId, address_id: a.id }).catch((e: unknown) =>
                    setError(messageOf(e)),
                  );
                }}>Remove</button>
              </div>
            </li>
          ),
        )}
      </ul>
      {editing === "new" && (
        <AddressForm initial={EMPTY_ADDRESS} onDone={() => setEditing(null)}
          save={(addr) => run({ type: "AddCustomerAddress", customer_id: customerId, address_id: uuidv7(), address: addr })} />
      )}
    </div>
  );
}

function AddressForm({ initial, save, onDone }: { initial: Address; save: (a: Address) => Promise<unknown>; onDone: () => void }) {
  const [a, setA] = useState<Address>({
    label: initial.label, street: initial.street, postal_code: initial.postal_code, city: initial.city, country: initial.country,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const errs = validateAddress(a);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    try {
      await save(a);
      onDone();
    } catch (err) {
      // The domain names address fields `address.street` etc.
      const aliases = Object.fromEntries(ADDRESS_FIELDS.map((f) => [`address.${f}`, f]));
      setErrors(fieldErrorsOf(err, ADDRESS_FIELDS, aliases));
    }
  };
  const input = (k: keyof Address, label: string) => (
    <Field label={label} name={`address_${k}`} error={errors[k]}>
      <input {...fieldProps(`address_${k}`, errors[k])} value={a[k]} onChange={(e) => setA({ ...a, [k]: e.target.value })}
        data-testid={`address-${k}`} />
    </Field>
  );
  return (
    <form className="address-form" onSubmit={(e) => void submit(e)} noValidate>
      <div className="form-grid">
        {input("label", "Label")}
        {input("street", "Street and number")}
        {input("postal_code", "Postal code")}
        {input("city", "City")}
        {input("country", "Country")}
      </div>
      <ErrorBanner message={errors._form} />
      <div className="form-actions">
        <button type="submit" className="btn primary small" data-testid="address-save">Save address</button>
        <button type="button" className="btn ghost small" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
