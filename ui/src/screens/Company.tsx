//! Company settings: the account's own details (name, address, VAT number, bank
//! account, e-mail, telephone) as every document prints them. Saved by one command
//! (`SetCompanyDetails`, full values; synced, with a history of its own); a refusal
//! lands next to its field. Beside the form, what the documents' header will show,
//! with the logo: chosen in the file dialog (`choose_file` with purpose `logo`, then
//! `set_company_logo`, which checks and records it), removed by `SetCompanyLogo` with none.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../api";
import { ErrorBanner, Field, PageHeader, Spinner, fieldProps } from "../components/ui";
import { useCommand } from "../lib/commands";
import { fieldErrorsOf, messageOf, type FieldErrors } from "../lib/errors";
import { href } from "../lib/router";
import type { Company, Logo } from "../types";

/** The company's id: one record per account (`CompanyId::ACCOUNT`). */
export const COMPANY_ID = "00000000-0000-7000-8000-0000c0a1c0de";

export interface CompanyValues {
  name: string;
  street: string;
  postal_code: string;
  city: string;
  country: string;
  vat_number: string;
  bank_account: string;
  email: string;
  phone: string;
}

const FIELDS = ["name", "street", "postal_code", "city", "country", "vat_number", "bank_account", "email", "phone"] as const;
type Key = (typeof FIELDS)[number];

/** The back end names address fields `address.street`; the form, `street`. */
const ALIASES: Record<string, string> = {
  "address.street": "street",
  "address.postal_code": "postal_code",
  "address.city": "city",
  "address.country": "country",
};

export function valuesOf(c: Company | null | undefined): CompanyValues {
  return {
    name: c?.name ?? "",
    street: c?.address.street ?? "",
    postal_code: c?.address.postal_code ?? "",
    city: c?.address.city ?? "",
    country: c?.address.country ?? "",
    vat_number: c?.vat_number ?? "",
    bank_account: c?.bank_account ?? "",
    email: c?.email ?? "",
    phone: c?.phone ?? "",
  };
}

/** Checks the form can catch before sending (the domain checks everything again). */
export function validateCompany(v: CompanyValues): FieldErrors {
  const e: FieldErrors = {};
  if (!v.name.trim()) e.name = "Give the company's name.";
  if (!v.street.trim()) e.street = "Give the street.";
  if (!v.city.trim()) e.city = "Give the city.";
  if (!v.country.trim()) e.country = "Give the country.";
  if (v.email.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email.trim())) e.email = "This is not an e-mail address.";
  return e;
}

/** The lines a document's header prints, in order (as crates/documents draws them). */
export function printedLines(v: CompanyValues): string[] {
  const place = `${v.postal_code} ${v.city}`.trim();
  return [
    v.name,
    v.street,
    place,
    v.country,
    v.vat_number && `VAT ${v.vat_number}`,
    v.bank_account && `IBAN ${v.bank_account}`,
    v.email,
    v.phone,
  ]
    .map((s) => s.trim())
    .filter(Boolean);
}

const LABELS: Record<Key, string> = {
  name: "Company name",
  street: "Street",
  postal_code: "Postal code",
  city: "City",
  country: "Country",
  vat_number: "VAT number",
  bank_account: "Bank account (IBAN)",
  email: "E-mail",
  phone: "Telephone",
};

export function CompanyScreen() {
  const company = useQuery({ queryKey: ["company"], queryFn: api.getCompany });
  if (company.isLoading) return <Spinner />;
  if (company.error) return <ErrorBanner message={messageOf(company.error)} />;
  // Not keyed on the data: a save refetches it, and the form (with its "Saved.") stays.
  return <CompanyForm existing={company.data ?? null} />;
}

function CompanyForm({ existing }: { existing: Company | null }) {
  const { run, pending } = useCommand();
  const [v, setV] = useState<CompanyValues>(() => valuesOf(existing));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [v]);

  const set = (k: Key) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setV({ ...v, [k]: e.target.value });
    if (errors[k]) setErrors({ ...errors, [k]: "" });
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const errs = validateCompany(v);
    setErrors(errs);
    const focusFirst = (es: FieldErrors) => {
      const first = FIELDS.find((f) => es[f]);
      if (first) document.getElementById(`f-company_${first}`)?.focus();
    };
    if (Object.keys(errs).length > 0) return focusFirst(errs);
    const opt = (s: string) => (s.trim() === "" ? null : s.trim());
    try {
      await run({
        type: "SetCompanyDetails",
        company_id: COMPANY_ID,
        name: v.name.trim(),
        address: { label: "", street: v.street.trim(), postal_code: v.postal_code.trim(), city: v.city.trim(), country: v.country.trim() },
        vat_number: opt(v.vat_number),
        bank_account: opt(v.bank_account),
        email: opt(v.email),
        phone: opt(v.phone),
      });
      setSaved(true);
    } catch (err) {
      const es = fieldErrorsOf(err, FIELDS, ALIASES);
      setErrors(es);
      focusFirst(es);
    }
  };

  const input = (k: Key, extra: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <Field label={LABELS[k]} name={`company_${k}`} error={errors[k]} className={k === "name" || k === "street" ? "span-2" : ""}>
      <input {...fieldProps(`company_${k}`, errors[k])} value={v[k]} onChange={set(k)} data-testid={`company-${k}`} {...extra} />
    </Field>
  );

  return (
    <section className="screen company">
      <PageHeader title="Company" sub="Your own details, printed on every order confirmation, delivery note and invoice.">
        {existing && (
          <a className="btn" href={href(`history/${COMPANY_ID}`)} data-testid="company-history">
            History
          </a>
        )}
      </PageHeader>
      <div className="company-body">
        <form className="card form narrow" onSubmit={(e) => void submit(e)} noValidate data-testid="company-form">
          <div className="form-grid">
            {input("name", { autoFocus: true })}
            {input("street")}
            {input("postal_code")}
            {input("city")}
            {input("country")}
            {input("vat_number", { className: "mono" })}
            {input("bank_account", { className: "mono" })}
            {input("email", { type: "email" })}
            {input("phone", { type: "tel" })}
          </div>
          <ErrorBanner message={errors._form} />
          <div className="form-actions">
            <button type="submit" className="btn primary" disabled={pending} data-testid="company-save">
              Save
            </button>
            {saved && (
              <span className="muted" role="status" data-testid="company-saved">
                Saved. New documents print these details; earlier ones keep those of their day.
              </span>
            )}
          </div>
        </form>
        <aside className="card company-preview" data-testid="company-preview" aria-label="What documents print">
          <div className="card-title">Documents print</div>
          <LogoPicker logo={existing?.logo ?? null} detailsSaved={existing !== null} />
          {printedLines(v).length === 0 ? (
            <div className="muted small">Nothing yet: documents carry no company header until you save your details.</div>
          ) : (
            <address>
              {printedLines(v).map((l, i) => (
                <div key={i} className={i === 0 ? "strong" : ""} data-testid="company-preview-line">
                  {l}
                </div>
              ))}
            </address>
          )}
        </aside>
      </div>
    </section>
  );
}

/** "PNG, 240 × 80 px, 12 KB", as the history says it. */
export function describeLogo(l: Logo): string {
  return `${l.format.toUpperCase()}, ${l.width} × ${l.height} px, ${Math.ceil(l.bytes / 1024)} KB`;
}

/** The logo as documents print it, with "Choose logo…" and "Remove logo". */
function LogoPicker({ logo, detailsSaved }: { logo: Logo | null; detailsSaved: boolean }) {
  const qc = useQueryClient();
  const { run, pending } = useCommand();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const choose = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const path = await api.chooseFile("logo", null);
      if (path === null) return;
      await api.setCompanyLogo(path);
      await qc.invalidateQueries();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setError(undefined);
    try {
      await run({ type: "SetCompanyLogo", company_id: COMPANY_ID, logo: null });
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="company-logo" data-testid="company-logo">
      {logo ? (
        <>
          <img
            src={`data:image/${logo.format};base64,${logo.data}`}
            alt="Your logo, as documents print it"
            data-testid="company-logo-image"
          />
          <div className="muted small" data-testid="company-logo-info">
            {describeLogo(logo)}
          </div>
        </>
      ) : (
        <div className="muted small">
          {detailsSaved ? "No logo: documents print your name only." : "Save your details first; then you can add a logo."}
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="btn" disabled={!detailsSaved || busy} onClick={() => void choose()} data-testid="company-logo-choose">
          {logo ? "Change logo…" : "Choose logo…"}
        </button>
        {logo && (
          <button type="button" className="btn" disabled={pending} onClick={() => void remove()} data-testid="company-logo-remove">
            Remove logo
          </button>
        )}
      </div>
      <ErrorBanner message={error} />
      <div className="muted small">A PNG or JPEG file of at most 256 KB, printed top left on every page (up to 1.4 cm high, 5.6 cm wide).</div>
    </div>
  );
}
