//! The user's locale, read once from the webview (the OS setting). Tests pass a locale
//! explicitly to the formatting functions instead of changing this.

export function userLocale(): string {
  if (typeof navigator !== "undefined") {
    const l = navigator.languages?.[0] ?? navigator.language;
    if (l) return l;
  }
  return "en-US";
}

/** The decimal and grouping separators a locale writes numbers with. */
export function separators(locale: string): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
    group: parts.find((p) => p.type === "group")?.value ?? ",",
  };
}
