import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { SyncStatus } from "../types";
import { SyncScreen } from "./Sync";

const local: SyncStatus = { state: "local_only", configured: false, server: null, online: false, pending: 3, needs_attention: [], last_sync: null, progress: null, last_error: null };
const connected: SyncStatus = { ...local, state: "online", configured: true, server: "https://sync.example", online: true, pending: 0, last_sync: "2026-11-23T10:00:00Z" };

let be: FakeBackend;
beforeEach(() => {
  be = new FakeBackend().install();
  be.sync = local;
});

describe("sync screen: the server", () => {
  it("connects a local-only store, showing a wrong token at its field until corrected", async () => {
    be.extra.configure_sync = (args) => {
      if (args.token !== "dbk_good") {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "invalid_input", message: "the server does not accept this device token; check it, or ask for a new one", field: "token" };
      }
      be.sync = { ...connected, server: String(args.server) };
      return be.sync;
    };
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    await user.type(await screen.findByTestId("sync-server"), "https://sync.example");
    await user.type(screen.getByTestId("sync-token"), "dbk_bad");
    await user.click(screen.getByTestId("sync-connect-submit"));
    expect(await screen.findByTestId("error-token")).toHaveTextContent("The server does not accept this device token");
    expect(screen.getByTestId("sync-token")).toHaveAttribute("aria-invalid", "true");
    // Typing again clears the error; the right token connects.
    await user.clear(screen.getByTestId("sync-token"));
    expect(screen.queryByTestId("error-token")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("sync-token"), "dbk_good");
    await user.click(screen.getByTestId("sync-connect-submit"));
    expect(await screen.findByTestId("sync-server-url")).toHaveTextContent("https://sync.example");
  });

  it("syncs now, changes the server, and signs out after a confirmation", async () => {
    be.sync = connected;
    be.extra.sync_now = () => null;
    be.extra.configure_sync = (args) => (be.sync = { ...connected, server: String(args.server) });
    be.extra.forget_server = () => (be.sync = local);
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    await user.click(await screen.findByTestId("sync-now"));
    await waitFor(() => expect(be.callsTo("sync_now")).toHaveLength(1));

    await user.click(screen.getByTestId("sync-change"));
    expect(screen.getByTestId("sync-server")).toHaveValue("https://sync.example");
    await user.clear(screen.getByTestId("sync-server"));
    await user.type(screen.getByTestId("sync-server"), "https://other.example");
    await user.type(screen.getByTestId("sync-token"), "dbk_2");
    await user.click(screen.getByTestId("sync-connect-submit"));
    expect(await screen.findByTestId("sync-server-url")).toHaveTextContent("https://other.example");
    expect(be.callsTo("configure_sync")[0]?.args).toEqual({ server: "https://other.example", token: "dbk_2" });

    await user.click(screen.getByTestId("sync-signout"));
    expect(be.callsTo("forget_server")).toHaveLength(0);
    await user.click(screen.getByTestId("sync-signout-confirm"));
    await waitFor(() => expect(be.callsTo("forget_server")).toHaveLength(1));
    expect(await screen.findByTestId("sync-connect")).toBeInTheDocument();
  });

  it("says a demo store is never connected, and offers a clean store instead", async () => {
    be.demoData = true;
    be.extra.start_clean = () => {
      be.demoData = false;
      return { kept_aside: "/data/daybook.sqlite3.demo-20261203", server: null };
    };
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    expect(await screen.findByTestId("sync-demo")).toHaveTextContent("never goes to a server");
    expect(screen.queryByTestId("sync-connect")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("start-clean-open"));
    expect(be.callsTo("start_clean")).toHaveLength(0);
    await user.click(screen.getByTestId("start-clean-confirm"));
    await waitFor(() => expect(be.callsTo("start_clean")).toHaveLength(1));
    expect(await screen.findByTestId("sync-connect")).toBeInTheDocument();
  });
});
