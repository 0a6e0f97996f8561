import { describe, expect, expectTypeOf, it } from "vitest";
import { api, deriveApi } from "./api";
import { commands } from "./bindings";
import { IpcError } from "./lib/errors";
import { FakeBackend } from "./test/fakeBackend";
import type { CommandOutcome, ErrorBody, OrderDetail, OrderQuery } from "./types";

describe("api", () => {
  it("wraps every generated command, and nothing else", () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(commands).sort());
    for (const f of Object.values(api)) expect(typeof f).toBe("function");
  });

  it("keeps each command's arguments and resolves to its data (checked by tsc)", () => {
    expectTypeOf(api.getOrder).parameters.toEqualTypeOf<[id: string]>();
    expectTypeOf(api.getOrder).returns.resolves.toEqualTypeOf<OrderDetail>();
    expectTypeOf(api.listOrders).parameters.toEqualTypeOf<[query: OrderQuery]>();
    expectTypeOf(api.executeCommand).returns.resolves.toEqualTypeOf<CommandOutcome>();
    expectTypeOf(api.isEmpty).returns.resolves.toEqualTypeOf<boolean>();
    expectTypeOf(api.syncNow).returns.resolves.toEqualTypeOf<null>();
  });

  it("derives from any bindings object: a new command needs no edit", async () => {
    const generated = {
      brandNew: (n: number) => Promise.resolve({ status: "ok" as const, data: n * 2 }),
      refused: () => Promise.resolve({ status: "error" as const, error: { code: "conflict", message: "changed" } satisfies ErrorBody }),
    };
    const derived = deriveApi(generated);
    expectTypeOf(derived.brandNew).toEqualTypeOf<(n: number) => Promise<number>>();
    await expect(derived.brandNew(21)).resolves.toBe(42);
    await expect(derived.refused()).rejects.toMatchObject({ name: "IpcError", code: "conflict", message: "changed" });
  });

  it("rejects with an IpcError carrying the back end's ErrorBody", async () => {
    new FakeBackend().install();
    const e: unknown = await api.getOrder("01900000-0000-7000-8000-00000000dead").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcError);
    expect(e).toMatchObject({ code: "not_found", field: "order_id", params: { kind: "order" } });
  });
});
