import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { createQueryClient } from "../queryClient";
import { FakeBackend } from "../test/fakeBackend";
import { goldenError } from "../test/golden";
import { renderWithClient } from "../test/render";
import type { BackupFile, DataStatus } from "../types";
import { DataScreen, formatBytes } from "./Data";

const old: BackupFile = { path: "/data/backups/daybook-20261101-090000.sqlite3", name: "daybook-20261101-090000.sqlite3", bytes: 12_345_678, modified: "2026-11-01T09:00:00Z" };
const summary = { account_id: "a", schema_version: 1, events: 1200, orders: 100, pending_commands: 0, last_event_at: null };

function status(over: Partial<DataStatus> = {}): DataStatus {
  return {
    data_dir: "/data",
    backup_dir: "/data/backups",
    suggested_backup: "/data/backups/daybook-20261123-100000.sqlite3",
    export_dir: "/data/exports",
    backups: [old],
    damaged: null,
    last_check: { ok: true, full: false, problems: [], millis: 2100 },
    ...over,
  };
}

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
  be.extra.data_status = () => status();
});

describe("data screen", () => {
  it("formats sizes for people", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(12_345_678)).toBe("12.3 MB");
    expect(formatBytes(1_090_605_056)).toBe("1.09 GB");
  });

  it("lists the backups and backs up to the suggested path, then shows what was saved", async () => {
    be.extra.backup_store = (args) => ({ path: args.path, bytes: 2_000_000, summary, millis: 80 });
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    const item = await screen.findByTestId("backup-item");
    expect(item).toHaveTextContent("daybook-20261101-090000.sqlite3");
    expect(item).toHaveTextContent("12.3 MB");
    expect(screen.getByTestId("data-health")).toHaveTextContent("no damage");
    await user.click(screen.getByTestId("backup-submit"));
    expect(be.callsTo("backup_store")[0]?.args).toEqual({ path: "/data/backups/daybook-20261123-100000.sqlite3" });
    expect(await screen.findByTestId("data-done")).toHaveTextContent("Backed up 100 orders (1,200 events, 2.0 MB)");
  });

  it("shows the back end's refusal of a backup and claims nothing", async () => {
    be.extra.backup_store = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw goldenError("backup_name_taken");
    };
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    await user.click(await screen.findByTestId("backup-submit"));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("A file with that name already exists");
    expect(screen.queryByTestId("data-done")).not.toBeInTheDocument();
  });

  it("restores only after a confirmation", async () => {
    be.extra.restore_store = () => ({ from: old.path, kept_aside: "/data/daybook.sqlite3.before-restore-20261123-100500", summary, sync_cursor: 0, millis: 300 });
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    const item = await screen.findByTestId("backup-item");
    await user.click(within(item).getByTestId("restore-open"));
    await user.click(within(item).getByTestId("restore-cancel"));
    expect(be.callsTo("restore_store")).toHaveLength(0);
    await user.click(within(item).getByTestId("restore-open"));
    await user.click(within(item).getByTestId("restore-confirm"));
    expect(be.callsTo("restore_store")[0]?.args).toEqual({ path: old.path });
    const done = await screen.findByTestId("data-done");
    expect(done).toHaveTextContent("Restored 100 orders");
    expect(done).toHaveTextContent("before-restore-20261123-100500");
  });

  it("backs up, restores and exports only to files chosen in the dialog; a cancelled dialog does nothing", async () => {
    let answer: string | null = null;
    be.extra.choose_file = () => answer;
    be.extra.backup_store = (args) => ({ path: args.path, bytes: 2_000_000, summary, millis: 80 });
    be.extra.export_csv = () => ({ rows: 42 });
    be.extra.restore_store = () => ({ from: "/media/usb/b.sqlite3", kept_aside: null, summary, sync_cursor: 0, millis: 300 });
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    await user.click(await screen.findByTestId("backup-choose"));
    await waitFor(() => expect(be.callsTo("choose_file")).toHaveLength(1));
    expect(be.callsTo("choose_file")[0]?.args).toEqual({ purpose: "backup", suggestedName: null });
    expect(be.callsTo("backup_store")).toHaveLength(0);
    expect(screen.queryByTestId("data-done")).not.toBeInTheDocument();

    answer = "/media/usb/b.sqlite3";
    await user.click(screen.getByTestId("backup-choose"));
    await waitFor(() => expect(be.callsTo("backup_store")[0]?.args).toEqual({ path: "/media/usb/b.sqlite3" }));

    answer = "/home/ann/lines.csv";
    await user.click(screen.getByTestId("export-lines"));
    expect(be.callsTo("choose_file")[2]?.args).toEqual({ purpose: "export", suggestedName: "order-lines.csv" });
    await waitFor(() => expect(be.callsTo("export_csv")[0]?.args).toEqual({ kind: "lines", path: "/home/ann/lines.csv", record: null }));
    expect(await screen.findByTestId("data-done")).toHaveTextContent("Wrote 42 rows to /home/ann/lines.csv");

    answer = "/media/usb/b.sqlite3";
    await user.click(screen.getByTestId("restore-path-open"));
    expect(await screen.findByTestId("restore-path")).toHaveTextContent("/media/usb/b.sqlite3");
    expect(be.callsTo("restore_store")).toHaveLength(0);
    await user.click(screen.getByTestId("restore-path-confirm"));
    await waitFor(() => expect(be.callsTo("restore_store")[0]?.args).toEqual({ path: "/media/usb/b.sqlite3" }));
  });

  it("shows a refused path as such", async () => {
    be.extra.choose_file = () => "/etc/passwd";
    be.extra.export_csv = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "file_not_chosen", message: "choose the file in the file dialog first", field: "path" };
    };
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    await user.click(await screen.findByTestId("export-orders"));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("Choose the file in the file dialog first");
  });

  it("copies the diagnostics and shows them", async () => {
    be.extra.copy_diagnostics = () => "Daybook diagnostics\nversion: 0.1.0\n";
    const user = userEvent.setup();
    renderWithClient(<DataScreen />);
    await user.click(await screen.findByTestId("copy-diagnostics"));
    expect(await screen.findByTestId("diagnostics")).toHaveTextContent("version: 0.1.0");
    expect(screen.getByTestId("data-done")).toHaveTextContent("on the clipboard");
  });
});

describe("recovery", () => {
  it("replaces the app when the store is damaged, and starts again only when confirmed", async () => {
    let damaged: string | null = "the database file is damaged: file is not a database";
    be.extra.data_status = () => status({ damaged });
    be.extra.start_fresh = () => {
      damaged = null;
      return { kept_aside: "/data/daybook.sqlite3.corrupt-20261123", server: "https://sync.example" };
    };
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    expect(await screen.findByTestId("recovery")).toBeInTheDocument();
    expect(screen.getByTestId("recovery-reason")).toHaveTextContent("file is not a database");
    expect(screen.queryByTestId("nav-orders")).not.toBeInTheDocument();
    expect(screen.getByTestId("backup-item")).toHaveTextContent("daybook-20261101-090000.sqlite3");
    await user.click(screen.getByTestId("fresh-open"));
    expect(be.callsTo("start_fresh")).toHaveLength(0);
    await user.click(screen.getByTestId("fresh-confirm"));
    expect(be.callsTo("start_fresh")).toHaveLength(1);
    await waitFor(() => expect(screen.queryByTestId("recovery")).not.toBeInTheDocument());
    expect(await screen.findByTestId("nav-data")).toBeInTheDocument();
  });
});
