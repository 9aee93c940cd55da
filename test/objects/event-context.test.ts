/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { DurableObject } from "../../src/rpc/classes.js";
import { runtimeWith } from "../helpers/runtime.js";
import type { DurableObjectState } from "../../src/objects/state.js";

// An object's event runs in an async context of its own: in production a call
// reaches the object as a request of its own, so the caller's
// AsyncLocalStorage values are not there. The object's own values, and the
// caller's after the call, are kept.

const store = new AsyncLocalStorage<string>();

class Reader extends DurableObject {
  readonly seenAtConstruction: string | undefined;
  declare protected ctx: DurableObjectState;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.seenAtConstruction = store.getStore();
  }
  constructed(): string | undefined {
    return this.seenAtConstruction;
  }
  async read(): Promise<(string | undefined)[]> {
    const before = store.getStore();
    await this.ctx.storage.get("k");
    return [before, store.getStore()];
  }
  /** A value the object sets itself lasts across its own awaits. */
  async own(): Promise<(string | undefined)[]> {
    return store.run("object's", async () => {
      const before = store.getStore();
      await this.ctx.storage.get("k");
      return [before, store.getStore()];
    });
  }
  /** A call into another object from inside this one: that object does not see this one's values either. */
  async relay(other: string): Promise<(string | undefined)[]> {
    const ns = (this.env as { Reader: { getByName(name: string): any } }).Reader;
    return store.run("relayed", () => ns.getByName(other).read());
  }
}

describe("an object's event context", () => {
  it("does not carry the caller's AsyncLocalStorage values into the object, sync part and after an await", async () => {
    const { ns } = runtimeWith({ Reader });
    const stub: any = ns("Reader").getByName("a");
    const seen = await store.run("caller's", () => stub.read());
    expect(seen).toEqual([undefined, undefined]);
  });

  it("does not carry them into the object's constructor", async () => {
    const { ns } = runtimeWith({ Reader });
    const stub: any = ns("Reader").getByName("b");
    expect(await store.run("caller's", () => stub.constructed())).toBeUndefined();
  });

  it("keeps the values the object sets itself across its awaits", async () => {
    const { ns } = runtimeWith({ Reader });
    const stub: any = ns("Reader").getByName("c");
    expect(await store.run("caller's", () => stub.own())).toEqual(["object's", "object's"]);
  });

  it("keeps the caller's own values after the call, and a call from one object to another carries neither", async () => {
    const { ns } = runtimeWith({ Reader });
    const stub: any = ns("Reader").getByName("d");
    await store.run("caller's", async () => {
      expect(await stub.relay("e")).toEqual([undefined, undefined]);
      expect(store.getStore()).toBe("caller's");
    });
  });
});
