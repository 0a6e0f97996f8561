//! The user's locale, read from the webview (the OS setting). A POSIX locale such as
//! `C` or `nl_NL.UTF-8` (what WebKitGTK reports under some environments) is turned into
//! a BCP 47 tag, or English when it names no language; Intl throws on invalid tags.
//! Tests pass a locale explicitly to the formatting functions instead.

export function toBcp47(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const tag = raw.split(/[.@]/)[0]?.replace(/_/g, "-") ?? "";
  if (tag === "" || tag === "C" || tag === "POSIX") return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

let cached: string | null = null;

export function userLocale(): string {
  if (cached) return cached;
  let found: string | null = null;
  if (typeof navigator !== "undefined") {
    for (const l of [...(navigator.languages ?? []), navigator.language]) {
      found = toBcp47(l);
      if (found) break;
    }
  }
  cached = found ?? "en-US";
  return cached;
}

/** The decimal and grouping separators a locale writes numbers with. */
export function separators(locale: string): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
    group: parts.find((p) => p.type === "group")?.value ?? ",",
  };
}
