import { describe, expect, it } from "vitest";
import { toBcp47 } from "./locale";

describe("toBcp47", () => {
  it("turns what webviews report into tags Intl accepts", () => {
    expect(toBcp47("nl-NL")).toBe("nl-NL");
    expect(toBcp47("nl_NL.UTF-8")).toBe("nl-NL");
    expect(toBcp47("de_DE@euro")).toBe("de-DE");
    expect(toBcp47("C")).toBeNull();
    expect(toBcp47("POSIX")).toBeNull();
    expect(toBcp47("C.UTF-8")).toBeNull();
    expect(toBcp47("not a locale!")).toBeNull();
    expect(toBcp47("")).toBeNull();
    // Whatever it returns, Intl can use.
    for (const raw of ["en_US", "fr-FR", "pt_BR.utf8"]) {
      expect(() => new Intl.NumberFormat(toBcp47(raw) ?? "en-US")).not.toThrow();
    }
  });
});
