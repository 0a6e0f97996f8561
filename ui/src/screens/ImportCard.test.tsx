import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { ImportReport } from "../types";
import { ImportCard } from "./ImportCard";

const report = (over: Partial<ImportReport> = {}): ImportReport => ({
  rows: 3,
  created: 2,
  updated: 1,
  unchanged: 0,
  problems: [],
  written: false,
  ...over,
});

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
  be.extra.choose_file = () => "/home/anna/products.csv";
});

describe("import from CSV", () => {
  it("checks the chosen file first, then writes it on confirmation", async () => {
    be.extra.import_catalog = (args) => (args.dryRun ? report() : report({ written: true }));
    const user = userEvent.setup();
    renderWithClient(<ImportCard />);
    await user.click(screen.getByTestId("import-products"));
    expect(await screen.findByTestId("import-counts")).toHaveTextContent("3 rows: 2 new, 1 changed, 0 unchanged");
    expect(be.callsTo("choose_file")[0]?.args).toEqual({ purpose: "import", suggestedName: null });
    expect(be.callsTo("import_catalog")).toHaveLength(1);
    expect(be.callsTo("import_catalog")[0]?.args).toEqual({ kind: "products", path: "/home/anna/products.csv", dryRun: true });

    await user.click(screen.getByTestId("import-confirm"));
    expect(await screen.findByTestId("import-done")).toHaveTextContent("Imported 3 rows: 2 new, 1 changed, 0 unchanged.");
    expect(be.callsTo("import_catalog")[1]?.args).toEqual({ kind: "products", path: "/home/anna/products.csv", dryRun: false });
  });

  it("lists each problem by line and column and offers no import", async () => {
    be.extra.import_catalog = () =>
      report({ problems: [{ line: 3, column: "price", message: "\"twee\" is not an amount" }, { line: 5, column: null, message: "the line cannot be read" }] });
    const user = userEvent.setup();
    renderWithClient(<ImportCard />);
    await user.click(screen.getByTestId("import-customers"));
    expect(await screen.findByRole("alert")).toHaveTextContent("2 problems: nothing is imported until the file is corrected.");
    const rows = screen.getAllByTestId("import-problem");
    expect(rows[0]).toHaveTextContent(/3\s*price\s*"twee" is not an amount/);
    expect(rows).toHaveLength(2);
    expect(screen.queryByTestId("import-confirm")).not.toBeInTheDocument();
    expect(be.callsTo("import_catalog")).toHaveLength(1);
  });

  it("does nothing when the dialog is cancelled", async () => {
    be.extra.choose_file = () => null;
    const user = userEvent.setup();
    renderWithClient(<ImportCard />);
    await user.click(screen.getByTestId("import-products"));
    await waitFor(() => expect(be.callsTo("choose_file")).toHaveLength(1));
    expect(be.callsTo("import_catalog")).toHaveLength(0);
    expect(screen.queryByTestId("import-check")).not.toBeInTheDocument();
  });
});
