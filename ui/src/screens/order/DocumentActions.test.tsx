import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import { renderWithClient } from "../../test/render";
import type { ErrorBody, OrderRow, OrderStatus } from "../../types";
import { DocumentActions, documentLabel, documentsFor } from "./DocumentActions";

const SAVED = { title: "Order confirmation", order_number: "SO-00001", pages: 1, bytes: 2048 };

describe("document actions", () => {
  let be: FakeBackend;
  let order: OrderRow;
  const place = (status: OrderStatus) => {
    order = { ...order, status };
  };
  beforeEach(() => {
    be = new FakeBackend().install();
    be.addCustomer({ id: "c1", name: "Acme" });
    order = { ...be.addOrder("o1", "c1").order, status: "placed" };
    be.extra.document_file_name = (a) => `SO-00001-${String(a.kind)}.pdf`;
    be.extra.choose_file = () => "/home/ann/Documents/chosen.pdf";
    be.extra.save_document = (a) => ({ ...SAVED, path: a.path });
    be.extra.open_document = () => ({ ...SAVED, path: "/data/documents/SO-00001-confirmation.pdf" });
  });

  it("offers what the status allows, the first one for Ctrl+P", () => {
    const at = "2026-11-23T09:00:00Z";
    const of = (status: OrderStatus, placed_at: string | null = null, delivered_at: string | null = null) =>
      documentsFor({ status, placed_at, delivered_at });
    expect(of("draft")).toEqual([]);
    expect(of("held")).toEqual([]);
    expect(of("placed", at)).toEqual(["confirmation", "invoice"]);
    expect(of("delivered", at, at)).toEqual(["delivery", "confirmation", "invoice"]);
    expect(of("invoiced", at, at)[0]).toBe("invoice");
    // Cancelled: what it reached before, never an invoice.
    expect(of("cancelled")).toEqual([]);
    expect(of("cancelled", at)).toEqual(["confirmation"]);
    expect(of("cancelled", at, at)).toEqual(["delivery", "confirmation"]);
    expect(documentLabel("invoice", "placed")).toBe("Pro forma invoice");
    expect(documentLabel("invoice", "invoiced")).toBe("Invoice");
  });

  it("offers a cancelled order's confirmation, saying it is marked cancelled", async () => {
    const user = userEvent.setup();
    order = { ...order, status: "cancelled", placed_at: "2026-11-23T09:00:00Z", cancelled_at: "2026-11-24T09:00:00Z" };
    renderWithClient(<DocumentActions order={order} />);
    expect(screen.getByTestId("document-cancelled")).toHaveTextContent("Cancelled: its documents say so on every page.");
    const kinds = [...screen.getByTestId<HTMLSelectElement>("document-kind").options].map((o) => o.value);
    expect(kinds).toEqual(["confirmation"]);
    await user.click(screen.getByTestId("document-open"));
    expect(await screen.findByTestId("document-done")).toHaveTextContent("opened from /data/documents/");
    expect(be.callsTo("open_document").map((c) => c.args)).toEqual([{ orderId: "o1", kind: "confirmation" }]);
  });

  it("shows nothing for a draft", () => {
    place("draft");
    renderWithClient(<DocumentActions order={order} />);
    expect(screen.queryByTestId("document-actions")).toBeNull();
  });

  it("saves the chosen document where the dialog said, with the suggested name", async () => {
    const user = userEvent.setup();
    renderWithClient(<DocumentActions order={order} />);
    await user.click(screen.getByTestId("document-save"));
    expect(await screen.findByTestId("document-done")).toHaveTextContent(
      "Order confirmation SO-00001 saved as /home/ann/Documents/chosen.pdf (1 page).",
    );
    expect(be.callsTo("choose_file").map((c) => c.args)).toEqual([
      { purpose: "pdf", suggestedName: "SO-00001-confirmation.pdf" },
    ]);
    expect(be.callsTo("save_document").map((c) => c.args)).toEqual([
      { orderId: "o1", kind: "confirmation", path: "/home/ann/Documents/chosen.pdf" },
    ]);
  });

  it("saves nothing when the dialog is cancelled, and another kind when chosen", async () => {
    const user = userEvent.setup();
    be.extra.choose_file = () => null;
    renderWithClient(<DocumentActions order={order} />);
    await user.selectOptions(screen.getByTestId("document-kind"), "invoice");
    expect(screen.getByTestId("document-kind")).toHaveTextContent("Pro forma invoice");
    await user.click(screen.getByTestId("document-save"));
    await waitFor(() => expect(be.callsTo("choose_file")).toHaveLength(1));
    expect(be.callsTo("document_file_name")[0]!.args.kind).toBe("invoice");
    expect(be.callsTo("save_document")).toHaveLength(0);
    expect(screen.queryByTestId("document-done")).toBeNull();
  });

  it("Ctrl+P saves as PDF; a refusal is shown in the user's terms", async () => {
    be.extra.save_document = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "file_not_chosen", message: "choose the file in the file dialog first", field: "path" } satisfies ErrorBody;
    };
    renderWithClient(<DocumentActions order={order} />);
    fireEvent.keyDown(window, { key: "p", ctrlKey: true });
    expect(await screen.findByTestId("document-error")).toHaveTextContent("Choose the file in the file dialog first.");
    expect(be.callsTo("save_document")).toHaveLength(1);
  });

  it("opens the document in the system's viewer", async () => {
    const user = userEvent.setup();
    place("delivered");
    renderWithClient(<DocumentActions order={order} />);
    expect(screen.getByTestId("document-kind")).toHaveValue("delivery");
    await user.click(screen.getByTestId("document-open"));
    expect(await screen.findByTestId("document-done")).toHaveTextContent("opened from /data/documents/");
    expect(be.callsTo("open_document").map((c) => c.args)).toEqual([{ orderId: "o1", kind: "delivery" }]);
  });
});
