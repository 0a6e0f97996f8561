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
    // Signing in is what a person does; a service device connects with its token.
    await user.click(await screen.findByTestId("signin-use-token"));
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
    expect(await screen.findByTestId("sync-signin")).toBeInTheDocument();
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
    expect(screen.queryByTestId("sync-signin")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("start-clean-open"));
    expect(be.callsTo("start_clean")).toHaveLength(0);
    await user.click(screen.getByTestId("start-clean-confirm"));
    await waitFor(() => expect(be.callsTo("start_clean")).toHaveLength(1));
    expect(await screen.findByTestId("sync-signin")).toBeInTheDocument();
  });

  it("a store with work of its own cannot join an account with data: it says so and offers a clean store", async () => {
    be.extra.sign_in = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "account_not_empty", message: "joining it needs an empty store", params: { value: "Noord BV" } };
    };
    be.extra.start_clean = () => ({ kept_aside: "/data/daybook.sqlite3.kept-20261204", server: null });
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    await user.type(await screen.findByTestId("signin-server"), "https://sync.example");
    await user.type(screen.getByTestId("signin-login"), "anna");
    await user.type(screen.getByTestId("signin-password"), "right horse");
    await user.click(screen.getByTestId("signin-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This computer holds work of its own, and the account “Noord BV” has data already: joining it needs an empty store.",
    );
    await user.click(screen.getByTestId("start-clean-open"));
    await user.click(screen.getByTestId("start-clean-confirm"));
    await waitFor(() => expect(be.callsTo("start_clean")).toHaveLength(1));
    expect(await screen.findByRole("status")).toHaveTextContent("This computer's store is kept as /data/daybook.sqlite3.kept-20261204.");
  });

  it("signs a person in, a wrong password at its field, and signs them out saying what waits", async () => {
    be.extra.sign_in = (args) => {
      if (args.password !== "right horse") {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "invalid_credentials", message: "the login or password is not right", field: "password" };
      }
      be.person = { login: String(args.login), name: "Anna de Vries", role: "clerk" };
      be.sync = { ...connected, server: String(args.server) };
      return { person: be.person, account_name: "Noord BV", device_code: "D1", status: be.sync };
    };
    be.extra.sign_out = () => {
      const person = be.person!;
      be.person = null;
      be.sync = { ...connected, state: "signed_out", online: false };
      return { person, unsynced: 2, server_told: true, status: be.sync };
    };
    const user = userEvent.setup();
    renderWithClient(<SyncScreen />);
    await user.type(await screen.findByTestId("signin-server"), "https://sync.example");
    await user.type(screen.getByTestId("signin-login"), "anna");
    await user.type(screen.getByTestId("signin-password"), "wrong");
    await user.click(screen.getByTestId("signin-submit"));
    expect(await screen.findByTestId("error-password")).toHaveTextContent("The login or the password is not right");
    expect(screen.getByTestId("signin-password")).toHaveAttribute("aria-invalid", "true");
    await user.clear(screen.getByTestId("signin-password"));
    await user.type(screen.getByTestId("signin-password"), "right horse");
    await user.click(screen.getByTestId("signin-submit"));
    expect(await screen.findByTestId("sync-person")).toHaveTextContent("Signed in as Anna de Vries (clerk, login anna)");
    expect(be.callsTo("sign_in").at(-1)?.args).toEqual({ server: "https://sync.example", login: "anna", password: "right horse" });

    await user.click(screen.getByTestId("sync-signout-person"));
    expect(await screen.findByTestId("signed-out-note")).toHaveTextContent(
      "Signed out Anna de Vries. 2 of their changes are not synced yet; they are kept for their next sign-in on this device.",
    );
    // The store keeps its server: the next person signs in on it.
    expect(screen.getByTestId("signin-server")).toHaveValue("https://sync.example");
    expect(screen.getByTestId("signin-login")).toHaveFocus();
  });
});
