//! The catalogue: searchable list, create and edit forms, discontinue and reinstate.

import { useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useCallback, useMemo, useRef, useState } from "react";
import { api } from "../api";
import { DataGrid, useWindowedPages } from "../components/DataGrid";
import { Empty, ErrorBanner, Field, MoneyText, PageHeader, Spinner, fieldProps } from "../components/ui";
import { useCommand } from "../lib/commands";
import { fieldErrorsOf, messageOf, type FieldErrors } from "../lib/errors";
import { formatCount } from "../lib/format";
import { useDebounced } from "../lib/hooks";
import { moneyToInput, parseMoney } from "../lib/money";
import { href, navigate } from "../lib/router";
import { uuidv7 } from "../lib/uuid";
import type { ProductRow, VatClass } from "../types";

export const VAT_LABEL: Record<string, string> = { standard: "Standard 21%", reduced: "Reduced 9%", zero: "Zero 0%" };

export function ProductsList() {
  const [search, setSearch] = useState("");
  const [showDiscontinued, setShowDiscontinued] = useState(false);
  const [focusGrid, setFocusGrid] = useState(0);
  const q = useDebounced(search.trim(), 150);
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      api.listProducts({ search: q || null, include_discontinued: showDiscontinued, offset, limit }),
    [q, showDiscontinued],
  );
  const pages = useWindowedPages<ProductRow>({ key: ["products", q, showDiscontinued], fetchPage });
  const columns = useMemo<ColumnDef<ProductRow>[]>(
    () => [
      {
        id: "code",
        header: "Code",
        cell: ({ row }) => (
          <a href={href(`products/${row.original.id}`)} className="mono" data-testid="product-row-code">
            {row.original.code}
          </a>
        ),
      },
      { id: "description", header: "Description", cell: ({ row }) => <span className="ellipsis">{row.original.description}</span> },
      { id: "vat", header: "VAT", cell: ({ row }) => <span className="muted">{VAT_LABEL[row.original.vat_class] ?? row.original.vat_class}</span> },
      { id: "price", header: "Unit price", meta: { align: "right" }, cell: ({ row }) => <MoneyText cents={row.original.unit_price} /> },
      {
        id: "state",
        header: "",
        cell: ({ row }) => (row.original.discontinued ? <span className="badge status-cancelled">Discontinued</span> : null),
      },
    ],
    [],
  );
  return (
    <section className="screen">
      <PageHeader title="Products" sub={`${formatCount(pages.total)} products`}>
        <button type="button" className="btn primary" onClick={() => navigate("products/new")} data-testid="product-new">
          New product
        </button>
      </PageHeader>
      <div className="toolbar" role="search">
        <input className="search" type="search" placeholder="Search code or description…" aria-label="Search products"
          data-search="true" data-testid="products-search" value={search} onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === "ArrowDown") {
              e.preventDefault();
              setFocusGrid((n) => n + 1);
            }
          }} />
        <label className="check">
          <input type="checkbox" checked={showDiscontinued} onChange={(e) => setShowDiscontinued(e.target.checked)} />
          Show discontinued
        </label>
      </div>
      <ErrorBanner message={pages.error ? messageOf(pages.error) : undefined} />
      <DataGrid<ProductRow>
        label="Products"
        testId="products-grid"
        rowTestId="product-row"
        rowAttrs={(r) => ({ "data-code": r.code, "data-id": r.id })}
        columns={columns}
        template="140px minmax(240px,3fr) 150px minmax(120px,1fr) 130px"
        total={pages.total}
        rowAt={pages.rowAt}
        rowKey={(r) => r.id}
        onRangeChange={pages.setRange}
        onOpen={(r) => navigate(`products/${r.id}`)}
        loading={pages.isLoading}
        focusSignal={focusGrid}
        empty={
          <Empty title={q ? "No products match" : "No products yet"} testId="products-empty">
            {q ? "Try another search." : "Add the first one with “New product”."}
          </Empty>
        }
      />
    </section>
  );
}

export interface ProductValues {
  code: string;
  description: string;
  unit_price: string;
  vat_class: VatClass;
}

export const PRODUCT_FIELDS = ["code", "description", "unit_price", "vat_class"] as const;

export function validateProduct(v: ProductValues, mode: "create" | "edit"): FieldErrors {
  const e: FieldErrors = {};
  if (mode === "create" && !v.code.trim()) e.code = "Code is required.";
  if (!v.description.trim()) e.description = "Description is required.";
  const p = parseMoney(v.unit_price);
  if (!p.ok) e.unit_price = `${p.error}.`;
  else if (p.value < 0) e.unit_price = "The price must not be negative.";
  return e;
}

export function ProductScreen({ id }: { id: string | null }) {
  const q = useQuery({ queryKey: ["product", id], queryFn: () => api.getProduct(id ?? ""), enabled: id !== null });
  if (id === null) return <ProductForm />;
  if (q.isLoading) return <Spinner />;
  if (!q.data) return <ErrorBanner message={q.error ? messageOf(q.error) : "Product not found."} />;
  return <ProductForm existing={q.data} />;
}

function ProductForm({ existing }: { existing?: ProductRow }) {
  const { run, pending } = useCommand();
  const [v, setV] = useState<ProductValues>({
    code: existing?.code ?? "",
    description: existing?.description ?? "",
    unit_price: existing ? moneyToInput(existing.unit_price) : "",
    vat_class: (existing?.vat_class as VatClass | undefined) ?? "standard",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  // "Save & new" (its button, or Shift+Enter): the form empties for the next product.
  const andNew = useRef(false);
  const [saved, setSaved] = useState<string | null>(null);
  const set = (k: keyof ProductValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setV({ ...v, [k]: e.target.value });
    if (errors[k]) setErrors({ ...errors, [k]: "" });
  };
  const focusFirst = (errs: FieldErrors) => {
    const f = PRODUCT_FIELDS.find((k) => errs[k]);
    if (f) document.getElementById(`f-${f}`)?.focus();
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const again = andNew.current;
    andNew.current = false;
    const errs = validateProduct(v, existing ? "edit" : "create");
    setErrors(errs);
    if (Object.keys(errs).length) return focusFirst(errs);
    const price = parseMoney(v.unit_price);
    if (!price.ok) return;
    try {
      if (existing) {
        await run({ type: "UpdateProduct", product_id: existing.id, description: v.description, unit_price: price.value, vat_class: v.vat_class });
      } else {
        await run({
          type: "RegisterProduct",
          product_id: uuidv7(),
          code: v.code,
          description: v.description,
          unit_price: price.value,
          vat_class: v.vat_class,
        });
        if (again) {
          setSaved(v.code);
          setV({ code: "", description: "", unit_price: "", vat_class: v.vat_class });
          document.getElementById("f-code")?.focus();
          return;
        }
      }
      navigate("products");
    } catch (err) {
      const errs2 = fieldErrorsOf(err, PRODUCT_FIELDS);
      setErrors(errs2);
      focusFirst(errs2);
    }
  };
  const toggle = async () => {
    if (!existing) return;
    try {
      await run(existing.discontinued ? { type: "ReinstateProduct", product_id: existing.id } : { type: "DiscontinueProduct", product_id: existing.id });
    } catch (err) {
      setErrors(fieldErrorsOf(err, PRODUCT_FIELDS));
    }
  };
  return (
    <section className="screen">
      <PageHeader title={existing ? <>Product <span className="mono">{existing.code}</span></> : "New product"}>
        {existing && (
          <>
            <button type="button" className="btn" onClick={() => void toggle()} data-testid="product-discontinue">
              {existing.discontinued ? "Reinstate" : "Discontinue"}
            </button>
            <a className="btn" href={href(`history/${existing.id}`)} data-testid="product-history">History</a>
          </>
        )}
      </PageHeader>
      <form className="card form narrow" onSubmit={(e) => void submit(e)} noValidate data-testid="product-form"
        onKeyDown={(e) => {
          if (e.key === "Enter" && e.shiftKey && !existing) {
            e.preventDefault();
            andNew.current = true;
            e.currentTarget.requestSubmit();
          }
        }}>
        {saved && <p className="muted small" role="status" data-testid="product-saved">Created {saved}. Next product:</p>}
        <div className="form-grid">
          <Field label="Code" name="code" error={errors.code} className="span-2">
            <input {...fieldProps("code", errors.code)} className="mono" value={v.code} onChange={set("code")} disabled={!!existing}
              autoFocus={!existing} data-testid="product-code" />
          </Field>
          <Field label="Description" name="description" error={errors.description} className="span-2">
            <input {...fieldProps("description", errors.description)} value={v.description} onChange={set("description")}
              autoFocus={!!existing} data-testid="product-description" />
          </Field>
          <Field label="Unit price (excl. VAT)" name="unit_price" error={errors.unit_price}>
            <input {...fieldProps("unit_price", errors.unit_price)} className="num right" inputMode="decimal" value={v.unit_price}
              onChange={set("unit_price")} data-testid="product-unit-price" />
          </Field>
          <Field label="VAT class" name="vat_class" error={errors.vat_class}>
            <select {...fieldProps("vat_class", errors.vat_class)} value={v.vat_class} onChange={set("vat_class")} data-testid="product-vat-class">
              <option value="standard">{VAT_LABEL.standard}</option>
              <option value="reduced">{VAT_LABEL.reduced}</option>
              <option value="zero">{VAT_LABEL.zero}</option>
            </select>
          </Field>
        </div>
        <ErrorBanner message={errors._form} />
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={pending} data-testid="product-save">
            {existing ? "Save changes" : "Create product"}
          </button>
          {!existing && (
            <button type="submit" className="btn" disabled={pending} data-testid="product-save-new" onClick={() => (andNew.current = true)}>
              Save &amp; new <kbd className="kbd">Shift ↵</kbd>
            </button>
          )}
          <button type="button" className="btn ghost" onClick={() => navigate("products")}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
