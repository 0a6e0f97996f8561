//! An in-memory stand-in for src-tauri, behind `mockIPC`: enough of the commands and
//! queries for component tests to drive screens the way the real app does. It holds
//! state and decides *whether* a command is refused, but computes no rule and invents no
//! error: line nets, totals, VAT rates and every `ErrorBody` come from the golden files
//! the Rust tests generate (`./golden.ts`).

import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  Command,
  CustomerDetail,
  CustomerRow,
  ErrorBody,
  HeldOrderRow,
  LineRow,
  OrderDetail,
  OrderQuery,
  OrderRow,
  ProductRow,
  SignedIn,
  SyncStatus,
} from "../types";
import { inputRefusal, lineNet, refusal, totalsOf, vatRateOf } from "./golden";

function fail(body: ErrorBody): never {
  // Tauri rejects with the plain serialized ErrorBody, not an Error: so does the fake.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw body;
}

export class FakeBackend {
  customers = new Map<string, CustomerDetail>();
  products = new Map<string, ProductRow>();
  orders = new Map<string, OrderDetail>();
  /** Every IPC call, in order. */
  calls: { cmd: string; args: Record<string, unknown> }[] = [];
  /** Every command that succeeded. */
  commands: Command[] = [];
  sync: SyncStatus = { state: "local_only", configured: false, server: null, online: true, pending: 0, needs_attention: [], last_sync: null, progress: null, last_error: null };
  counters = { order: 0, customer: 0 };
  /** The store holds demo data (app_info). */
  demoData = false;
  /** The person signed in (app_info). */
  person: SignedIn | null = null;
  /** An account's store with nobody signed in (app_info). */
  signInRequired = false;
  /** Replaces list_orders, e.g. to simulate 100,000 orders. */
  listOrders?: (q: OrderQuery) => { rows: OrderRow[]; total: number };
  /** Extra handlers per IPC command (history, timeline...). */
  extra: Record<string, (args: Record<string, unknown>) => unknown> = {};

  install(): this {
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
    return this;
  }

  addCustomer(c: Partial<CustomerRow> & { id: string; name: string }): CustomerRow {
    const row: CustomerRow = {
      number: `C-${String(this.customers.size + 1).padStart(5, "0")}`,
      kind: "organisation",
      vat_number: null,
      email: null,
      currency: "EUR",
      spending_limit: null,
      open_total: 0,
      order_count: 0,
      blocked: false,
      revision: 1,
      city: null,
      ...c,
    };
    this.customers.set(row.id, { customer: row, addresses: [] });
    return row;
  }

  addProduct(p: Partial<ProductRow> & { id: string; code: string; unit_price: number }): ProductRow {
    const row: ProductRow = { description: p.code, vat_class: "standard", discontinued: false, revision: 1, ...p };
    this.products.set(row.id, row);
    return row;
  }

  addOrder(id: string, customerId: string, number = `SO-${String(this.orders.size + 1).padStart(5, "0")}`): OrderDetail {
    const c = this.customers.get(customerId);
    if (!c) throw new Error("no such customer");
    const order: OrderRow = {
      id,
      number,
      customer_id: customerId,
      customer_name: c.customer.name,
      status: "draft",
      currency: "EUR",
      created_at: "2026-11-23T10:00:00Z",
      placed_at: null,
      delivered_at: null,
      invoiced_at: null,
      cancelled_at: null,
      line_count: 0,
      net: 0,
      vat: 0,
      gross: 0,
      customer_reference: null,
      revision: 1,
      sync_state: "waiting",
    };
    const d: OrderDetail = { order, lines: [], totals: totalsOf([]), delivery_address: null, notes: null, invoice_number: null };
    this.orders.set(id, d);
    return d;
  }

  private order(id: string): OrderDetail {
    return this.orders.get(id) ?? fail(refusal("not_found", { kind: "order" }));
  }

  private recompute(d: OrderDetail) {
    d.totals = totalsOf(d.lines);
    d.order = { ...d.order, net: d.totals.net, vat: d.totals.vat, gross: d.totals.gross, line_count: d.lines.length, revision: d.order.revision + 1 };
  }

  execute(c: Command): unknown {
    // Input the domain refuses whatever the state (quantity 0, discount 150 %, no name...).
    const refused = inputRefusal(c);
    if (refused) fail(refused);
    // A discarded draft refuses every command.
    if ("order_id" in c && c.type !== "CreateOrder" && this.orders.get(c.order_id)?.order.status === "discarded")
      fail(refusal("order_discarded"));
    switch (c.type) {
      case "RegisterCustomer": {
        if ([...this.customers.values()].some((x) => x.customer.number === c.number))
          fail(refusal("duplicate_customer_number", { value: c.number }));
        this.addCustomer({ id: c.customer_id, number: c.number, name: c.name, kind: c.kind, email: c.email ?? null, spending_limit: c.spending_limit ?? null });
        break;
      }
      case "RegisterProduct": {
        if ([...this.products.values()].some((p) => p.code === c.code))
          fail(refusal("duplicate_product_code", { value: c.code }));
        this.addProduct({ id: c.product_id, code: c.code, description: c.description, unit_price: c.unit_price, vat_class: c.vat_class });
        break;
      }
      case "CreateOrder":
        this.addOrder(c.order_id, c.customer_id, c.number);
        break;
      case "AddOrderLine": {
        const d = this.order(c.order_id);
        if (d.order.status !== "draft") fail(refusal("order_not_draft", { status: d.order.status }));
        const p = this.products.get(c.product_id) ?? fail(refusal("not_found", { kind: "product" }));
        const price = c.unit_price ?? p.unit_price;
        const discount = c.discount_bp ?? 0;
        const rate = vatRateOf(p.vat_class);
        const line: LineRow = {
          line_id: c.line_id,
          product_id: p.id,
          code: p.code,
          description: c.description ?? p.description,
          quantity: c.quantity,
          unit_price: price,
          discount_bp: discount,
          vat_class: p.vat_class,
          vat_rate_bp: rate,
          net: lineNet(c.quantity, price, discount),
        };
        d.lines = [...d.lines, line];
        this.recompute(d);
        break;
      }
      case "ChangeOrderLine": {
        const d = this.order(c.order_id);
        d.lines = d.lines.map((l) =>
          l.line_id === c.line_id
            ? { ...l, quantity: c.quantity, unit_price: c.unit_price, discount_bp: c.discount_bp, net: lineNet(c.quantity, c.unit_price, c.discount_bp) }
            : l,
        );
        this.recompute(d);
        break;
      }
      case "RemoveOrderLine": {
        const d = this.order(c.order_id);
        d.lines = d.lines.filter((l) => l.line_id !== c.line_id);
        this.recompute(d);
        break;
      }
      case "PlaceOrder": {
        const d = this.order(c.order_id);
        if (d.lines.length === 0) fail(refusal("empty_order"));
        const cust = this.customers.get(d.order.customer_id);
        if (cust) {
          const limit = cust.customer.spending_limit;
          const open_total = cust.customer.open_total;
          // Over the limit the order is held for a manager and counts nowhere.
          if (limit !== null && open_total + d.totals.gross > limit) {
            d.order = { ...d.order, status: "held", revision: d.order.revision + 1 };
            break;
          }
          cust.customer = { ...cust.customer, open_total: cust.customer.open_total + d.totals.gross };
        }
        d.order = { ...d.order, status: "placed", placed_at: "2026-11-23T11:00:00Z", revision: d.order.revision + 1 };
        break;
      }
      case "ReleaseOrder": {
        const d = this.order(c.order_id);
        if (d.order.status !== "held") fail(refusal("not_held", { status: d.order.status }));
        const cust = this.customers.get(d.order.customer_id);
        if (cust) cust.customer = { ...cust.customer, open_total: cust.customer.open_total + d.totals.gross };
        d.order = { ...d.order, status: "placed", placed_at: "2026-11-23T11:05:00Z", revision: d.order.revision + 1 };
        break;
      }
      case "RefuseHeldOrder": {
        const d = this.order(c.order_id);
        if (d.order.status !== "held") fail(refusal("not_held", { status: d.order.status }));
        d.order = { ...d.order, status: "draft", revision: d.order.revision + 1 };
        break;
      }
      case "ChangeOrderCustomer": {
        const d = this.order(c.order_id);
        if (d.order.status !== "draft") fail(refusal("order_not_draft", { status: d.order.status }));
        const cust = this.customers.get(c.customer_id) ?? fail(refusal("not_found", { kind: "customer" }));
        if (cust.customer.blocked) fail(refusal("customer_blocked"));
        d.order = { ...d.order, customer_id: c.customer_id, customer_name: cust.customer.name, revision: d.order.revision + 1 };
        // The new customer's default delivery address: the first of theirs, or none.
        d.delivery_address = cust.addresses[0] ?? null;
        break;
      }
      case "DiscardOrder": {
        const d = this.order(c.order_id);
        if (d.order.status !== "draft") fail(refusal("order_not_draft", { status: d.order.status }));
        d.order = { ...d.order, status: "discarded", revision: d.order.revision + 1 };
        break;
      }
      case "SetSpendingLimit": {
        const cust = this.customers.get(c.customer_id) ?? fail(refusal("not_found", { kind: "customer" }));
        cust.customer = { ...cust.customer, spending_limit: c.limit };
        break;
      }
      default:
        break;
    }
    this.commands.push(c);
    return { command_id: "00000000-0000-7000-8000-000000000000", stream_id: "", revision: 1, events: [], duplicate: false };
  }

  /** Runs commands all or none, as `execute_commands` does in one transaction. */
  executeAll(commands: Command[]): unknown[] {
    const before = {
      customers: structuredClone(this.customers),
      orders: structuredClone(this.orders),
      commands: this.commands.length,
    };
    try {
      return commands.map((c) => this.execute(c));
    } catch (e) {
      this.customers = before.customers;
      this.orders = before.orders;
      this.commands.length = before.commands;
      throw e;
    }
  }

  /** Answers like IPC does: a fresh copy of the data (JSON over the bridge). */
  handle(cmd: string, args: Record<string, unknown>): unknown {
    this.calls.push({ cmd, args: structuredClone(args) });
    const result = this.dispatch(cmd, args);
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
  }

  private dispatch(cmd: string, args: Record<string, unknown>): unknown {
    const extra = this.extra[cmd];
    if (extra) return extra(args);
    switch (cmd) {
      case "execute_command":
        return this.execute(args.command as Command);
      case "execute_commands":
        return this.executeAll(args.commands as Command[]);
      case "next_number": {
        const series = args.series as "order" | "customer";
        this.counters[series] += 1;
        return `${series === "order" ? "SO-" : "C-"}${String(this.counters[series]).padStart(5, "0")}`;
      }
      case "list_orders":
      case "order_summary": {
        const q = args.query as OrderQuery;
        const all = this.listOrders ? null : this.filterOrders(q);
        if (cmd === "order_summary") {
          const rows = all ?? this.listOrders!({ ...q, offset: 0, limit: 1 }).rows;
          const total = all ? all.length : this.listOrders!(q).total;
          // One set of sums per currency, the one with most orders first (as the app).
          const by = new Map<string, { currency: string; count: number; net: number; vat: number; gross: number }>();
          for (const r of rows) {
            const t = by.get(r.currency) ?? { currency: r.currency, count: 0, net: 0, vat: 0, gross: 0 };
            by.set(r.currency, { ...t, count: t.count + 1, net: t.net + r.net, vat: t.vat + r.vat, gross: t.gross + r.gross });
          }
          const totals = [...by.values()].sort((a, b) => b.count - a.count || a.currency.localeCompare(b.currency));
          return { count: total, totals };
        }
        if (this.listOrders) return this.listOrders(q);
        const offset = q.offset ?? 0;
        return { rows: all!.slice(offset, offset + (q.limit ?? 50)), total: all!.length };
      }
      case "get_order":
        return this.order(args.id as string);
      case "get_customer":
        return this.customers.get(args.id as string) ?? fail(refusal("not_found", { kind: "customer" }));
      case "get_product":
        return this.products.get(args.id as string) ?? fail(refusal("not_found", { kind: "product" }));
      case "list_customers": {
        const s = ((args.query as { search?: string | null }).search ?? "").toLowerCase();
        const rows = [...this.customers.values()].map((c) => c.customer).filter((c) => !s || c.name.toLowerCase().includes(s) || c.number.toLowerCase().startsWith(s));
        return { rows, total: rows.length };
      }
      case "list_products": {
        const q = args.query as { search?: string | null; limit?: number | null };
        const s = (q.search ?? "").toLowerCase();
        const rows = [...this.products.values()]
          .filter((p) => !s || p.code.toLowerCase().startsWith(s) || p.description.toLowerCase().includes(s))
          .sort((a, b) => Number(b.code.toLowerCase() === s) - Number(a.code.toLowerCase() === s));
        return { rows: rows.slice(0, q.limit ?? 50), total: rows.length };
      }
      case "sync_status":
        return this.sync;
      case "app_info":
        return { version: "0.1.0", user: "tester", device: "jsdom", data_dir: "/tmp/daybook", account_id: "00000000-0000-7000-8000-000000000000", demo_data: this.demoData, person: this.person, sign_in_required: this.signInRequired };
      case "is_empty":
        return this.orders.size === 0 && this.customers.size === 0 && this.products.size === 0;
      case "timeline_users":
        return ["tester"];
      case "approvals":
        return this.approvals();
      default:
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "unknown", message: `fake backend has no ${cmd}` } satisfies ErrorBody;
    }
  }

  private filterOrders(q: OrderQuery): OrderRow[] {
    const s = (q.search ?? "").toLowerCase();
    let rows = [...this.orders.values()].map((d) => d.order);
    if (q.status && q.status.length) rows = rows.filter((r) => q.status!.includes(r.status));
    else rows = rows.filter((r) => r.status !== "discarded");
    if (q.customer_id) rows = rows.filter((r) => r.customer_id === q.customer_id);
    if (s) rows = rows.filter((r) => r.number.toLowerCase().startsWith(s) || r.customer_name.toLowerCase().includes(s));
    return rows;
  }

  /** The held orders, as the approvals queue lists them (in the order they were added). */
  approvals(): HeldOrderRow[] {
    return [...this.orders.values()]
      .filter((d) => d.order.status === "held")
      .map((d) => {
        const c = this.customers.get(d.order.customer_id)?.customer;
        return {
          id: d.order.id,
          number: d.order.number,
          customer_id: d.order.customer_id,
          customer_name: d.order.customer_name,
          customer_number: c?.number ?? "",
          currency: d.order.currency,
          amount: d.totals.gross,
          limit: c?.spending_limit ?? null,
          open_total: c?.open_total ?? 0,
          blocked: c?.blocked ?? false,
          held_by: "anna",
          held_at: "2026-11-23T10:59:00Z",
        };
      });
  }

  /** The calls made to one IPC command. */
  callsTo(cmd: string) {
    return this.calls.filter((c) => c.cmd === cmd);
  }
}
