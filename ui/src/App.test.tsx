import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { beforeEach, describe, expect, it } from "vitest";
import { CHANGED_EVENT } from "./api";
import { App } from "./App";
import { createQueryClient } from "./queryClient";
import { FakeBackend } from "./test/fakeBackend";
import { resetOrderFilters } from "./screens/OrdersList";

let be: FakeBackend;
beforeEach(() => {
  resetOrderFilters();
  localStorage.clear();
  be = new FakeBackend().install();
  be.addCustomer({ id: "c1", name: "Acme Trading" });
  be.addOrder("o1", "c1", "SO-00001");
});

describe("app shell", () => {
  it("refreshes open screens when the back end emits daybook://changed", async () => {
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    const before = be.callsTo("list_orders").length;
    // Another window (or sync) changed data behind this screen's back.
    be.addOrder("o2", "c1", "SO-00002");
    await act(() => emit(CHANGED_EVENT, null));
    await waitFor(() => expect(screen.getAllByTestId("order-row")).toHaveLength(2));
    expect(be.callsTo("list_orders").length).toBeGreaterThan(before);
  });

  it("shows no demo badge for a store without demo data", async () => {
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    expect(screen.queryByTestId("demo-badge")).not.toBeInTheDocument();
  });

  it("shows the demo badge for a demo store", async () => {
    be.demoData = true;
    render(<App client={createQueryClient()} />);
    expect(await screen.findByTestId("demo-badge")).toHaveTextContent("Demo data");
  });

  it("says nobody is signed in on an account's store, and points to the Sync screen", async () => {
    be.signInRequired = true;
    render(<App client={createQueryClient()} />);
    const badge = await screen.findByTestId("person-badge");
    expect(badge).toHaveTextContent("Not signed in");
    expect(badge).toHaveAttribute("href", "#/sync");
  });

  it("documents its shortcuts in a help overlay opened with ?", async () => {
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    await user.keyboard("?");
    const help = await screen.findByTestId("help-overlay");
    expect(help).toHaveTextContent("Place the order");
    expect(help).toHaveTextContent("Go to customers");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("help-overlay")).not.toBeInTheDocument());
  });

  it("navigates with g-prefixed keys and opens a new order with n", async () => {
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    await user.keyboard("gc");
    await waitFor(() => expect(window.location.hash).toBe("#/customers"));
    expect(await screen.findByTestId("customers-grid")).toBeInTheDocument();
    await user.keyboard("n");
    await waitFor(() => expect(window.location.hash).toBe("#/orders/new"));
    expect(await screen.findByTestId("order-customer-input")).toHaveFocus();
  });

  it("opens a new customer with Shift+C and a new product with Shift+P, focus in the first field", async () => {
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    await user.keyboard("C");
    await waitFor(() => expect(window.location.hash).toBe("#/customers/new"));
    await waitFor(() => expect(document.activeElement?.tagName).toBe("INPUT"));
    await user.click(screen.getByTestId("nav-orders"));
    await screen.findByTestId("order-row");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("P");
    await waitFor(() => expect(window.location.hash).toBe("#/products/new"));
    expect(await screen.findByTestId("product-code")).toHaveFocus();
  });

  it("leaves the focus on the list, never the page body, after a product is saved", async () => {
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    await screen.findByTestId("order-row");
    await user.keyboard("P");
    const code = await screen.findByTestId("product-code");
    await waitFor(() => expect(code).toHaveFocus());
    await user.type(code, "P-9");
    await user.type(screen.getByTestId("product-description"), "Widget");
    await user.type(screen.getByTestId("product-unit-price"), "12.50{Enter}");
    await waitFor(() => expect(window.location.hash).toBe("#/products"));
    await screen.findByTestId("products-grid");
    await waitFor(() => expect(document.activeElement).not.toBe(document.body));
    expect(document.activeElement?.closest("[data-testid=products-grid]")).not.toBeNull();
  });

  it("switches theme with the toggle and remembers it", async () => {
    const user = userEvent.setup();
    render(<App client={createQueryClient()} />);
    const before = document.documentElement.dataset.theme;
    await user.click(screen.getByTestId("theme-toggle"));
    const after = document.documentElement.dataset.theme;
    expect(after).not.toBe(before);
    expect(localStorage.getItem("daybook.theme")).toBe(after);
  });

  it("shows the sync badge from sync_status", async () => {
    be.sync = { ...be.sync, state: "offline", configured: true, online: false, pending: 37 };
    render(<App client={createQueryClient()} />);
    expect(await screen.findByTestId("sync-badge")).toHaveTextContent("Offline, 37 changes waiting");
  });
});
