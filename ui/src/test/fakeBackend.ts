//! An in-memory stand-in for src-tauri, behind `mockIPC`: enough of the commands and
//! queries, with the domain's field errors and the documented rounding rule, for
//! component tests to drive screens the way the real app does.

import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  Command,
  CustomerDetail,
  CustomerRow,
  ErrorBody,
  LineRow,
  OrderDetail,
  OrderQuery,
  OrderRow,
  ProductRow,
  SyncStatus,
  Totals,
} from "../types";

const RATES: Record<string, number> = { standard: 2100, reduced: 900, zero: 0 };

function divBp(n: bigint): bigint {
  return (n + 5000n) / 10000n;
}

export function lineNet(quantity: number, unitPrice: number, discountBp: number): number {
  return Number(divBp(BigInt(quantity) * BigInt(unitPrice) * BigInt(10000 - discountBp)));
}

export function totalsOf(lines: { vat_rate_bp: number; net: number }[]): Totals {
  const byRate = new Map<number, number>();
  for (const l of lines) byRate.set(l.vat_rate_bp, (byRate.get(l.vat_rate_bp) ?? 0) + l.net);
  const per_rate = [...byRate.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([rate_bp, net]) => ({ rate_bp, net, vat: Number(divBp(BigInt(net) * BigInt(rate_bp))) }));
  const net = per_rate.reduce((s, r) => s + r.net, 0);
  const vat = per_rate.reduce((s, r) => s + r.vat, 0);
  return { net, vat, gross: net + vat, per_rate };
}

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
  sync: SyncStatus = { configured: false, server: null, online: true, pending: 0, needs_attention: [], last_sync: null, progress: null, last_error: null };
  counters = { order: 0, customer: 0 };
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
    return this.orders.get(id) ?? fail({ code: "not_found", message: `unknown order ${id}`, field: "order_id" });
  }

  private recompute(d: OrderDetail) {
    d.totals = totalsOf(d.lines);
    d.order = { ...d.order, net: d.totals.net, vat: d.totals.vat, gross: d.totals.gross, line_count: d.lines.length, revision: d.order.revision + 1 };
  }

  private checkLine(quantity: number, unitPrice: number, discountBp: number) {
    if (quantity <= 0) fail({ code: "invalid_quantity", message: `quantity must be greater than 0 (got ${quantity})`, field: "quantity" });
    if (unitPrice < 0) fail({ code: "negative_price", message: `price must not be negative (got ${unitPrice})`, field: "unit_price" });
    if (discountBp < 0 || discountBp > 10000)
      fail({ code: "invalid_discount", message: `discount must be between 0% and 100% (got ${discountBp} basis points)`, field: "discount_bp" });
  }

  execute(c: Command): unknown {
    switch (c.type) {
      case "RegisterCustomer": {
        if ([...this.customers.values()].some((x) => x.customer.number === c.number))
          fail({ code: "duplicate_customer_number", message: `customer number ${c.number} is already used`, field: "number" });
        if (!c.name.trim()) fail({ code: "required", message: "name is required", field: "name" });
        this.addCustomer({ id: c.customer_id, number: c.number, name: c.name, kind: c.kind, email: c.email ?? null, spending_limit: c.spending_limit ?? null });
        break;
      }
      case "RegisterProduct": {
        if ([...this.products.values()].some((p) => p.code === c.code))
          fail({ code: "duplicate_product_code", message: `product code ${c.code} is already used`, field: "code" });
        this.addProduct({ id: c.product_id, code: c.code, description: c.description, unit_price: c.unit_price, vat_class: c.vat_class });
        break;
      }
      case "CreateOrder":
        this.addOrder(c.order_id, c.customer_id, c.number);
        break;
      case "AddOrderLine": {
        const d = this.order(c.order_id);
        if (d.order.status !== "draft") fail({ code: "order_not_draft", message: `the order is ${d.order.status}; only draft orders can be changed` });
        const p = this.products.get(c.product_id) ?? fail({ code: "not_found", message: "unknown product", field: "product_id" });
        const price = c.unit_price ?? p.unit_price;
        const discount = c.discount_bp ?? 0;
        this.checkLine(c.quantity, price, discount);
        const rate = RATES[p.vat_class] ?? 0;
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
        this.checkLine(c.quantity, c.unit_price, c.discount_bp);
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
        if (d.lines.length === 0) fail({ code: "empty_order", message: "an order without lines cannot be placed" });
        const cust = this.customers.get(d.order.customer_id);
        if (cust) {
          const limit = cust.customer.spending_limit;
          if (limit !== null && cust.customer.open_total + d.totals.gross > limit)
            fail({ code: "spending_limit_exceeded", message: "placing this order would take the customer's open orders over the spending limit" });
          cust.customer = { ...cust.customer, open_total: cust.customer.open_total + d.totals.gross };
        }
        d.order = { ...d.order, status: "placed", placed_at: "2026-11-23T11:00:00Z", revision: d.order.revision + 1 };
        break;
      }
      case "SetSpendingLimit": {
        const cust = this.customers.get(c.customer_id) ?? fail({ code: "not_found", message: "unknown customer", field: "customer_id" });
        if (c.limit !== null && c.limit < 0) fail({ code: "negative_spending_limit", message: "spending limit must not be negative", field: "spending_limit" });
        cust.customer = { ...cust.customer, spending_limit: c.limit };
        break;
      }
      default:
        break;
    }
    this.commands.push(c);
    return { command_id: "00000000-0000-7000-8000-000000000000", stream_id: "", revision: 1, events: [], duplicate: false };
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
          return {
            count: total,
            net: rows.reduce((s, r) => s + r.net, 0),
            vat: rows.reduce((s, r) => s + r.vat, 0),
            gross: rows.reduce((s, r) => s + r.gross, 0),
          };
        }
        if (this.listOrders) return this.listOrders(q);
        const offset = q.offset ?? 0;
        return { rows: all!.slice(offset, offset + (q.limit ?? 50)), total: all!.length };
      }
      case "get_order":
        return this.order(args.id as string);
      case "get_customer":
        return this.customers.get(args.id as string) ?? fail({ code: "not_found", message: "unknown customer", field: "customer_id" });
      case "get_product":
        return this.products.get(args.id as string) ?? fail({ code: "not_found", message: "unknown product", field: "product_id" });
      case "list_customers": {
        const s = ((args.query as { search?: string | null }).search ?? "").toLowerCase();
        const rows = [...this.customers.values()].map((c) => c.customer).filter((c) => !s || c.name.toLowerCase().includes(s) || c.number.toLowerCase().startsWith(s));
        return { rows, total: rows.length };
      }
      case "list_products": {
        const s = ((args.query as { search?: string | null }).search ?? "").toLowerCase();
        const rows = [...this.products.values()]
          .filter((p) => !s || p.code.toLowerCase().startsWith(s) || p.description.toLowerCase().includes(s))
          .sort((a, b) => Number(b.code.toLowerCase() === s) - Number(a.code.toLowerCase() === s));
        return { rows, total: rows.length };
      }
      case "sync_status":
        return this.sync;
      case "app_info":
        return { version: "0.1.0", user: "tester", device: "jsdom", data_dir: "/tmp/daybook", account_id: "00000000-0000-7000-8000-000000000000" };
      case "is_empty":
        return this.orders.size === 0 && this.customers.size === 0 && this.products.size === 0;
      case "timeline_users":
        return ["tester"];
      default:
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "unknown", message: `fake backend has no ${cmd}` } satisfies ErrorBody;
    }
  }

  private filterOrders(q: OrderQuery): OrderRow[] {
    const s = (q.search ?? "").toLowerCase();
    let rows = [...this.orders.values()].map((d) => d.order);
    if (q.status && q.status.length) rows = rows.filter((r) => q.status!.includes(r.status));
    if (q.customer_id) rows = rows.filter((r) => r.customer_id === q.customer_id);
    if (s) rows = rows.filter((r) => r.number.toLowerCase().startsWith(s) || r.customer_name.toLowerCase().includes(s));
    return rows;
  }

  /** The calls made to one IPC command. */
  callsTo(cmd: string) {
    return this.calls.filter((c) => c.cmd === cmd);
  }
}
